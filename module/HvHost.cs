using System;
using System.Threading;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;

namespace Hv.PowerShell
{
    /// <summary>
    /// A connection to one Hv host: what Connect-HvHost returns and what -Server takes. Explicit and thread-safe:
    /// calls on one connection are serialised by its <see cref="HvClient"/> (one request in flight), calls on
    /// different connections run in parallel. The host facts (version, memory, VM count) are the ones read at
    /// connect time or by the last Get-HvHost.
    /// </summary>
    public sealed class HvHost : IDisposable
    {
        private readonly object _lock = new object();
        private HvClient _client;
        private int _timeoutSec;

        internal HvHost(HvClient client, string name, int port, string serialPort, int timeoutSec)
        {
            _client = client;
            Name = name;
            Port = port;
            SerialPort = serialPort;
            TimeoutSec = timeoutSec;
            ConnectedAt = DateTime.Now;
        }

        /// <summary>The computer name (TCP) or the serial device the connection goes to.</summary>
        public string Name { get; }

        /// <summary>TCP port; 0 on a serial connection.</summary>
        public int Port { get; }

        /// <summary>Serial device; null on a TCP connection.</summary>
        public string SerialPort { get; }

        /// <summary>"tcp://host:port" or "serial:/dev/ttyS0@115200".</summary>
        public string Address => _client?.Transport.Description;

        public DateTime ConnectedAt { get; }

        /// <summary>Per-call timeout (seconds) for every request on this connection.</summary>
        public int TimeoutSec
        {
            get => _timeoutSec;
            set
            {
                if (value <= 0 || value > 86400)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), "TimeoutSec is 1..86400.");
                }
                _timeoutSec = value;
                HvClient client = _client;
                if (client != null)
                {
                    client.DefaultTimeoutMs = value * 1000;
                }
            }
        }

        public bool IsConnected
        {
            get
            {
                HvClient client = _client;
                return client != null && client.IsConnected;
            }
        }

        public string Version { get; private set; }
        public int ProtocolVersion { get; private set; }
        public string CpuFeatures { get; private set; }
        public ulong MemoryTotalMB { get; private set; }
        public ulong MemoryFreeMB { get; private set; }
        /// <summary>Host memory in pages more than one VM, snapshot or template shares (copy-on-write), counted once; null if the host does not say.</summary>
        public ulong? MemorySharedMB { get; private set; }
        public TimeSpan Uptime { get; private set; }
        public uint VmCount { get; private set; }

        /// <summary>
        /// The protocol client. Reconnects (new transport session + handshake) when the connection is known to be
        /// broken; never retries a request that may have executed.
        /// </summary>
        internal HvClient Client
        {
            get
            {
                HvClient client = _client;
                if (client == null)
                {
                    throw new HvConnectionException("The connection to " + Name + " was closed by Disconnect-HvHost; connect again with Connect-HvHost.");
                }
                if (!client.IsConnected)
                {
                    lock (_lock)
                    {
                        if (!client.IsConnected)
                        {
                            client.Reconnect();
                        }
                    }
                }
                return client;
            }
        }

        internal bool IsClosed => _client == null;

        internal int TimeoutMs => _timeoutSec * 1000;

        /// <summary>Reads the host facts again (Get-HvHost).</summary>
        internal void Refresh()
        {
            HostInfo info = Client.GetHostInfo();
            lock (_lock)
            {
                Version = info.Version;
                ProtocolVersion = info.ProtocolVersion;
                CpuFeatures = info.CpuFeatureNames;
                MemoryTotalMB = info.MemoryTotalBytes >> 20;
                MemoryFreeMB = info.MemoryFreeBytes >> 20;
                MemorySharedMB = info.HasMemorySharedBytes ? info.MemorySharedBytes >> 20 : (ulong?)null;
                Uptime = TimeSpan.FromMilliseconds(info.UptimeMs);
                VmCount = info.VmCount;
            }
        }

        public void Dispose()
        {
            HvClient client = Interlocked.Exchange(ref _client, null);
            client?.Dispose();
        }

        public override string ToString() => Port > 0 ? Name + ":" + Port : Name;
    }
}
