using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Hv.Emulators
{
    /// <summary>
    /// An Hv image booted in the background by tools/hv-boot, with COM1 on a loopback port. Every wait counts the host's
    /// own progress (<see cref="ProgressDeadline"/>), so a loaded machine makes tests slower, never red.
    /// </summary>
    public sealed class RunningHost : IDisposable
    {
        /// <summary>Emulator CPU time for BIOS, GRUB and the image to reach "ready" (about 6 s on an idle machine).</summary>
        public static readonly TimeSpan BootBudget = TimeSpan.FromSeconds(90);

        private readonly Process _process;
        private readonly StringBuilder _log = new StringBuilder();
        private string _killedBecause;

        public int Port { get; }
        /// <summary>The loopback port forwarded to the image's TCP port 47000 (tools/hv-boot --net-port); 0 without a NIC.</summary>
        public int NetPort { get; }
        public string KeyHex { get; }
        public EmulatorClock Clock { get; }

        public string Log { get { lock (_log) return _log.ToString(); } }

        private RunningHost(string emulator, string cmdline, string keyHex, string nic, int memoryMiB)
        {
            KeyHex = keyHex;
            Port = FreePort();
            NetPort = nic == null ? 0 : FreePort();
            string network = nic == null ? "" : $" --nic {nic} --net-port {NetPort}";
            string memory = memoryMiB > 0 ? $" --memory {memoryMiB}" : "";
            string root = HvBoot.RepositoryRoot;
            // The wall-clock limit is only a backstop for a test run that forgets to dispose the host.
            var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-boot"),
                $"--emulator {emulator} --timeout 7200 --mgmt-port {Port}{network}{memory} --cmdline \"hv.key={keyHex} hv.panic=poweroff {cmdline}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            _process = new Process { StartInfo = psi };
            _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine(e.Data.TrimEnd('\r')); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_log) _log.AppendLine("stderr: " + e.Data); };
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            Clock = new EmulatorClock(_process.Id);
        }

        /// <summary>
        /// Boots and waits until the image logs "ready". nic ("e1000" or "virtio") adds a NIC reachable at <see cref="NetPort"/>;
        /// memoryMiB above 0 is the machine's RAM instead of tools/hv-boot's default.
        /// </summary>
        public static RunningHost Start(string emulator = "bochs", string cmdline = "", string keyHex = null, string nic = null, int memoryMiB = 0)
        {
            keyHex ??= Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            var host = new RunningHost(emulator, cmdline, keyHex, nic, memoryMiB);
            host.WaitForLog("ready at tsc", BootBudget);
            return host;
        }

        /// <summary>
        /// A client's wall-clock timeout in system tests: only a far backstop, above every <see cref="Within"/> guard's
        /// own (5 × a budget of up to 600 s). The guard watches the host's progress and kills a stalled emulator, which
        /// ends a waiting call at once; a slow but progressing host is waited for.
        /// </summary>
        public const int ClientBackstopMs = 3600000;

        /// <summary>A client of this host whose wall-clock timeouts are backstops: guard its calls with <see cref="Within"/>.</summary>
        public Hv.Protocol.Client.HvClient Connect(string keyHex = null, Hv.Protocol.Client.HvTransport transport = null) =>
            Hv.Protocol.Client.HvClient.Connect(transport ?? new Hv.Protocol.Client.TcpTransport("127.0.0.1", Port, 10000),
                                                keyHex ?? KeyHex, ClientBackstopMs);

        /// <summary>Waits until the log shows <paramref name="text"/> (the log reaches us a moment after the host writes it).</summary>
        public void WaitForLog(string text, TimeSpan budget) => WaitForLog(text, 1, budget);

        /// <summary>Waits until the log shows <paramref name="text"/> at least <paramref name="count"/> times.</summary>
        public void WaitForLog(string text, int count, TimeSpan budget) =>
            WaitUntil(() => Occurrences(Log, text) >= count, budget, $"\"{text}\" x{count} in the log");

        /// <summary>
        /// Polls <paramref name="condition"/> until it holds; fails when the host used <paramref name="budget"/> of
        /// emulator CPU time without getting there, or stopped making progress.
        /// </summary>
        public void WaitUntil(Func<bool> condition, TimeSpan budget, string what)
        {
            var deadline = new ProgressDeadline(Clock, budget);
            while (!condition())
            {
                if (_process.HasExited) throw new InvalidOperationException($"hv-boot ended before {what}{Because()}:\n{Log}");
                string why = deadline.Expired();
                if (why != null) throw new TimeoutException($"no {what}: {why}:\n{Log}");
                Thread.Sleep(50);
            }
            deadline.Record(what);
        }

        /// <summary>
        /// Guards a block of calls that wait on the host in their own way (client calls, cmdlets): if the host uses
        /// <paramref name="budget"/> of emulator CPU time before the guard is disposed, or stops making progress, the
        /// emulator is killed, so the waiting call fails at once, and disposing the guard reports why.
        /// </summary>
        public IDisposable Within(TimeSpan budget, [System.Runtime.CompilerServices.CallerMemberName] string caller = "") =>
            new Guard(this, budget, caller);

        private sealed class Guard : IDisposable
        {
            private readonly RunningHost _host;
            private readonly Timer _timer;
            private readonly ProgressDeadline _deadline;
            private readonly string _caller;
            private string _expired;

            public Guard(RunningHost host, TimeSpan budget, string caller)
            {
                _host = host;
                _caller = caller;
                _deadline = new ProgressDeadline(host.Clock, budget);
                _timer = new Timer(_ => Check(), null, 500, 500);
            }

            private void Check()
            {
                lock (this)
                {
                    if (_expired != null) return;
                    _expired = _deadline.Expired();
                    if (_expired != null) _host.Kill(_expired);
                }
            }

            public void Dispose()
            {
                _timer.Dispose();
                _deadline.Record(_caller);
                lock (this)
                    if (_expired != null) throw new TimeoutException($"the host was stopped: {_expired}:\n{_host.Log}");
            }
        }

        private void Kill(string because)
        {
            _killedBecause = because;
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }

        private string Because() => _killedBecause == null ? "" : $" (killed: {_killedBecause})";

        public static int Occurrences(string log, string text)
        {
            int n = 0;
            for (int at = log.IndexOf(text, StringComparison.Ordinal); at >= 0; at = log.IndexOf(text, at + 1, StringComparison.Ordinal)) n++;
            return n;
        }

        private static int FreePort()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        public void Dispose()
        {
            try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit(5000);
            _process.Dispose();
        }
    }
}
