using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Testing;
using Xunit.Abstractions;

namespace Hv.Module.Tests
{
    /// <summary>
    /// tools/demo.ps1 and tools/bench-module.ps1 through hv-script's runner (its Program.Main, in process: the same
    /// hosted engine, PSHost and format rendering as tools/hv-script), and the help file against its markdown.
    /// </summary>
    [Collection("Console")] // Console.SetOut is process-wide
    public sealed class ScriptTests
    {
        private static readonly object ConsoleLock = new object();
        private readonly ITestOutputHelper _log;

        public ScriptTests(ITestOutputHelper log)
        {
            _log = log;
        }

        private (int Code, string Out, string Err) HvScript(params string[] args)
        {
            lock (ConsoleLock)
            {
                TextWriter oldOut = Console.Out, oldErr = Console.Error;
                var stdout = new StringWriter();
                var stderr = new StringWriter();
                Console.SetOut(stdout);
                Console.SetError(stderr);
                try
                {
                    int code = Hv.Script.Program.Main(new[] { "--module", ModuleBuild.Manifest, "--width", "150" }.Concat(args).ToArray());
                    return (code, stdout.ToString(), stderr.ToString());
                }
                finally
                {
                    Console.SetOut(oldOut);
                    Console.SetError(oldErr);
                }
            }
        }

        private static string Tool(string name) => Path.Combine(ModuleBuild.RepoRoot, "tools", name);

        [Fact]
        public void The_demo_runs_end_to_end_and_renders_through_the_format_views()
        {
            using var host = InProcessHost.Start();
            // The in-process host has no Linux guest to boot: the demo's Linux part runs against the image (--target=Demo).
            var (code, output, errors) = HvScript(Tool("demo.ps1"), "-Port", host.Port.ToString(), "-Key", host.KeyText, "-NoLinux");
            _log.WriteLine(output);
            _log.WriteLine(errors);
            Assert.True(code == 0, "exit code " + code + "\n" + errors);
            Assert.False(output.Contains('\u001b'), "ANSI escapes in the output"); // plain text when not on a terminal
            string squeezed = Regex.Replace(output, "[ \t]+", " ");
            Assert.Contains("Name Address Version VMs FreeMB TotalMB Uptime Connected", squeezed);
            Assert.Contains("Name MemoryMB CPUs EntryMode Primed ComputerName", squeezed);
            Assert.Contains("Id Name State MemoryMB CPUs Weight Cap% PrivateMB SharedMB StopReason ComputerName", squeezed);
            Assert.Contains("VmName Exits IO EPT HLT CPUID MSR ConsoleOut RunTime PrivateMB SharedMB ComputerName", squeezed);
            foreach (string vm in new[] { "demo1", "demo2", "demo3" })
            {
                Assert.Contains("[" + vm + "] hello from guest 1", output);
                Assert.Contains("[" + vm + "] hello from guest 5", output);
            }
            Assert.Matches(@"demo3\s+Running", output);
            Assert.Matches(@"demo3\s+Stopped\s+\d+\s+\d+\s+\d+\s+([\d.]+\s+[\d.]+\s+)?GuestExit", output);
            Assert.Equal(0, host.WithHypervisor(hv => hv.Vms.Count)); // cleaned up
        }

        [Fact]
        public void The_module_benchmark_prints_its_figures()
        {
            using var host = InProcessHost.Start();
            var (code, output, errors) = HvScript(Tool("bench-module.ps1"), "-Port", host.Port.ToString(), "-Key", host.KeyText, "-Count", "100", "-Repeat", "5");
            _log.WriteLine(output);
            Assert.True(code == 0, "exit code " + code + "\n" + errors + output);
            Assert.Matches(@"(?m)^module_import_ms: \d+ ms$", output);
            Assert.Matches(@"(?m)^get_hvvm_100_ms: [\d.]+ ms$", output);
        }

        [Fact]
        public void Script_arguments_bind_like_pwsh_File_and_errors_set_the_exit_code()
        {
            string script = Path.Combine(Path.GetTempPath(), "hv-script-args-" + Guid.NewGuid().ToString("N") + ".ps1");
            File.WriteAllText(script, "param([int]$N, [switch]$Flag, [string]$S) \"N=$N Flag=$Flag S=$S\"; if ($N -eq 7) { throw 'seven' }");
            try
            {
                var (code, output, _) = HvScript(script, "-N", "3", "-Flag", "-S", "it's");
                Assert.Equal(0, code);
                Assert.Contains("N=3 Flag=True S=it's", output);
                var failed = HvScript(script, "-N:7");
                Assert.Equal(1, failed.Code);
                Assert.Contains("seven", failed.Err);
            }
            finally
            {
                File.Delete(script);
            }
        }

        [Fact]
        public void The_help_file_is_generated_from_the_markdown_and_the_cmdlets()
        {
            string committed = File.ReadAllText(Path.Combine(ModuleBuild.RepoRoot, "module", "en-US", "Hv.dll-Help.xml"));
            string generated = Hv.Script.HelpGenerator.Generate(ModuleBuild.Manifest, Path.Combine(ModuleBuild.RepoRoot, "module", "docs"));
            Assert.True(committed == generated, "module/en-US/Hv.dll-Help.xml is out of date: run tools/update-module-help.sh");
        }
    }
}
