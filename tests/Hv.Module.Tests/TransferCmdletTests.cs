using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using Hv.Protocol.Tests;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// The template, clone, snapshot and transfer cmdlets against a scriptable fake host over a real socket: progress,
    /// resume after a dropped line, every step of Move-HvVm failing, and hosts that do not support the operations.
    /// </summary>
    public sealed class TransferCmdletTests : IDisposable
    {
        private readonly FakeTcpHost _a = new FakeTcpHost();
        private readonly FakeTcpHost _b = new FakeTcpHost();
        private readonly PsSession _ps = new PsSession();
        private readonly string _dir = Directory.CreateTempSubdirectory("hv-module-").FullName;

        public TransferCmdletTests()
        {
            _ps.Run(@"$a = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 5
                      $b = Connect-HvHost 127.0.0.1 $args[2] -Key $args[3] -TimeoutSec 5 -NotDefault
                      $d = $args[4]", _a.Port, _a.KeyText, _b.Port, _b.KeyText, _dir).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _a.Dispose();
            _b.Dispose();
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        private string WriteFile(string name, int bytes, int seed = 1)
        {
            var data = new byte[bytes];
            new Random(seed).NextBytes(data);
            string path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, data);
            return path;
        }

        // ---- templates ------------------------------------------------------------------------------------

        [Fact]
        public void New_HvTemplate_uploads_in_chunks_with_progress_and_returns_the_template()
        {
            string file = WriteFile("kernel.elf", 30_000);
            var r = _ps.Run("New-HvTemplate -Name up1 -Path $d/kernel.elf -EntryMode Multiboot -MemoryMB 16 -CommandLine 'console=ttyS0'").NoErrors();
            var t = Assert.Single(r.Of("HvTemplate"));
            Assert.Equal("up1", t.Name);
            Assert.Equal("multiboot", t.EntryMode);
            Assert.Equal(16u, t.MemoryMB);
            Assert.True(t.Uploaded);
            Assert.False(t.Primed);
            var uploaded = _a.With(h => h.Uploaded.Single());
            Assert.Equal(File.ReadAllBytes(file), uploaded.Image);
            Assert.Equal("console=ttyS0", uploaded.CommandLine);
            Assert.Equal(GuestEntryMode.Multiboot, uploaded.Mode);
            var bars = r.Progress.Where(p => p.Activity.StartsWith("Uploading template 'up1' to 127.0.0.1:")).ToList();
            Assert.True(bars.Count >= 2, "progress records: " + bars.Count);
            Assert.Equal(ProgressRecordType.Completed, bars.Last().RecordType);
            Assert.Contains(bars, p => p.StatusDescription == "30 of 30 KiB" && p.PercentComplete == 100);

            var quiet = _ps.Run("$ProgressPreference = 'SilentlyContinue'; New-HvTemplate up2 $d/kernel.elf -EntryMode Real -MemoryMB 1").NoErrors();
            Assert.Empty(quiet.Progress);
            var exists = _ps.Run("New-HvTemplate up2 $d/kernel.elf -EntryMode Real -MemoryMB 1");
            Assert.StartsWith("Hv.TemplateExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, exists.Errors[0].CategoryInfo.Category);
            // -WhatIf sends nothing.
            _ps.Run("New-HvTemplate up3 $d/kernel.elf -EntryMode Real -MemoryMB 1 -WhatIf").NoErrors();
            Assert.Equal(2, _a.With(h => h.Uploaded.Count));
        }

        [Fact]
        public void New_HvTemplate_fans_out_to_several_hosts()
        {
            WriteFile("img.bin", 9000);
            var r = _ps.Run("New-HvTemplate fan $d/img.bin -EntryMode Long -MemoryMB 2 -Server $a, $b").NoErrors();
            Assert.Equal(2, r.Of("HvTemplate").Length);
            Assert.Single(_a.With(h => h.Uploaded));
            Assert.Single(_b.With(h => h.Uploaded));
        }

        [Fact]
        public void New_HvTemplate_survives_a_dropped_line_and_a_rerun_continues_where_the_host_got()
        {
            string file = WriteFile("big.bin", 60_000, 2);
            // One drop: reconnected and resumed within the same run.
            bool dropped = false;
            _a.With(h => h.OnChunk = (t, offset) => { if (offset >= 20_000 && !dropped) { dropped = true; _a.Drop(); } });
            var r = _ps.Run("New-HvTemplate once $d/big.bin -EntryMode Real -MemoryMB 1 -Verbose 4>&1").NoErrors();
            Assert.Single(r.Of("HvTemplate"));
            Assert.Contains(r.Output, o => o.ToString().Contains("recovered from 1 connection failure"));
            Assert.Equal(File.ReadAllBytes(file), _a.With(h => h.Uploaded.Single(t => t.Name == "once").Image));

            // The line keeps dropping: the command gives up, saying how far it got; the same command again finishes it.
            _a.With(h => h.OnChunk = (t, offset) => { if (offset >= 30_000) _a.Drop(); });
            var failed = _ps.Run("New-HvTemplate twice $d/big.bin -EntryMode Real -MemoryMB 1");
            var e = Assert.Single(failed.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Contains("run the same upload again", e.Exception.Message);
            long had = _a.With(h => h.Uploads.Values.Single().Data.Length);
            Assert.True(had >= 30_000);
            _a.With(h => h.OnChunk = null);
            var again = _ps.Run("New-HvTemplate twice $d/big.bin -EntryMode Real -MemoryMB 1 -Verbose 4>&1").NoErrors();
            Assert.Contains(again.Output, o => o.ToString().Contains("Resumed the upload of 'twice'") && o.ToString().Contains("at byte " + had + " of 60000"));
            Assert.Equal(File.ReadAllBytes(file), _a.With(h => h.Uploaded.Single(t => t.Name == "twice").Image));
        }

        [Fact]
        public void Remove_HvTemplate_by_name_or_pipeline_asks_first_and_reports_missing_names()
        {
            WriteFile("t.bin", 100);
            _ps.Run("New-HvTemplate rt1 $d/t.bin -EntryMode Real -MemoryMB 1; New-HvTemplate rt2 $d/t.bin -EntryMode Real -MemoryMB 1").NoErrors();
            var asked = _ps.Run("Remove-HvTemplate rt1");
            Assert.NotEmpty(asked.Errors); // the test host cannot answer the prompt
            _ps.Run("Remove-HvTemplate rt* -WhatIf").NoErrors();
            Assert.Equal(2, _a.With(h => h.Uploaded.Count));
            _ps.Run("Remove-HvTemplate rt1 -Force").NoErrors();
            _ps.Run("Get-HvTemplate rt* | Remove-HvTemplate -Force").NoErrors();
            Assert.Empty(_a.With(h => h.Uploaded));
            var missing = _ps.Run("Remove-HvTemplate nosuch -Force");
            Assert.StartsWith("Hv.TemplateNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
            Assert.Empty(_ps.Run("Remove-HvTemplate 'nosuch*' -Force").NoErrors().Output);
        }

        // ---- clones ---------------------------------------------------------------------------------------

        [Fact]
        public void New_HvVm_Count_makes_numbered_clones_in_one_request_all_or_none()
        {
            var made = _ps.Run("New-HvVm web -Template flat -Count 5 -Start").NoErrors().Of("HvVm");
            Assert.Equal(Enumerable.Range(1, 5).Select(i => "web-" + i), made.Select(v => v.Name));
            Assert.All(made, v => Assert.Equal("Running", (string)v.State.ToString()));
            _a.With(h => h.Add("db-2", VmState.Created));
            var clash = _ps.Run("New-HvVm db -Template flat -Count 3");
            var e = Assert.Single(clash.Errors);
            Assert.StartsWith("Hv.VmExists,", e.FullyQualifiedErrorId);
            Assert.Contains("none was created", e.Exception.Message);
            Assert.Equal(new[] { "db-2" }, _a.With(h => h.Vms.Where(v => v.Name.StartsWith("db")).Select(v => v.Name).ToArray()));
            var whatIf = _ps.Run("New-HvVm x -Template flat -Count 3 -WhatIf").NoErrors();
            Assert.Contains("\"VMs 'x-1' .. 'x-3' from template 'flat'", whatIf.HostText);
        }

        [Fact]
        public void Copy_HvVm_copies_a_paused_vm_and_says_so_for_a_running_one()
        {
            _a.With(h => h.Add("src", VmState.Running));
            var running = _ps.Run("Copy-HvVm -VMName src -Name copy1");
            var e = Assert.Single(running.Errors);
            Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
            Assert.Contains("Suspend-HvVm", e.Exception.Message);
            var copy = Assert.Single(_ps.Run("Suspend-HvVm src; Get-HvVm src | Copy-HvVm -Name copy1").NoErrors().Of("HvVm"));
            Assert.Equal("copy1", copy.Name);
            Assert.Equal("Paused", (string)copy.State.ToString());
            Assert.Equal(_a.With(h => h.Vms.Single(v => v.Name == "src").Memory), _a.With(h => h.Vms.Single(v => v.Name == "copy1").Memory));
            var again = _ps.Run("Copy-HvVm src copy1");
            Assert.StartsWith("Hv.VmExists,", Assert.Single(again.Errors).FullyQualifiedErrorId);
        }

        // ---- snapshots ------------------------------------------------------------------------------------

        [Fact]
        public void Snapshots_checkpoint_list_restore_remove()
        {
            _a.With(h => { var v = h.Add("s1", VmState.Running); v.Memory = new byte[8192]; v.Rip = 0x100; });
            var snap = Assert.Single(_ps.Run("Checkpoint-HvVm s1 -SnapshotName base").NoErrors().Of("HvVmSnapshot"));
            Assert.Equal("base", snap.Name);
            Assert.Equal("s1", snap.VmName);
            Assert.True(Math.Abs((DateTime.Now - (DateTime)snap.CreationTime).TotalMinutes) < 5);
            var timed = Assert.Single(_ps.Run("Get-HvVm s1 | Checkpoint-HvVm").NoErrors().Of("HvVmSnapshot"));
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", (string)timed.Name);
            var timed2 = Assert.Single(_ps.Run("Checkpoint-HvVm -VM (Get-HvVm s1)").NoErrors().Of("HvVmSnapshot"));
            Assert.NotEqual((string)timed.Name, (string)timed2.Name);
            Assert.StartsWith("Hv.SnapshotExists,", Assert.Single(_ps.Run("Checkpoint-HvVm s1 base").Errors).FullyQualifiedErrorId);

            Assert.Equal(3, _ps.Run("Get-HvVmSnapshot s1").NoErrors().Of("HvVmSnapshot").Length);
            Assert.Equal(new[] { "base" }, _ps.Run("Get-HvVmSnapshot -VMName s1 -Name b*").NoErrors().Of("HvVmSnapshot").Select(s => (string)s.Name));
            var missing = _ps.Run("Get-HvVmSnapshot s1 -Name nosuch");
            Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(missing.Errors).CategoryInfo.Category);
            Assert.StartsWith("Hv.SnapshotNotFound,", missing.Errors[0].FullyQualifiedErrorId);

            // The guest changes memory; restoring brings it back and leaves the VM paused.
            _a.With(h => { var v = h.Vms.Single(x => x.Name == "s1"); v.Memory[7] = 42; v.Rip = 0x200; });
            Assert.NotEmpty(_ps.Run("Restore-HvVmSnapshot s1 base").Errors); // asks first (no prompts in tests)
            _ps.Run("Restore-HvVmSnapshot s1 base -WhatIf").NoErrors();
            Assert.Equal(0x200UL, _a.With(h => h.Vms.Single(x => x.Name == "s1").Rip));
            var restored = Assert.Single(_ps.Run("Restore-HvVmSnapshot -VMName s1 -Name base -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)restored.State.ToString());
            Assert.Equal(0x100UL, _a.With(h => h.Vms.Single(x => x.Name == "s1").Rip));
            Assert.Equal(0, _a.With(h => h.Vms.Single(x => x.Name == "s1").Memory[7]));
            var ambiguous = _ps.Run("Restore-HvVmSnapshot s1 * -Force");
            Assert.StartsWith("Hv.SnapshotAmbiguous,", Assert.Single(ambiguous.Errors).FullyQualifiedErrorId);
            // Snapshot objects from the pipeline.
            _ps.Run("Get-HvVmSnapshot s1 base | Restore-HvVmSnapshot -Force").NoErrors();
            _ps.Run("Get-HvVmSnapshot s1 -Name 2* | Remove-HvVmSnapshot -Force").NoErrors();
            Assert.Equal(new[] { "base" }, _ps.Run("Get-HvVmSnapshot s1").NoErrors().Of("HvVmSnapshot").Select(s => (string)s.Name));
            _ps.Run("Remove-HvVmSnapshot -VM (Get-HvVm s1) -Name * -Force").NoErrors();
            Assert.Empty(_a.With(h => h.Snapshots));
        }

        [Fact]
        public void Snapshot_names_complete_from_the_vm_given()
        {
            _a.With(h => h.Add("c1", VmState.Paused));
            _ps.Run("Checkpoint-HvVm c1 alpha; Checkpoint-HvVm c1 alpine; Checkpoint-HvVm c1 beta").NoErrors();
            var r = _ps.Run("$line = 'Get-HvVmSnapshot -VMName c1 -Name al'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "alpha", "alpine" }, r.Output.Select(o => o.ToString()));
            r = _ps.Run("$line = 'Restore-HvVmSnapshot c1 -Name be'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "beta" }, r.Output.Select(o => o.ToString()));
            var view = _ps.Run("Get-HvVmSnapshot c1 | Out-Default").NoErrors();
            Assert.Contains("VmName Id Name CreationTime PrivateMB ComputerName", System.Text.RegularExpressions.Regex.Replace(view.HostText, "[ \t]+", " "));
            Assert.Matches(@"c1\s+\d+\s+alpha\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", view.HostText);
        }

        // ---- export / import / move ------------------------------------------------------------------------

        [Fact]
        public void Export_then_import_on_another_host_with_progress()
        {
            _a.With(h => { var v = h.Add("ex1", VmState.Running); v.Memory = new byte[20_000]; new Random(4).NextBytes(v.Memory); });
            var r = _ps.Run("Export-HvVm ex1 -Path $d/ex1.hvvm -PassThru").NoErrors();
            var file = Assert.Single(r.Output.Select(o => o.BaseObject).OfType<FileInfo>());
            Assert.True(file.Length > 20_000);
            Assert.False(File.Exists(file.FullName + ".part"));
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Exporting VM 'ex1'") && p.RecordType == ProgressRecordType.Completed);
            Assert.Equal(VmState.Running, _a.With(h => h.Vms.Single(v => v.Name == "ex1").State)); // paused for it, then resumed

            var exists = _ps.Run("Export-HvVm ex1 $d/ex1.hvvm");
            Assert.StartsWith("Hv.FileExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            _ps.Run("Export-HvVm ex1 $d/ex1.hvvm -Force").NoErrors();

            var imported = Assert.Single(_ps.Run("Import-HvVm $d/ex1.hvvm -Server $b").NoErrors().Of("HvVm"));
            Assert.Equal("ex1", imported.Name);
            Assert.Equal("Paused", (string)imported.State.ToString());
            Assert.Equal(_a.With(h => h.Vms.Single(v => v.Name == "ex1").Memory), _b.With(h => h.Vms.Single(v => v.Name == "ex1").Memory));
            var renamed = Assert.Single(_ps.Run("([IO.DirectoryInfo]$d).GetFiles('*.hvvm') | Import-HvVm -Server $b -Name ex1-b").NoErrors().Of("HvVm"));
            Assert.Equal("ex1-b", renamed.Name);
            var clash = _ps.Run("Import-HvVm $d/ex1.hvvm -Server $b");
            Assert.Equal(ErrorCategory.ResourceExists, Assert.Single(clash.Errors).CategoryInfo.Category);

            byte[] damaged = File.ReadAllBytes(file.FullName);
            damaged[damaged.Length / 2] ^= 0x10;
            File.WriteAllBytes(Path.Combine(_dir, "bad.hvvm"), damaged);
            var bad = _ps.Run("Import-HvVm $d/bad.hvvm -Server $b -Name bad");
            Assert.Equal(ErrorCategory.InvalidData, Assert.Single(bad.Errors).CategoryInfo.Category);
            Assert.StartsWith("Hv.ChecksumMismatch,", bad.Errors[0].FullyQualifiedErrorId);
            Assert.Empty(_b.With(h => h.Imports));
        }

        [Fact]
        public void Export_into_a_directory_writes_one_file_per_vm_and_refuses_unexportable_states()
        {
            _a.With(h => { h.Add("d1", VmState.Paused); h.Add("d2", VmState.Paused); h.Add("fresh", VmState.Created); });
            Directory.CreateDirectory(Path.Combine(_dir, "out"));
            _ps.Run("Get-HvVm d* | Export-HvVm -Path $d/out").NoErrors();
            Assert.Equal(new[] { "d1.hvvm", "d2.hvvm" }, Directory.GetFiles(Path.Combine(_dir, "out")).Select(Path.GetFileName).OrderBy(n => n));
            var created = _ps.Run("Export-HvVm fresh $d/fresh.hvvm");
            Assert.Equal(ErrorCategory.InvalidOperation, Assert.Single(created.Errors).CategoryInfo.Category);
            Assert.False(File.Exists(Path.Combine(_dir, "fresh.hvvm")));
            Assert.False(File.Exists(Path.Combine(_dir, "fresh.hvvm.part")));
        }

        [Fact]
        public void Move_HvVm_moves_a_running_vm_and_removes_the_source_last()
        {
            _a.With(h => { var v = h.Add("mv1", VmState.Running); v.Memory = new byte[12_000]; new Random(5).NextBytes(v.Memory); });
            byte[] memory = _a.With(h => h.Vms.Single(v => v.Name == "mv1").Memory);
            Assert.NotEmpty(_ps.Run("Move-HvVm mv1 -Destination $b").Errors); // asks first
            _ps.Run("Move-HvVm mv1 -Destination $b -WhatIf").NoErrors();
            var moved = Assert.Single(_ps.Run("Move-HvVm mv1 -Destination $b -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("mv1", moved.Name);
            Assert.Equal("Running", (string)moved.State.ToString()); // it ran before, so it runs on the destination
            Assert.Equal(memory, _b.With(h => h.Vms.Single(v => v.Name == "mv1").Memory));
            Assert.Empty(_a.With(h => h.Vms.Where(v => v.Name == "mv1")));
            Assert.Empty(_a.With(h => h.Exports));
            var same = _ps.Run("Get-HvVm -Server $b mv1 | Move-HvVm -Destination $b -Force");
            Assert.StartsWith("Hv.SameHost,", Assert.Single(same.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Move_HvVm_failing_at_any_step_loses_nothing_and_names_the_step()
        {
            _a.With(h => h.Add("mv2", VmState.Running));
            // Import refused: the destination has a VM of that name.
            _b.With(h => h.Add("mv2", VmState.Created));
            var r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("Hv.MoveFailed,", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.Contains("failed at step 'import'", e.Exception.Message);
            Assert.Contains("unchanged and running again", e.Exception.Message);
            Assert.Equal(VmState.Running, _a.With(h => h.Vms.Single(v => v.Name == "mv2").State));
            Assert.Empty(_a.With(h => h.Exports));

            // The destination fails in the middle of the data: the import is aborted there, the source resumed.
            _b.With(h => { h.Vms.Clear(); h.OnChunk = (t, offset) => { if (offset > 0) throw new InvalidOperationException("disk full"); }; });
            r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            e = Assert.Single(r.Errors);
            Assert.StartsWith("Hv.MoveFailed,", e.FullyQualifiedErrorId);
            Assert.Contains("failed at step 'write to the destination'", e.Exception.Message);
            Assert.Equal(VmState.Running, _a.With(h => h.Vms.Single(v => v.Name == "mv2").State));
            Assert.Empty(_b.With(h => h.Imports));
            Assert.Empty(_b.With(h => h.Vms));

            // A damaged image (the commit fails): nothing on the destination, the source as it was.
            _b.With(h => h.OnChunk = (t, offset) => { if (offset == 4096) t.Data.GetBuffer()[0] ^= 1; });
            r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            e = Assert.Single(r.Errors);
            Assert.Contains("step 'commit the import'", e.Exception.Message);
            Assert.Equal(VmState.Running, _a.With(h => h.Vms.Single(v => v.Name == "mv2").State));
            Assert.Empty(_b.With(h => h.Vms));
        }

        // ---- memory accounting ----------------------------------------------------------------------------

        [Fact]
        public void Vms_and_metrics_show_private_and_shared_pages_and_hosts_shared_memory()
        {
            _a.With(h =>
            {
                var v = h.Add("pg", VmState.Running);
                v.Counters[(int)CounterId.PrivatePages] = 512;
                v.Counters[(int)CounterId.SharedPages] = 2560;
            });
            var vm = Assert.Single(_ps.Run("Get-HvVm pg").NoErrors().Of("HvVm"));
            Assert.Equal(512UL, (ulong)vm.PrivatePages);
            Assert.Equal(2.0, (double)vm.PrivateMB);
            Assert.Equal(10.0, (double)vm.SharedMB);
            var m = Assert.Single(_ps.Run("Measure-HvVm pg").NoErrors().Of("HvVmMetrics"));
            Assert.Equal(2560UL, (ulong)m.SharedPages);
            var host = _ps.Run("(Get-HvHost).MemorySharedMB").NoErrors();
            Assert.Equal(3UL, host.Output[0].BaseObject);
            var table = _ps.Run("Get-HvVm pg | Out-Default").NoErrors();
            Assert.Matches(@"pg\s+Running\s+\d+\s+1\s+2\s+10\s", table.HostText);
        }
    }

    /// <summary>A host that implements only what HostControl requires: every new cmdlet says clearly that it cannot.</summary>
    public sealed class UnsupportedHostTests : IDisposable
    {
        private readonly FakeTcpHost _host = new FakeTcpHost(new MinimalHosts.BareHost());
        private readonly PsSession _ps = new PsSession();

        public UnsupportedHostTests()
        {
            _ps.Run("$h = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
        }

        [Theory]
        [InlineData("Checkpoint-HvVm -VM $vm -SnapshotName s")]
        [InlineData("Get-HvVmSnapshot -VM $vm")]
        [InlineData("Copy-HvVm -VM $vm -Name c")]
        [InlineData("Export-HvVm -VM $vm -Path ([IO.Path]::GetTempFileName() + '.hvvm')")]
        [InlineData("Remove-HvTemplate -Template $tpl -Force")]
        [InlineData("$f = [IO.Path]::GetTempFileName(); [IO.File]::WriteAllBytes($f, [byte[]](1,2,3)); New-HvTemplate t $f -EntryMode Real -MemoryMB 1")]
        public void A_host_without_support_is_NotImplemented_with_a_stable_id(string script)
        {
            var r = _ps.Run("$vm = Get-HvVm v; $tpl = Get-HvTemplate t; " + script);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.NotImplemented, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.Unsupported,", e.FullyQualifiedErrorId);
            Assert.Contains("this host", e.Exception.Message);
        }
    }
}
