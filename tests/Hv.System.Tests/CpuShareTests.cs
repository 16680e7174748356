using System;
using System.Linq;
using System.Management.Automation;
using Hv.Emulators;
using Hv.Testing;
using Xunit.Abstractions;

namespace Hv.SystemTests
{
    /// <summary>
    /// CPU weight and cap on the real image in Bochs, set with Set-HvVm in the PowerShell engine and measured with
    /// Measure-HvVm: two spinning guests (interrupts off, only the preemption timer takes the CPU back) share the CPU by
    /// their weights, and a capped guest keeps to its cap, also when it is the only one that can run. Each phase waits
    /// for an amount of guest time to pass (host progress), never for wall-clock time.
    /// </summary>
    public class CpuShareTests : IClassFixture<BochsHostFixture>, IDisposable
    {
        // Emulator CPU time per measured phase: some seconds of Bochs time (100 M TSC ticks each) against 20 ms slices.
        private static readonly TimeSpan PhaseTime = TimeSpan.FromSeconds(5);
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();
        private readonly ITestOutputHelper _log;

        public CpuShareTests(BochsHostFixture fixture, ITestOutputHelper log)
        {
            _host = fixture.Host;
            _log = log;
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            _ps.Run("$h = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600", _host.Port, _host.KeyHex).NoErrors();
        }

        public void Dispose() => _ps.Dispose();

        // Guest TSC (ticks) and run time (ms) of two VMs, and the host's uptime (ms), read in one pipeline.
        private sealed record Sample(ulong A, ulong B, double AMs, double BMs, double HostMs);

        private Sample Read(string a, string b)
        {
            var r = _ps.Run(@"$m = Measure-HvVm -Server $h -Name $args[0], $args[1]
                              $x = $m | Where-Object VmName -eq $args[0]; $y = $m | Where-Object VmName -eq $args[1]
                              $x.GuestTsc; $y.GuestTsc; $x.RunTime.TotalMilliseconds; $y.RunTime.TotalMilliseconds
                              (Get-HvHost $h).Uptime.TotalMilliseconds", a, b).NoErrors();
            return new Sample((ulong)r.Output[0].BaseObject, (ulong)r.Output[1].BaseObject, (double)r.Output[2].BaseObject,
                              (double)r.Output[3].BaseObject, (double)r.Output[4].BaseObject);
        }

        // Samples, lets the emulator run for `emulatorTime` of its CPU time with no management traffic (requests make the
        // host serve the line in short slices, which would eat the guests' time), samples again. The guests must have run
        // at least `minTicks` between the samples for the shares to mean something.
        private (Sample start, Sample end) Phase(string a, string b, TimeSpan emulatorTime, ulong minTicks)
        {
            Sample start = Read(a, b);
            TimeSpan until = _host.Clock.Now + emulatorTime;
            _host.WaitUntil(() => _host.Clock.Now >= until, emulatorTime * 3, $"{emulatorTime.TotalSeconds} s of emulator time");
            Sample end = Read(a, b);
            Assert.True((end.A - start.A) + (end.B - start.B) >= minTicks, $"the guests ran only {(end.A - start.A) + (end.B - start.B)} ticks");
            return (start, end);
        }

        [Fact]
        public void Weights_share_the_cpu_1_to_3_and_a_25_percent_cap_holds()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(1200));
            _ps.Run(@"New-HvVm -Server $h -Template spin -Name light, heavy | Out-Null
                      Set-HvVm -Server $h -Name light -CpuWeight 100
                      Set-HvVm -Server $h -Name heavy -CpuWeight 300
                      Start-HvVm -Server $h -Name light, heavy").NoErrors();
            _host.WaitForLog("[heavy] spin start", TimeSpan.FromSeconds(60));
            _host.WaitForLog("[light] spin start", TimeSpan.FromSeconds(60));
            var shown = _ps.Run("Get-HvVm -Server $h -Name heavy").NoErrors().Of("HvVm").Single();
            Assert.Equal(300u, (uint?)shown.CpuWeight);

            // Weights 1:3, both busy.
            var (s, e) = Phase("light", "heavy", PhaseTime, 100_000_000);
            double ratio = (double)(e.B - s.B) / (e.A - s.A);
            _log.WriteLine($"weights 100:300: light {e.A - s.A} ticks, heavy {e.B - s.B} ticks, heavy/light {ratio:F3}");
            Assert.InRange(ratio, 3 * 0.9, 3 * 1.1);

            // A 25% cap on the heavier VM: it gets a quarter of the host's time and no more, the lighter one the rest.
            _ps.Run("Set-HvVm -Server $h -Name heavy -CpuCapPercent 25").NoErrors();
            (s, e) = Phase("light", "heavy", PhaseTime, 50_000_000);
            double host = e.HostMs - s.HostMs, heavy = (e.BMs - s.BMs) / host, light = (e.AMs - s.AMs) / host;
            _log.WriteLine($"heavy capped at 25% beside light: heavy {heavy:P1}, light {light:P1} of {host} ms of host time");
            Assert.InRange(heavy, 0.22, 0.27);
            Assert.True(light > 0.6, $"light got {light:P1}");

            // Alone, the capped VM still keeps to its cap of the host's time (the host polls idle the rest).
            _ps.Run("Stop-HvVm -Server $h -Name light -TurnOff -Force").NoErrors();
            (s, e) = Phase("light", "heavy", PhaseTime, 25_000_000);
            host = e.HostMs - s.HostMs;
            heavy = (e.BMs - s.BMs) / host;
            _log.WriteLine($"heavy alone, capped at 25%: {heavy:P1} of {host} ms of host time");
            Assert.InRange(heavy, 0.22, 0.27);

            _ps.Run("Get-HvVm -Server $h -Name light, heavy | Remove-HvVm -Force").NoErrors();
        }

        [Fact]
        public void Set_HvVm_changes_memory_of_a_stopped_vm_for_its_next_start_and_refuses_what_it_cannot_do()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(600));
            _ps.Run("New-HvVm -Server $h -Template spin -Name grow -Start | Out-Null").NoErrors();
            _host.WaitForLog("[grow] spin start", TimeSpan.FromSeconds(60));
            var running = _ps.Run("Set-HvVm -Server $h -Name grow -MemoryMB 2");
            Assert.Equal(ErrorCategory.InvalidOperation, Assert.Single(running.Errors).CategoryInfo.Category);
            var cpus = _ps.Run("Set-HvVm -Server $h -Name grow -ProcessorCount 2");
            ErrorRecord refused = Assert.Single(cpus.Errors);
            Assert.Equal(ErrorCategory.InvalidArgument, refused.CategoryInfo.Category); // spin is bare: no APICs
            Assert.Contains("processor count", refused.ToString());
            _ps.Run(@"Stop-HvVm -Server $h -Name grow -TurnOff -Force
                      Set-HvVm -Server $h -Name grow -MemoryMB 2 -Notes 'grown to 2 MB'
                      Start-HvVm -Server $h -Name grow").NoErrors();
            _host.WaitForLog("[grow] spin start", 2, TimeSpan.FromSeconds(60));
            var grown = _ps.Run("Get-HvVm -Server $h -Name grow -Detailed").NoErrors().Of("HvVm").Single();
            Assert.Equal("Running", grown.State.ToString());
            Assert.Equal(2u, (uint)grown.MemoryMB);
            Assert.Equal("grown to 2 MB", (string)grown.Notes);
            _ps.Run("Get-HvVm -Server $h -Name grow | Remove-HvVm -Force").NoErrors();
        }
    }
}
