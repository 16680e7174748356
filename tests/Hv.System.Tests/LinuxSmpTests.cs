using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>A host without priming: a VM with several processors boots the template's image afresh anyway.</summary>
    public sealed class PlainLinuxHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start();
        public void Dispose() => Host.Dispose();
    }

    /// <summary>
    /// Debian's unmodified 6.1 kernel in a VM of two processors: it finds both in the MADT, starts the second with
    /// INIT/STARTUP IPIs, and both take timer interrupts and run work (two busy loops, each pinned with taskset); a
    /// snapshot brings both back; poweroff parks the second CPU and switches the machine off.
    /// </summary>
    public class LinuxSmpTests : IClassFixture<PlainLinuxHostFixture>, IDisposable
    {
        private readonly RunningHost _host;
        private readonly LinuxShell _shell;

        public LinuxSmpTests(PlainLinuxHostFixture fixture)
        {
            _host = fixture.Host;
            _shell = new LinuxShell(_host);
        }

        public void Dispose() => _shell.Dispose();

        // The per-CPU counts of a /proc/interrupts line (e.g. "LOC:"), or of a /proc/stat "cpuN" line's user time.
        private static long[] Counts(string text, string label, int columns)
        {
            Match m = Regex.Match(text, "^\\s*" + Regex.Escape(label) + "\\s+" + string.Concat(Enumerable.Repeat(@"(\d+)\s+", columns)), RegexOptions.Multiline);
            Assert.True(m.Success, text);
            return Enumerable.Range(1, columns).Select(i => long.Parse(m.Groups[i].Value)).ToArray();
        }

        private static long UserTime(string stat, int cpu) => Counts(stat, "cpu" + cpu, 1)[0];

        [Fact]
        public void A_linux_vm_set_to_two_processors_brings_both_online_and_runs_work_on_each()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(3600));
            _shell.Ps.Run(@"New-HvVm -Server $h -Template linux -Name smp | Out-Null
                            Set-HvVm -Server $h -Name smp -ProcessorCount 2
                            Start-HvVm -Server $h -Name smp").NoErrors();
            var booted = _shell.Ps.Run("Get-HvVm -Server $h -Name smp | Wait-HvVm -ConsolePattern 'hv-linux:/# ' -Timeout 3600 | Out-Null");
            // A boot that does not reach the prompt says how far it came.
            Assert.True(booted.Errors.Count == 0, booted.ErrorText + "\n" + _shell.Console("smp") + "\n" + _host.Log);
            var vm = _shell.Ps.Run("Get-HvVm -Server $h -Name smp").NoErrors().Of("HvVm").Single();
            Assert.Equal(2u, (uint)vm.ProcessorCount);

            Assert.Equal("0-1", _shell.Run("smp", "cat /sys/devices/system/cpu/online", 1).Trim());
            Assert.Equal("2", _shell.Run("smp", "busybox nproc", 2).Trim());
            long[] before = Counts(_shell.Run("smp", "cat /proc/interrupts", 3), "LOC:", 2);
            string stat = _shell.Run("smp", "grep '^cpu[01] ' /proc/stat", 4);
            long user0 = UserTime(stat, 0), user1 = UserTime(stat, 1);

            // Two busy loops, one pinned to each CPU; then both CPUs' timers have ticked on and each spent user time.
            string after = _shell.Run("smp",
                "for c in 0 1; do busybox taskset -c $c sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done' & done; wait; grep '^cpu[01] ' /proc/stat; cat /proc/interrupts", 5);
            long[] ticks = Counts(after, "LOC:", 2);
            Assert.True(ticks[0] > before[0] && ticks[1] > before[1], $"timer interrupts per CPU: {string.Join(",", before)} then {string.Join(",", ticks)}");
            Assert.True(before[1] > 0, "CPU 1 took no timer interrupt");
            Assert.True(UserTime(after, 0) > user0 && UserTime(after, 1) > user1, after);

            // A snapshot carries both vCPUs: restored, the second CPU still runs work. An export holds one vCPU: refused
            // clearly rather than losing the second.
            _shell.Ps.Run("Checkpoint-HvVm -Server $h -Name smp -SnapshotName two | Out-Null").NoErrors();
            Assert.Equal("after", _shell.Run("smp", "echo after", 6).Trim());
            _shell.Ps.Run("Restore-HvVmSnapshot -Server $h -VMName smp -Name two -Force").NoErrors();
            string file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hv-smp-" + Guid.NewGuid().ToString("N") + ".hvvm");
            var refused = _shell.Ps.Run("Export-HvVm -Server $h -Name smp -Path $args[0]", file);
            Assert.Contains("several processors", Assert.Single(refused.Errors).ToString());
            _shell.Ps.Run("Resume-HvVm -Server $h -Name smp").NoErrors();
            Assert.Equal("1", _shell.Run("smp", "busybox taskset -c 1 busybox cut -d' ' -f39 /proc/self/stat", 7).Trim());
            // poweroff stops the second CPU first (it parks, halted with interrupts off), then switches the machine off.
            _shell.Ps.Run(@"Send-HvVmConsole -Server $h -Name smp -Text 'poweroff' -Confirm:$false
                            Get-HvVm -Server $h -Name smp | Wait-HvVm -State Stopped -Timeout 3600 | Out-Null").NoErrors();
            Assert.Equal("GuestPowerOff", _shell.Ps.Run("Get-HvVm -Server $h -Name smp").NoErrors().Of("HvVm").Single().StopReason.ToString());
            _shell.Ps.Run("Get-HvVm -Server $h -Name smp | Remove-HvVm -Force").NoErrors();
        }
    }
}
