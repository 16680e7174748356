using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>The PowerShell module, in the real PowerShell engine, against the real image in Bochs over COM1.</summary>
    public class ModuleEndToEndTests : IClassFixture<BochsHostFixture>, IDisposable
    {
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public ModuleEndToEndTests(BochsHostFixture fixture) { _host = fixture.Host; }

        public void Dispose() => _ps.Dispose();

        [Fact]
        public void The_demo_script_runs_end_to_end()
        {
            // Its Linux part is LinuxGuestTests' (and --target=Demo's): a second Linux boot here would only cost CI time.
            string demo = Path.Combine(HvBoot.RepositoryRoot, "tools", "demo.ps1");
            using var guard = _host.Within(TimeSpan.FromSeconds(300));
            var r = _ps.Run("& $args[0] -SerialPort ('tcp://127.0.0.1:' + $args[1]) -Key $args[2] -TimeoutSec 1800 -NoLinux", demo, _host.Port, _host.KeyHex).NoErrors();
            // The demo renders through Out-Default: its tables land on the host.
            Assert.Contains("hello", r.HostText);
            foreach (string vm in new[] { "demo1", "demo2", "demo3" })
            {
                _host.WaitForLog($"[{vm}] hello from guest 5", TimeSpan.FromSeconds(60));
                Assert.Contains(vm, r.HostText);
            }
            Assert.Contains("hello from guest 5", r.HostText);
            // It cleans up after itself.
            var left = _ps.Run("Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault | Get-HvVm", _host.Port, _host.KeyHex).NoErrors();
            Assert.Empty(left.Output);
        }

        [Fact]
        public void A_wrong_key_is_an_authentication_error()
        {
            string wrong = string.Concat(Enumerable.Repeat("ab", 32));
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            var r = _ps.Run("Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600", _host.Port, wrong);
            Assert.Single(r.Errors);
            Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void A_vm_name_that_does_not_exist_is_object_not_found()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            var r = _ps.Run("$h = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault; Get-HvVm -Server $h -Name no-such-vm", _host.Port, _host.KeyHex);
            Assert.Single(r.Errors);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, r.Errors[0].CategoryInfo.Category);
        }

        [Fact]
        public void An_unreachable_host_is_a_connection_error_within_the_timeout()
        {
            var r = _ps.Run("Connect-HvHost -SerialPort tcp://127.0.0.1:1 -Key $args[0] -NotDefault -TimeoutSec 3", _host.KeyHex);
            Assert.Single(r.Errors);
            Assert.Equal(System.Management.Automation.ErrorCategory.ConnectionError, r.Errors[0].CategoryInfo.Category);
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(10), r.Elapsed.ToString());
        }
    }

    /// <summary>Templates, clones, copies and restarts through the module against the image.</summary>
    public class TemplateModuleEndToEndTests : IClassFixture<BochsHostFixture>, IDisposable
    {
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public TemplateModuleEndToEndTests(BochsHostFixture fixture)
        {
            _host = fixture.Host;
            using var guard = _host.Within(TimeSpan.FromSeconds(60));
            _ps.Run("$h = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600", _host.Port, _host.KeyHex).NoErrors();
        }

        public void Dispose() => _ps.Dispose();

        [Fact]
        public void An_uploaded_template_makes_clones_that_run()
        {
            string image = Path.Combine(HvBoot.RepositoryRoot, "artifacts", "iso-root", "boot", "guests", "hello.bin");
            using var guard = _host.Within(TimeSpan.FromSeconds(600));
            var t = _ps.Run("New-HvTemplate -Server $h -Name greeter -Path $args[0] -EntryMode Real -MemoryMB 1", image).NoErrors();
            Assert.Contains(_ps.Run("Get-HvTemplate -Server $h").NoErrors().Of("HvTemplate"), x => (string)x.Name == "greeter");
            var vms = _ps.Run("New-HvVm -Server $h -Template greeter -Name g -Count 3 -Start").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "g-1", "g-2", "g-3" }, vms.Select(v => (string)v.Name).ToArray());
            _ps.Run("Get-HvVm -Server $h -Name g-* | Wait-HvVm -State Stopped -Timeout 1800 | Out-Null").NoErrors();
            foreach (string name in new[] { "g-1", "g-2", "g-3" }) _host.WaitForLog($"[{name}] hello from guest 5", TimeSpan.FromSeconds(60));
            _ps.Run("Get-HvVm -Server $h -Name g-* | Remove-HvVm -Force; Remove-HvTemplate -Server $h -Name greeter -Force").NoErrors();
        }

        [Fact]
        public void A_paused_vm_is_copied_and_a_stopped_one_restarts_from_its_template()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(600));
            _ps.Run(@"$vm = New-HvVm -Server $h -Template ticker -Name source -Start
                      Wait-HvVm -VM $vm -ConsolePattern 'tick 2 ' -Timeout 1800 | Out-Null
                      Suspend-HvVm -VM $vm
                      $copy = Copy-HvVm -VM $vm -Name copied
                      Resume-HvVm -VM $copy
                      Wait-HvVm -VM $copy -ConsolePattern 'tick' -Timeout 1800 | Out-Null").NoErrors();
            _host.WaitForLog("[copied] tick", TimeSpan.FromSeconds(120));
            _ps.Run("Get-HvVm -Server $h -Name source, copied | Remove-HvVm -Force").NoErrors();

            _ps.Run(@"$once = New-HvVm -Server $h -Template hello -Name twice -Start
                      Wait-HvVm -VM $once -State Stopped -Timeout 1800 | Out-Null
                      Restart-HvVm -VM $once -Force
                      Wait-HvVm -VM $once -State Stopped -Timeout 1800 | Out-Null").NoErrors();
            _host.WaitForLog("[twice] hello from guest 5", 2, TimeSpan.FromSeconds(60));
            _ps.Run("Get-HvVm -Server $h -Name twice | Remove-HvVm -Force").NoErrors();
        }
    }

    /// <summary>A fleet of two emulated hosts driven from one script.</summary>
    public class FleetEndToEndTests
    {
        [Fact]
        public void Get_HvVm_fans_out_over_two_bochs_hosts()
        {
            using var one = RunningHost.Start();
            using var two = RunningHost.Start();
            using var guardOne = one.Within(TimeSpan.FromSeconds(300));
            using var guardTwo = two.Within(TimeSpan.FromSeconds(300));
            using var ps = new PsSession();
            ps.Run(@"$h1 = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[0]) -Key $args[1] -NotDefault -TimeoutSec 600
                     $h2 = Connect-HvHost -SerialPort ('tcp://127.0.0.1:' + $args[2]) -Key $args[3] -NotDefault -TimeoutSec 600
                     New-HvVm -Server $h1 -Template hello -Name east1, east2 -Start | Out-Null
                     New-HvVm -Server $h2 -Template hello -Name west1 -Start | Out-Null",
                one.Port, one.KeyHex, two.Port, two.KeyHex).NoErrors();
            var vms = ps.Run("Get-HvVm -Server $h1, $h2").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "east1", "east2", "west1" }, vms.Select(v => (string)v.Name).ToArray());
            Assert.Equal(new[] { "tcp://127.0.0.1:" + one.Port, "tcp://127.0.0.1:" + one.Port, "tcp://127.0.0.1:" + two.Port },
                         vms.Select(v => (string)v.Server.SerialPort).ToArray());
            ps.Run("Get-HvVm -Server $h1, $h2 | Wait-HvVm -State Stopped -Timeout 1800 | Out-Null").NoErrors();
            one.WaitForLog("[east2] hello from guest 5", TimeSpan.FromSeconds(60));
            two.WaitForLog("[west1] hello from guest 5", TimeSpan.FromSeconds(60));
        }
    }
}
