using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Hv.Testing
{
    /// <summary>An Hv image booted in the background by tools/hv-boot, with COM1 on a loopback port.</summary>
    public sealed class RunningHost : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new StringBuilder();

        public int Port { get; }
        public string KeyHex { get; }

        public string Log { get { lock (_log) return _log.ToString(); } }

        private RunningHost(string emulator, string cmdline, string keyHex, int timeoutSeconds)
        {
            KeyHex = keyHex;
            Port = FreePort();
            string root = HvBoot.RepositoryRoot;
            var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-boot"),
                $"--emulator {emulator} --timeout {timeoutSeconds} --mgmt-port {Port} --cmdline \"hv.key={keyHex} hv.panic=poweroff {cmdline}\"")
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
        }

        /// <summary>Boots and waits until the image logs "ready".</summary>
        public static RunningHost Start(string emulator = "bochs", string cmdline = "", string keyHex = null, int timeoutSeconds = 600)
        {
            keyHex ??= Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
            var host = new RunningHost(emulator, cmdline, keyHex, timeoutSeconds);
            host.WaitForLog("ready at tsc", TimeSpan.FromSeconds(60));
            return host;
        }

        /// <summary>Waits until the log shows <paramref name="text"/> (the log reaches us a moment after the host writes it).</summary>
        public void WaitForLog(string text, TimeSpan timeout) => WaitForLog(text, 1, timeout);

        /// <summary>Waits until the log shows <paramref name="text"/> at least <paramref name="count"/> times.</summary>
        public void WaitForLog(string text, int count, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (Occurrences(Log, text) < count)
            {
                if (_process.HasExited) throw new InvalidOperationException($"hv-boot ended before \"{text}\":\n{Log}");
                if (watch.Elapsed > timeout) throw new TimeoutException($"no \"{text}\" within {timeout}:\n{Log}");
                Thread.Sleep(50);
            }
        }

        private static int Occurrences(string log, string text)
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
