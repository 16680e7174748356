using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>What a test guest promises in its header (guests/README.md): console lines, exit code or stop reason.</summary>
    public sealed class GuestExpectations
    {
        public string Name { get; init; } = "";
        public string[] Lines { get; init; } = Array.Empty<string>();
        public int? ExitCode { get; init; }
        public string Stop { get; init; } = "";

        public static GuestExpectations Load(string name)
        {
            string[] header = File.ReadAllLines(Path.Combine(HvBoot.RepositoryRoot, "guests", name + ".asm"))
                .TakeWhile(l => l.StartsWith(";")).ToArray();
            string Value(string line, string key) => line.Substring(line.IndexOf(key, StringComparison.Ordinal) + key.Length).Trim();
            return new GuestExpectations
            {
                Name = name,
                Lines = header.Where(l => l.StartsWith("; expect: ")).Select(l => Value(l, "; expect:")).ToArray(),
                ExitCode = header.Where(l => l.StartsWith("; expect-exit:")).Select(l => (int?)int.Parse(Value(l, "; expect-exit:"))).FirstOrDefault(),
                Stop = header.Where(l => l.StartsWith("; expect-stop:")).Select(l => Value(l, "; expect-stop:").Split(' ')[0]).FirstOrDefault() ?? "",
            };
        }

        /// <summary>The log text the hypervisor writes when it stops a VM for this guest's expected reason.</summary>
        public string StopLogText => Stop switch
        {
            "ept-violation" => "stopped: ept-violation at GPA",
            "triple-fault" => "stopped: triple fault",
            "none" => "stopped: turned off by the host",
            _ => throw new InvalidOperationException($"unknown expect-stop '{Stop}' in {Name}.asm"),
        };

        /// <summary>Checks this guest's lines in a log where its VM is called <paramref name="vmName"/>.</summary>
        public void AssertIn(string log, string vmName)
        {
            string prefix = $"[{vmName}] ";
            List<string> console = log.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(prefix))
                .Select(l => l.Substring(prefix.Length)).ToList();
            int at = 0;
            foreach (string expected in Lines)
            {
                int found = console.FindIndex(at, l => l.StartsWith(expected, StringComparison.Ordinal));
                Xunit.Assert.True(found >= 0, $"{vmName}: no console line starting \"{expected}\" (in order). Console:\n{string.Join("\n", console)}");
                at = found + 1;
            }
            Xunit.Assert.DoesNotContain(console, l => l.Contains("FAIL"));
            string stopLine = log.Split('\n').FirstOrDefault(l => l.Contains($"({vmName}) stopped:")) ?? "";
            if (ExitCode.HasValue)
                Xunit.Assert.Matches($@"\({vmName}\) stopped: (debug-exit|guest exit hypercall), exit code {ExitCode}\b", stopLine);
            else
                Xunit.Assert.Contains(StopLogText, stopLine);
        }
    }
}
