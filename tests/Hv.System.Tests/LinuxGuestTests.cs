using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// Debian's unmodified 6.1 kernel (the ISO's <c>linux</c> template) in Bochs, driven through the module in the real
    /// PowerShell engine. The kernel boots once, from its first instruction to the shell prompt, as the template's
    /// priming VM (hv.prime=linux; the host logs what the boot cost); every Linux VM of the tests is a clone of that
    /// primed template, so CI pays for one boot: two Linux VMs and a NASM guest running at once, each shell answering
    /// over its console, the timer interrupt counting, <c>poweroff</c> stopping a VM with the guest's own reason,
    /// <c>reboot</c> starting one again; then five clones, each at a ready shell, one shut down through its ACPI power
    /// button, one turned off.
    /// </summary>
    [Collection(PrimedLinuxHost.Name)]
    public class LinuxGuestTests : PrimedLinuxTest
    {
        public LinuxGuestTests(PrimingLinuxHostFixture fixture) : base(fixture) { }

        private static long LocalTimerInterrupts(string interrupts)
        {
            Match m = Regex.Match(interrupts, @"LOC:\s+(\d+)");
            Assert.True(m.Success, interrupts);
            return long.Parse(m.Groups[1].Value);
        }

        [Fact]
        public void Two_linux_vms_and_a_nasm_guest_run_at_once_poweroff_stops_one_and_reboot_restarts_the_other()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            // The kernel's own boot, from its first instruction to the prompt, is the priming VM's.
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Assert.Matches(@"\[priming-linux\] \[\s*0\.000000\] Linux version 6\.1\.", Host.Log);
            Shell.Ps.Run(@"New-HvVm -Server $h -Template linux -Name lx -Count 2 -Start | Out-Null
                      New-HvVm -Server $h -Template ticker -Name tick -Start | Out-Null").NoErrors();

            Assert.StartsWith("6.1.", Run("lx-1", "uname -r", 1).Trim());
            long first = LocalTimerInterrupts(Run("lx-2", "cat /proc/interrupts", 2));
            Assert.StartsWith("6.1.", Run("lx-1", "uname -r", 3).Trim());
            long second = LocalTimerInterrupts(Run("lx-2", "sleep 1; cat /proc/interrupts", 4));
            Assert.True(second > first, $"the timer count did not grow: {first} then {second}");
            Host.WaitForLog("[tick] tick 3", TimeSpan.FromSeconds(600));

            Shell.Ps.Run(@"Send-HvVmConsole -Server $h -Name lx-1 -Text 'poweroff' -Confirm:$false
                      Get-HvVm -Server $h -Name lx-1 | Wait-HvVm -State Stopped -Timeout 3600 | Out-Null").NoErrors();
            var stopped = Shell.Ps.Run("Get-HvVm -Server $h -Name lx-1").NoErrors().Of("HvVm").Single();
            Assert.Equal("GuestPowerOff", stopped.StopReason.ToString());
            Host.WaitForLog("(lx-1) stopped: guest power-off", TimeSpan.FromSeconds(60));
            Assert.Equal("still here", Run("lx-2", "echo still here", 5).Trim());

            // reboot resets the machine through the 8042; the host starts the VM again from its template, as a PC restarts.
            Shell.Ps.Run("Send-HvVmConsole -Server $h -Name lx-2 -Text 'reboot' -Confirm:$false").NoErrors();
            Host.WaitForLog("(lx-2) stopped: guest reset", TimeSpan.FromSeconds(3600));
            Host.WaitForLog("restarted after the guest's reset", TimeSpan.FromSeconds(60));
            Assert.Equal("back again", Run("lx-2", "echo back again", 6).Trim());
            // It continues at the template's own TSC: no time passes at once for it (the host's TSC had run on since
            // the priming, and Linux reported an RCU stall of that length when it saw it).
            Assert.DoesNotContain("detected stall", Shell.Console("lx-2"));
            Shell.Ps.Run("Stop-HvVm -Server $h -Name tick -TurnOff -Force; Stop-HvVm -Server $h -Name lx-2 -TurnOff -Force; Get-HvVm -Server $h -Name lx-*, tick | Remove-HvVm -Force").NoErrors();
        }

        [Fact]
        public void Clones_of_the_primed_template_answer_at_once_each_on_its_own()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            var clones = Shell.Ps.Run("New-HvVm -Server $h -Template linux -Name c -Count 5 -Start").NoErrors().Of("HvVm");
            Assert.Equal(5, clones.Count());
            Assert.Equal(5, clones.Select(c => (uint)c.Id).Distinct().Count());
            for (int i = 1; i <= 5; i++)
            {
                // Each starts at the shell prompt: the first thing it sees is the command.
                Assert.Equal($"clone {i}", Run($"c-{i}", $"echo clone {i}", 10 + i).Trim());
            }

            // Stop-HvVm presses a clone's ACPI power button and Linux powers off in time; another clone is turned off;
            // neither disturbs the others.
            Shell.Ps.Run("Stop-HvVm -Server $h -Name c-1 -Force -TimeoutSec 3600").NoErrors();
            Assert.Equal("Requested", Shell.Ps.Run("Get-HvVm -Server $h -Name c-1").NoErrors().Of("HvVm").Single().StopReason.ToString());
            Assert.Contains("reboot: Power down", Shell.Console("c-1"));
            Shell.Ps.Run("Stop-HvVm -Server $h -Name c-2 -TurnOff -Force").NoErrors();
            Assert.Equal("Forced", Shell.Ps.Run("Get-HvVm -Server $h -Name c-2").NoErrors().Of("HvVm").Single().StopReason.ToString());
            Assert.Equal("still here", Run("c-3", "echo still here", 20).Trim());
            // A clone's TSC_ADJUST is what its guest made it, whatever offset the host gave the clone (Linux checks it
            // while idle, and "restoring" it would move the clone's clock).
            Assert.DoesNotContain("TSC ADJUST differs", Shell.Console("c-3"));
            Shell.Ps.Run("Get-HvVm -Server $h -Name c-* | Remove-HvVm -Force").NoErrors();
        }
    }
}
