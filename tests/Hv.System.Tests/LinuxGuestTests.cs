using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// Debian's unmodified 6.1 kernel (the ISO's <c>linux</c> template) in Bochs, driven through the module in the real
    /// PowerShell engine: two Linux VMs and a NASM guest at once, each Linux shell answering commands over its console,
    /// the timer interrupt counting, and <c>poweroff</c> stopping the VM with the guest's own reason.
    /// </summary>
    public class LinuxGuestTests : IClassFixture<BochsHostFixture>, IDisposable
    {
        private const string Prompt = "hv-linux:/# ";
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public LinuxGuestTests(BochsHostFixture fixture)
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
        public void Two_linux_vms_and_a_nasm_guest_each_keep_working_and_poweroff_stops_with_the_guests_reason()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(3600));
            _ps.Run(@"New-HvVm -Server $h -Template linux -Name lx1, lx2 -Start | Out-Null
                      New-HvVm -Server $h -Template ticker -Name tick -Start | Out-Null
                      Get-HvVm -Server $h -Name lx1, lx2 | Wait-HvVm -ConsolePattern $args[0] -Timeout 3600 | Out-Null", Regex.Escape(Prompt)).NoErrors();

            Assert.StartsWith("6.1.", Run("lx1", "uname -r", 1).Trim());
            Assert.StartsWith("6.1.", Run("lx2", "uname -r", 1).Trim());
            long first = LocalTimerInterrupts(Run("lx1", "cat /proc/interrupts", 2));
            Run("lx1", "sleep 1", 3);
            long second = LocalTimerInterrupts(Run("lx1", "cat /proc/interrupts", 4));
            Assert.True(second > first, $"the timer count did not grow: {first} then {second}");
            // The NASM guest kept its turns meanwhile.
            _host.WaitForLog("[tick] tick 3", TimeSpan.FromSeconds(600));

            _ps.Run(@"Send-HvVmConsole -Server $h -Name lx1 -Text 'poweroff' -Confirm:$false
                      Get-HvVm -Server $h -Name lx1 | Wait-HvVm -State Stopped -Timeout 3600 | Out-Null").NoErrors();
            var stopped = _ps.Run("Get-HvVm -Server $h -Name lx1").NoErrors().Of("HvVm").Single();
            Assert.Equal("GuestPowerOff", stopped.StopReason.ToString());
            _host.WaitForLog("(lx1) stopped: guest power-off", TimeSpan.FromSeconds(60));

            // The other Linux VM is untouched by its neighbour's power-off.
            Assert.Equal("hello", Run("lx2", "echo hello", 5).Trim());

            // Stop-HvVm without -TurnOff presses the ACPI power button: Linux shuts down by itself.
            _ps.Run("Stop-HvVm -Server $h -Name lx2 -Force -TimeoutSec 3600").NoErrors();
            var shut = _ps.Run("Get-HvVm -Server $h -Name lx2").NoErrors().Of("HvVm").Single();
            Assert.Equal("Requested", shut.StopReason.ToString());
            _host.WaitForLog("(lx2) stopped: stopped on request", TimeSpan.FromSeconds(60));
            Assert.Contains("reboot: Power down", _host.Log);
            _ps.Run("Stop-HvVm -Server $h -Name tick -TurnOff -Force; Get-HvVm -Server $h -Name lx1, lx2, tick | Remove-HvVm -Force").NoErrors();
        }
    }
}
