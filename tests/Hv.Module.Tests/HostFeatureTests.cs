using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// Templates over the channel, clones, snapshots, export/import and moves against the real hypervisor and
    /// its adapter and server (in process, scripted CPU), over real sockets.
    /// </summary>
    public sealed class HostFeatureTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly InProcessHost _other = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();
        private readonly string _dir = Directory.CreateTempSubdirectory("hv-host-").FullName;

        public HostFeatureTests()
        {
            _ps.Run(@"$h = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 5
                      $h2 = Connect-HvHost 127.0.0.1 $args[2] -Key $args[3] -TimeoutSec 5 -NotDefault
                      $d = $args[4]", _host.Port, _host.KeyText, _other.Port, _other.KeyText, _dir).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
            _other.Dispose();
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        private string Program(string name, string text)
        {
            string path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, ScriptedProcessor.Program(text));
            return path;
        }

        [Fact]
        public void An_uploaded_template_makes_clones_that_run()
        {
            Program("up.bin", "say uploaded guest\nexit 7");
            var t = Assert.Single(_ps.Run("New-HvTemplate uploaded $d/up.bin -EntryMode Real -MemoryMB 1").NoErrors().Of("HvTemplate"));
            Assert.Equal("uploaded", t.Name);
            Assert.Equal(1u, t.MemoryMB);
            Assert.Contains(_ps.Run("Get-HvTemplate").NoErrors().Of("HvTemplate"), x => x.Name == "uploaded");
            var vms = _ps.Run("New-HvVm up -Template uploaded -Count 3 -Start | Wait-HvVm -Timeout 20 -PassThru").NoErrors().Of("HvVm");
            // -PassThru returns each VM as it stops, so the order is the order of completion.
            Assert.Equal(new[] { "up-1", "up-2", "up-3" }, vms.Select(v => (string)v.Name).OrderBy(n => n, StringComparer.Ordinal));
            Assert.All(vms, v => Assert.Equal(7, (int)v.ExitCode));
            Assert.Contains("uploaded guest", Assert.Single(_ps.Run("Get-HvVmConsole up-2").NoErrors().Of("HvVmConsoleOutput")).Text);
            var exists = _ps.Run("New-HvTemplate uploaded $d/up.bin -EntryMode Real -MemoryMB 1");
            Assert.StartsWith("Hv.TemplateExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            _ps.Run("Get-HvVm up-* | Remove-HvVm -Force; Remove-HvTemplate uploaded -Force").NoErrors();
            Assert.DoesNotContain(_ps.Run("Get-HvTemplate").NoErrors().Of("HvTemplate"), x => x.Name == "uploaded");
        }

        [Fact]
        public void Count_clones_are_all_or_none()
        {
            _ps.Run("New-HvVm c-2 -Template spin").NoErrors();
            var r = _ps.Run("New-HvVm c -Template spin -Count 4");
            Assert.StartsWith("Hv.VmExists,", Assert.Single(r.Errors).FullyQualifiedErrorId);
            Assert.Equal(new[] { "c-2" }, _ps.Run("Get-HvVm").NoErrors().Of("HvVm").Select(v => (string)v.Name));
        }

        [Fact]
        public void Snapshots_of_a_running_vm_restore_it_paused()
        {
            _ps.Run("New-HvVm s -Template spin -Start").NoErrors();
            var snap = Assert.Single(_ps.Run("Checkpoint-HvVm s -SnapshotName base").NoErrors().Of("HvVmSnapshot"));
            Assert.Equal("base", snap.Name);
            Assert.Equal("Running", (string)Assert.Single(_ps.Run("Get-HvVm s").NoErrors().Of("HvVm")).State.ToString());
            Assert.Single(_ps.Run("Get-HvVmSnapshot s").NoErrors().Of("HvVmSnapshot"));
            var restored = Assert.Single(_ps.Run("Restore-HvVmSnapshot -VMName s -Name base -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)restored.State.ToString());
            _ps.Run("Resume-HvVm s; Get-HvVmSnapshot s | Remove-HvVmSnapshot -Force").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVmSnapshot s").NoErrors().Output);
            _ps.Run("Stop-HvVm s -TurnOff -Force").NoErrors();
        }

        [Fact]
        public void A_copy_of_a_paused_vm_runs_and_shares_pages()
        {
            _ps.Run("New-HvVm src -Template spin -Start; Wait-HvVm src -ConsolePattern spinning -Timeout 10; Suspend-HvVm src").NoErrors();
            var copy = Assert.Single(_ps.Run("Copy-HvVm -VMName src -Name dup").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)copy.State.ToString());
            _ps.Run("Resume-HvVm dup").NoErrors();
            var m = Assert.Single(_ps.Run("Measure-HvVm dup").NoErrors().Of("HvVmMetrics"));
            Assert.NotNull((ulong?)m.SharedPages);
            Assert.True((ulong)m.SharedPages > 0, "a fresh copy shares its source's pages");
            _ps.Run("Get-HvVm | Stop-HvVm -TurnOff -Force").NoErrors();
        }

        [Fact]
        public void Export_import_and_move_between_two_hosts()
        {
            _ps.Run("New-HvVm mover -Template spin -Start; Wait-HvVm mover -ConsolePattern spinning -Timeout 10").NoErrors();
            var file = Assert.Single(_ps.Run("Export-HvVm mover -Path $d/mover.hvvm -PassThru").NoErrors().Output.Select(o => o.BaseObject).OfType<FileInfo>());
            Assert.True(file.Length > 4096);
            Assert.Equal("Running", (string)Assert.Single(_ps.Run("Get-HvVm mover").NoErrors().Of("HvVm")).State.ToString());
            var imported = Assert.Single(_ps.Run("Import-HvVm $d/mover.hvvm -Server $h2 -Name imported").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)imported.State.ToString());
            _ps.Run("Resume-HvVm imported -Server $h2").NoErrors();

            var moved = Assert.Single(_ps.Run("Move-HvVm mover -Destination $h2 -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("Running", (string)moved.State.ToString());
            Assert.Empty(_ps.Run("Get-HvVm").NoErrors().Output);
            Assert.Equal(new[] { "imported", "mover" }, _ps.Run("Get-HvVm -Server $h2").NoErrors().Of("HvVm").Select(v => (string)v.Name).OrderBy(n => n));
            var clash = _ps.Run("Move-HvVm -VM (Get-HvVm -Server $h2 mover) -Destination $h2 -Force");
            Assert.StartsWith("Hv.SameHost,", Assert.Single(clash.Errors).FullyQualifiedErrorId);
            _ps.Run("Get-HvVm -Server $h2 | Stop-HvVm -TurnOff -Force").NoErrors();
        }
    }
}
