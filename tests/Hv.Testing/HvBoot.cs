using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;

namespace Hv.Testing
{
    // Runs tools/hv-boot until the image powers off, and captures the hypervisor log.
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

        /// <summary>
        /// Boots and waits for the power-off. <paramref name="budgetSeconds"/> is emulator CPU time (see
        /// <see cref="ProgressDeadline"/>): about ten times what the run needs on an idle machine.
        /// </summary>
        public static HvBoot Run(string emulator, string cmdline, int budgetSeconds = 120, string extraArgs = "")
        {
            string root = RepositoryRoot;
            string iso = Path.Combine(root, "artifacts", "hv.iso");
            if (!File.Exists(iso)) throw new InvalidOperationException("no ISO: run ./build.sh --target=Image first");
            int backstop = budgetSeconds * ProgressDeadline.WallFactor + 60;
            var psi = new ProcessStartInfo(Path.Combine(root, "tools", "hv-boot"),
                $"--emulator {emulator} --timeout {backstop} --cmdline \"{cmdline}\" {extraArgs}")
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
            var deadline = new ProgressDeadline(new EmulatorClock(p.Id), TimeSpan.FromSeconds(budgetSeconds));
            while (!p.WaitForExit(200))
            {
                string why = deadline.Expired();
                if (why == null) continue;
                p.Kill(true);
                p.WaitForExit();
                lock (output) throw new TimeoutException($"hv-boot did not power off: {why}:\n{output}");
            }
            p.WaitForExit();
            deadline.Record("boot " + cmdline);
            lock (output) return new HvBoot { ExitCode = p.ExitCode, Log = output.ToString() };
        }
    }
}
