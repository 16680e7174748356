using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Hv.Testing
{
    // Runs tools/hv-boot and captures the hypervisor log.
    public sealed class HvBoot
    {
        public int ExitCode { get; private set; }
        public string Log { get; private set; } = "";

        public static string RepositoryRoot
        {
            get
            {
                string dir = AppContext.BaseDirectory;
                while (dir != null && !File.Exists(Path.Combine(dir, "build.cake"))) dir = Path.GetDirectoryName(dir);
                return dir ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
            }
        }

        public static HvBoot Run(string emulator, string cmdline, int timeoutSeconds = 120, string extraArgs = "")
        {
            string root = RepositoryRoot;
            string iso = Path.Combine(root, "artifacts", "hv.iso");
            if (!File.Exists(iso)) throw new InvalidOperationException("no ISO: run ./build.sh --target=Image first");
            var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-boot"),
                $"--emulator {emulator} --timeout {timeoutSeconds} --cmdline \"{cmdline}\" {extraArgs}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var output = new StringBuilder();
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data.TrimEnd('\r')); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine("stderr: " + e.Data); };
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit((timeoutSeconds + 30) * 1000))
            {
                p.Kill(true);
                throw new TimeoutException("hv-boot did not end");
            }
            p.WaitForExit();
            return new HvBoot { ExitCode = p.ExitCode, Log = output.ToString() };
        }
    }
}
