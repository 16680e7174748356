using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>A host that primes the linux template in the background from boot (hv.prime=linux).</summary>
    public sealed class PrimingLinuxHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start(cmdline: "hv.prime=linux");
        public void Dispose() => Host.Dispose();
    }

    /// <summary>
    /// The Linux test classes share one priming host, so CI boots the kernel once: every Linux VM of the tests is a
    /// clone of the primed template (the classes name their VMs apart and remove them).
    /// </summary>
    [CollectionDefinition(Name)]
    public sealed class PrimedLinuxHost : ICollectionFixture<PrimingLinuxHostFixture>
    {
        public const string Name = "primed linux host";
    }

    /// <summary>A Linux test class: the shared priming host and a shell session on it (each class keeps its own VMs).</summary>
    public abstract class PrimedLinuxTest : IDisposable
    {
        protected PrimedLinuxTest(PrimingLinuxHostFixture fixture)
        {
            Host = fixture.Host;
            Shell = new LinuxShell(Host);
        }

        protected RunningHost Host { get; }
        protected LinuxShell Shell { get; }

        public void Dispose() => Shell.Dispose();

        /// <summary><see cref="LinuxShell.Run"/> on this class's shell.</summary>
        protected string Run(string vm, string command, int n) => Shell.Run(vm, command, n);
    }

    /// <summary>The module in the real PowerShell engine, connected to the priming host, typing into Linux shells.</summary>
    public sealed class LinuxShell : IDisposable
    {
        private readonly PsSession _ps = new PsSession();

        public LinuxShell(RunningHost host)
        {
            using var guard = host.Within(TimeSpan.FromSeconds(60));
            _ps.Run("$h = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600", host.Port, host.KeyHex).NoErrors();
        }

        /// <summary>The session, with the connection in <c>$h</c>.</summary>
        public PsSession Ps => _ps;

        public void Dispose() => _ps.Dispose();

        /// <summary>
        /// Types a command line and waits for the marker the shell computes after it (the echoed input shows "$((...))",
        /// not the number), then gives the console text between the two markers.
        /// </summary>
        public string Run(string vm, string command, int n)
        {
            _ps.Run(@"Send-HvVmConsole -Server $h -Name $args[0] -Text ('echo B' + $args[2] + '-$((1+' + $args[2] + ')); ' + $args[1] + '; echo E' + $args[2] + '-$((2+' + $args[2] + '))') -Confirm:$false
                      Get-HvVm -Server $h -Name $args[0] | Wait-HvVm -ConsolePattern ('E' + $args[2] + '-' + (2 + $args[2]) + '\r?\n') -Timeout 3600 | Out-Null",
                    vm, command, n).NoErrors();
            string console = Console(vm);
            Match m = Regex.Match(console, $@"B{n}-{1 + n}\r?\n(.*)E{n}-{2 + n}\r?\n", RegexOptions.Singleline);
            Assert.True(m.Success, console);
            return m.Groups[1].Value;
        }

        /// <summary>Everything the VM has written to its console.</summary>
        public string Console(string vm) =>
            string.Concat(_ps.Run("Get-HvVm -Server $h -Name $args[0] | Get-HvVmConsole -Raw", vm).NoErrors().Output.Select(o => o.ToString()));
    }
}
