using System;
using System.Linq;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>Set-HvVm in the real PowerShell engine against the real management server and hypervisor (in process).</summary>
    public sealed class SetVmCmdletTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public SetVmCmdletTests()
        {
            _ps.Run("$h = Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
        }

        private static ErrorRecord SingleError(PsResult r, string id, ErrorCategory category)
        {
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
            return e;
        }

        [Fact]
        public void Weight_cap_name_and_notes_change_and_show_in_Get_HvVm()
        {
            _ps.Run("New-HvVm s1, s2 -Template spin | Start-HvVm").NoErrors();
            var fresh = _ps.Run("Get-HvVm s1").NoErrors().Of("HvVm").Single();
            Assert.Equal(100u, (uint?)fresh.CpuWeight);
            Assert.Equal(0u, (uint?)fresh.CpuCapPercent);
            var set = _ps.Run("Get-HvVm s* | Set-HvVm -CpuWeight 300 -CpuCapPercent 25 -PassThru").NoErrors().Of("HvVm");
            Assert.Equal(2, set.Length);
            Assert.All(set, v => { Assert.Equal(300u, (uint?)v.CpuWeight); Assert.Equal(25u, (uint?)v.CpuCapPercent); });
            var measured = _ps.Run("Measure-HvVm s1").NoErrors().Of("HvVmMetrics").Single();
            Assert.Equal((300u, 25u), ((uint)measured.CpuWeight, (uint)measured.CpuCapPercent));
            // A running VM takes weight and cap at once; aliases as in Hyper-V's Set-VMProcessor.
            _ps.Run("Set-HvVm s2 -RelativeWeight 7 -Maximum 0").NoErrors();
            var s2 = _ps.Run("Get-HvVm s2 -Detailed").NoErrors().Of("HvVm").Single();
            Assert.Equal(7u, (uint?)s2.CpuWeight);
            Assert.Equal(0u, (uint?)s2.CpuCapPercent);
            var renamed = _ps.Run("Set-HvVm s2 -NewName renamed -Notes 'spins for the test' -PassThru").NoErrors().Of("HvVm").Single();
            Assert.Equal("renamed", (string)renamed.Name);
            Assert.Equal("spins for the test", (string)renamed.Notes);
            Assert.Empty(_ps.Run("Get-HvVm s2 -ErrorAction SilentlyContinue").Of("HvVm"));
            Assert.Null((string)_ps.Run("Set-HvVm renamed -Notes '' -PassThru").NoErrors().Of("HvVm").Single().Notes);
            // The table view shows weight and cap.
            string table = _ps.Run("Get-HvVm s1 | Out-Default").NoErrors().HostText;
            Assert.Matches(@"s1\s+Running\s+1\s+1\s+300\s+25\s", table);
        }

        [Fact]
        public void Memory_of_a_stopped_vm_takes_effect_at_its_next_start_and_a_running_vm_is_refused()
        {
            _ps.Run("New-HvVm m1 -Template spin -Start").NoErrors();
            var running = _ps.Run("Set-HvVm m1 -MemoryMB 2");
            StringAssert(SingleError(running, "Hv.InvalidState", ErrorCategory.InvalidOperation).ToString(), "stop it first");
            Assert.Equal(1u, (uint)_ps.Run("Get-HvVm m1").NoErrors().Of("HvVm").Single().MemoryMB);
            _ps.Run("Stop-HvVm m1 -TurnOff -Force; Set-HvVm m1 -MemoryMB 2").NoErrors();
            Assert.Equal(2u, (uint)_ps.Run("Get-HvVm m1").NoErrors().Of("HvVm").Single().MemoryMB);
            var started = _ps.Run("Start-HvVm m1 -PassThru").NoErrors().Of("HvVm").Single();
            Assert.Equal("Running", started.State.ToString());
            Assert.Equal(2u, (uint)started.MemoryMB);
            Assert.Equal(2UL << 20, _host.WithHypervisor(hv => hv.FindByName("m1").Memory.Size));
            // A VM created and never started is rebuilt at the new size at once.
            _ps.Run("New-HvVm m2 -Template spin; Set-HvVm m2 -MemoryMB 3").NoErrors();
            Assert.Equal(3UL << 20, _host.WithHypervisor(hv => hv.FindByName("m2").Memory.Size));
            _ps.Run("Start-HvVm m2").NoErrors();
            Assert.True(_host.RunGuests(200) > 0);
            Assert.Equal("Running", _ps.Run("Get-HvVm m2").NoErrors().Of("HvVm").Single().State.ToString());
        }

        [Fact]
        public void A_linux_vm_gets_processors_while_it_is_off_and_an_export_of_several_is_refused()
        {
            _host.AddLinuxTemplate("lx", networkAdapter: false);
            var made = _ps.Run("New-HvVm l1 -Template lx -ProcessorCount 2").NoErrors().Of("HvVm").Single();
            Assert.Equal(2u, (uint)made.ProcessorCount);
            _ps.Run("Set-HvVm l1 -ProcessorCount 3").NoErrors();
            Assert.Equal(3u, (uint)_ps.Run("Get-HvVm l1").NoErrors().Of("HvVm").Single().ProcessorCount);
            Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(_ps.Run("Set-HvVm l1 -ProcessorCount 5").Errors).FullyQualifiedErrorId);
            StringAssert(SingleError(_ps.Run("Export-HvVm l1 -Path ([IO.Path]::Combine([IO.Path]::GetTempPath(), [Guid]::NewGuid().ToString() + '.hvvm'))"), "Hv.Unsupported", ErrorCategory.NotImplemented).ToString(), "several processors");
            _ps.Run("Checkpoint-HvVm l1 -SnapshotName three").NoErrors(); // snapshots carry every vCPU
            _ps.Run("Set-HvVm l1 -ProcessorCount 1").NoErrors();
            // The snapshot is of a three-processor machine: restoring it into one of one processor is refused.
            Assert.Single(_ps.Run("Restore-HvVmSnapshot -VMName l1 -Name three -Force").Errors);
            _ps.Run("$p = [IO.Path]::Combine([IO.Path]::GetTempPath(), [Guid]::NewGuid().ToString() + '.hvvm'); Export-HvVm l1 -Path $p; [IO.File]::Delete($p)").NoErrors();
        }

        [Fact]
        public void Bad_values_are_refused_clearly_and_change_nothing()
        {
            _ps.Run("New-HvVm b1, b2 -Template spin").NoErrors();
            var cpus = _ps.Run("Set-HvVm b1 -ProcessorCount 2 -CpuWeight 500");
            StringAssert(SingleError(cpus, "Hv.InvalidArgument", ErrorCategory.InvalidArgument).ToString(), "processor count"); // spin has no APICs
            Assert.Equal(100u, (uint?)_ps.Run("Get-HvVm b1").NoErrors().Of("HvVm").Single().CpuWeight); // all or none
            _ps.Run("Set-HvVm b1 -ProcessorCount 1").NoErrors();
            foreach (string script in new[] { "Set-HvVm b1 -CpuWeight 0", "Set-HvVm b1 -CpuWeight 10001", "Set-HvVm b1 -CpuCapPercent 101", "Set-HvVm b1 -MemoryMB 0" })
            {
                ErrorRecord e = Assert.Single(_ps.Run(script).Errors);
                Assert.StartsWith("ParameterArgumentValidationError,", e.FullyQualifiedErrorId);
            }
            // The host checks too (a client that skips the module's validation).
            using var client = HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", _host.Port), _host.Key, 5000), _host.Key, 5000);
            uint id = (uint)_ps.Run("(Get-HvVm b1).Id").NoErrors().Output.Single().BaseObject;
            Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<HvProtocolException>(() => client.SetVm(id, cpuWeight: 0)).Code);
            Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<HvProtocolException>(() => client.SetVm(id, cpuCapPercent: 101)).Code);
            Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<HvProtocolException>(() => client.SetVm(id, memoryMiB: 4096)).Code);
            SingleError(_ps.Run("Set-HvVm b1 -NewName b2"), "Hv.AlreadyExists", ErrorCategory.ResourceExists);
            SingleError(_ps.Run("Set-HvVm b* -NewName x"), "Hv.OneNameForMany", ErrorCategory.InvalidArgument);
            SingleError(_ps.Run("Set-HvVm b1"), "Hv.NothingToSet", ErrorCategory.InvalidArgument);
            SingleError(_ps.Run("Set-HvVm b1 -Notes ('x' * 256)"), "Hv.TooLarge", ErrorCategory.InvalidArgument);
            // -WhatIf changes nothing.
            _ps.Run("Set-HvVm b1 -CpuWeight 900 -WhatIf").NoErrors();
            var b1 = _ps.Run("Get-HvVm b1 -Detailed").NoErrors().Of("HvVm").Single();
            Assert.Equal(100u, (uint?)b1.CpuWeight);
            Assert.Equal("b1", (string)b1.Name);
            Assert.Null((string)b1.Notes);
        }

        private static void StringAssert(string text, string part) => Assert.Contains(part, text);
    }
}
