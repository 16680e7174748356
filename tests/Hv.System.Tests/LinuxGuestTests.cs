using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// Debian's unmodified 6.1 kernel (the ISO's <c>linux</c> template) in Bochs, driven through the module in the real
    /// PowerShell engine: a Linux VM booting beside the template's priming VM and a NASM guest, its shell answering
    /// commands over its console, the timer interrupt counting, <c>poweroff</c> stopping it with the guest's own reason;
    /// then five clones of the primed template, each at a ready shell.
    /// </summary>
    /// <summary>A host that primes the linux template in the background from boot (hv.prime=linux).</summary>
    public sealed class PrimingLinuxHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start(cmdline: "hv.prime=linux");
        public void Dispose() => Host.Dispose();
    }

    public class LinuxGuestTests : IClassFixture<PrimingLinuxHostFixture>, IDisposable
    {
        private const string Prompt = "hv-linux:/# ";
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public LinuxGuestTests(PrimingLinuxHostFixture fixture)
        {
            _host = fixture.Host;
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            _ps.Run("$h = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600", _host.Port, _host.KeyHex).NoErrors();
        }

        public void Dispose() => _ps.Dispose();

        // Types a command line and waits for the marker the shell computes after it (the echoed input shows "$((...))",
        // not the number), then gives the console text between the two markers.
        private string Run(string vm, string command, int n)
        {
            _ps.Run(@"Send-HvVmConsole -Server $h -Name $args[0] -Text ('echo B' + $args[2] + '-$((1+' + $args[2] + ')); ' + $args[1] + '; echo E' + $args[2] + '-$((2+' + $args[2] + '))') -Confirm:$false
                      Get-HvVm -Server $h -Name $args[0] | Wait-HvVm -ConsolePattern ('E' + $args[2] + '-' + (2 + $args[2]) + '\r?\n') -Timeout 3600 | Out-Null",
                    vm, command, n).NoErrors();
            string console = string.Concat(_ps.Run("Get-HvVm -Server $h -Name $args[0] | Get-HvVmConsole -Raw", vm).NoErrors().Output.Select(o => o.ToString()));
            Match m = Regex.Match(console, $@"B{n}-{1 + n}\r?\n(.*)E{n}-{2 + n}\r?\n", RegexOptions.Singleline);
            Assert.True(m.Success, console);
            return m.Groups[1].Value;
        }

        private static long LocalTimerInterrupts(string interrupts)
        {
            Match m = Regex.Match(interrupts, @"LOC:\s+(\d+)");
            Assert.True(m.Success, interrupts);
            return long.Parse(m.Groups[1].Value);
        }

        [Fact]
        public void A_linux_vm_boots_to_a_shell_beside_another_and_a_nasm_guest_and_poweroff_stops_it()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(3600));
            // 192 MiB is not the template's size, so this VM boots the kernel from the start (no clone of the primed
            // template), while the template's priming VM boots beside it and the ticker takes its turns.
            _ps.Run(@"New-HvVm -Server $h -Template linux -Name lx -MemoryMB 192 -Start | Out-Null
                      New-HvVm -Server $h -Template ticker -Name tick -Start | Out-Null
                      Get-HvVm -Server $h -Name lx | Wait-HvVm -ConsolePattern $args[0] -Timeout 3600 | Out-Null", Regex.Escape(Prompt)).NoErrors();

            Assert.StartsWith("6.1.", Run("lx", "uname -r", 1).Trim());
            long first = LocalTimerInterrupts(Run("lx", "cat /proc/interrupts", 2));
            Run("lx", "sleep 1", 3);
            long second = LocalTimerInterrupts(Run("lx", "cat /proc/interrupts", 4));
            Assert.True(second > first, $"the timer count did not grow: {first} then {second}");
            _host.WaitForLog("[tick] tick 3", TimeSpan.FromSeconds(600));

            _ps.Run(@"Send-HvVmConsole -Server $h -Name lx -Text 'poweroff' -Confirm:$false
                      Get-HvVm -Server $h -Name lx | Wait-HvVm -State Stopped -Timeout 3600 | Out-Null").NoErrors();
            var stopped = _ps.Run("Get-HvVm -Server $h -Name lx").NoErrors().Of("HvVm").Single();
            Assert.Equal("GuestPowerOff", stopped.StopReason.ToString());
            _host.WaitForLog("(lx) stopped: guest power-off", TimeSpan.FromSeconds(60));
            _ps.Run("Stop-HvVm -Server $h -Name tick -TurnOff -Force; Get-HvVm -Server $h -Name lx, tick | Remove-HvVm -Force").NoErrors();
        }

        [Fact]
        public void Clones_of_the_primed_template_answer_at_once_each_on_its_own()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(3600));
            _host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            var clones = _ps.Run("New-HvVm -Server $h -Template linux -Name c -Count 5 -Start").NoErrors().Of("HvVm");
            Assert.Equal(5, clones.Count());
            Assert.Equal(5, clones.Select(c => (uint)c.Id).Distinct().Count());
            for (int i = 1; i <= 5; i++)
            {
                // Each starts at the shell prompt: the first thing it sees is the command.
                Assert.Equal($"clone {i}", Run($"c-{i}", $"echo clone {i}", 10 + i).Trim());
            }

            // A clone turned off does not disturb the others.
            _ps.Run("Stop-HvVm -Server $h -Name c-1 -TurnOff -Force").NoErrors();
            Assert.Equal("Forced", _ps.Run("Get-HvVm -Server $h -Name c-1").NoErrors().Of("HvVm").Single().StopReason.ToString());
            Assert.Equal("still here", Run("c-2", "echo still here", 20).Trim());
            _ps.Run("Get-HvVm -Server $h -Name c-* | Remove-HvVm -Force").NoErrors();
        }
    }
}
