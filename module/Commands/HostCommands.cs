using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Connect-HvHost: opens an authenticated connection (TCP or serial) and returns it.</summary>
    [Cmdlet(VerbsCommunications.Connect, "HvHost", DefaultParameterSetName = TcpSet)]
    [OutputType(typeof(HvHost))]
    public sealed class ConnectHvHostCommand : HvCmdlet
    {
        private const string TcpSet = "Tcp";
        private const string SerialSet = "Serial";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = TcpSet, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        [Alias("Cn", "HostName")]
        public string[] ComputerName { get; set; }

        /// <summary>The host's management port (the secure channel over TCP).</summary>
        [Parameter(Position = 1, ParameterSetName = TcpSet)]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = ProtocolInfo.TcpPort;

        /// <summary>A serial line: a local port (COM3, /dev/ttyS0) or one exposed on TCP as tcp://HOST:PORT (an emulator's COM1, a terminal server).</summary>
        [Parameter(Mandatory = true, ParameterSetName = SerialSet)]
        [ValidateNotNullOrEmpty]
        public string SerialPort { get; set; }

        [Parameter(ParameterSetName = SerialSet)]
        [ValidateRange(300, 4000000)]
        public int BaudRate { get; set; } = 115200;

        /// <summary>The host key (64 hex digits, as the host prints it). A plain string is accepted too.</summary>
        [Parameter]
        [SecureStringTransformation]
        public SecureString Key { get; set; }

        /// <summary>The key as a credential's password (the user name is not used).</summary>
        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 10;

        /// <summary>Do not make this the session's default connection.</summary>
        [Parameter]
        public SwitchParameter NotDefault { get; set; }

        private readonly List<string> _targets = new List<string>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == TcpSet)
            {
                _targets.AddRange(ComputerName);
            }
            else
            {
                _targets.Add(SerialPort);
            }
        }

        protected override void EndProcessing()
        {
            byte[] key = ReadKey();
            List<HvHost> connected = new List<HvHost>();
            try
            {
                RunParallel(_targets, t => t, (target, sink) =>
                {
                    HvTransport transport = ParameterSetName == TcpSet
                        ? new SecureTransport(new TcpTransport(target, Port, TimeoutSec * 1000), key, TimeoutSec * 1000)
                        : SerialLine(target);
                    HvClient client;
                    try
                    {
                        client = HvClient.Connect(transport, key, TimeoutSec * 1000);
                    }
                    catch
                    {
                        transport.Dispose();
                        throw;
                    }
                    HvHost host = new HvHost(client, target, ParameterSetName == TcpSet ? Port : 0, ParameterSetName == TcpSet ? null : target, TimeoutSec);
                    try
                    {
                        host.Refresh();
                    }
                    catch
                    {
                        host.Dispose();
                        throw;
                    }
                    lock (connected)
                    {
                        connected.Add(host);
                    }
                    sink.Output(host);
                }, "Connecting to Hv hosts", t => t);
            }
            finally
            {
                Array.Clear(key, 0, key.Length);
            }
            if (!NotDefault && connected.Count > 0)
            {
                SessionState.PSVariable.Set("global:" + DefaultServerVariable, connected[connected.Count - 1]);
            }
        }

        // tcp://HOST:PORT is a serial line reached through TCP (the protocol's own framing, no secure channel).
        private HvTransport SerialLine(string target)
        {
            const string tcp = "tcp://";
            if (!target.StartsWith(tcp, StringComparison.OrdinalIgnoreCase))
            {
                return new SerialTransport(target, BaudRate);
            }
            string rest = target.Substring(tcp.Length);
            int colon = rest.LastIndexOf(':');
            int port;
            if (colon <= 0 || !int.TryParse(rest.Substring(colon + 1), out port) || port < 1 || port > 65535)
            {
                throw new ArgumentException("A serial line on TCP is tcp://HOST:PORT, not '" + target + "'.");
            }
            return new TcpTransport(rest.Substring(0, colon), port, TimeoutSec * 1000);
        }

        private byte[] ReadKey()
        {
            if (Key != null && Credential != null)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.KeyAndCredential", ErrorCategory.InvalidArgument,
                    "Pass the host key with -Key or -Credential, not both.", null));
            }
            SecureString secure = Key ?? Credential?.Password;
            string text = null;
            if (secure != null)
            {
                IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(secure);
                try
                {
                    text = Marshal.PtrToStringUni(p);
                }
                finally
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(p);
                }
            }
            else
            {
                text = Environment.GetEnvironmentVariable("HV_KEY");
            }
            if (string.IsNullOrEmpty(text))
            {
                ThrowTerminatingError(HvErrors.Make("Hv.KeyRequired", ErrorCategory.InvalidArgument,
                    "The host key is required: pass -Key (the 64 hex digits the host printed at boot) or -Credential, or set $env:HV_KEY.", null));
            }
            try
            {
                return HvClient.ParseKey(text);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.InvalidKey", ErrorCategory.InvalidArgument,
                    "The key is not a host key: it is 64 hex digits (32 bytes), optionally grouped with '-'.", null, e));
                return null;
            }
        }
    }

    /// <summary>Disconnect-HvHost: closes connections (the default one when -Server is omitted).</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "HvHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(void))]
    public sealed class DisconnectHvHostCommand : HvCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        protected override void ProcessRecord()
        {
            HvHost current = GetDefaultServer(SessionState);
            foreach (HvHost host in ResolveServers(Server))
            {
                if (!ShouldProcess(host.Address ?? host.ToString(), "Disconnect"))
                {
                    continue;
                }
                host.Dispose();
                if (ReferenceEquals(host, current))
                {
                    SessionState.PSVariable.Set("global:" + DefaultServerVariable, null);
                }
            }
        }
    }

    /// <summary>Get-HvHost: the connections, with the host facts read again.</summary>
    [Cmdlet(VerbsCommon.Get, "HvHost")]
    [OutputType(typeof(HvHost))]
    public sealed class GetHvHostCommand : HostCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        protected override HvHost[] InputServers => Server;

        protected override void EndProcessing()
        {
            ForEachHost((h, sink) =>
            {
                h.Refresh();
                sink.Output(h);
            }, "Reading Hv hosts");
        }
    }
}
