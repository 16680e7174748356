using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// The template, clone, snapshot and transfer cmdlets against in-process hosts (the real hypervisor, adapter and
    /// server; scripted guests) over real sockets: progress, resume after a dropped line, every step of Move-HvVm failing,
    /// and hosts that do not support the operations.
    /// </summary>
    public sealed class TransferCmdletTests : IDisposable
    {
        private readonly InProcessHost _a = InProcessHost.Start();
        private readonly InProcessHost _b = InProcessHost.Start();
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

        /// <summary>A template image file: a scripted guest's program, padded with random bytes to <paramref name="bytes"/>.</summary>
        private string WriteImage(string name, int bytes, int seed = 1)
        {
            var data = new byte[bytes];
            new Random(seed).NextBytes(data);
            ScriptedProcessor.Program("say uploaded\nspin").CopyTo(data, 0);
            string path = Path.Combine(_dir, name);
            File.WriteAllBytes(path, data);
            return path;
        }

        private static byte[] Random(int n, int seed)
        {
            var b = new byte[n];
            new Random(seed).NextBytes(b);
            return b;
        }

        private static Hv.Core.Vm.Template Template(InProcessHost host, string name) => host.WithHypervisor(hv => hv.Templates.Find(name)?.Template);

        private static int Templates(InProcessHost host) => host.WithHypervisor(hv => hv.Templates.Count);

        /// <summary>Drops the connection once a chunk at or past <paramref name="offset"/> reaches the host (it still stores it).</summary>
        private static void DropAtChunk(InProcessHost host, Func<ulong, bool> when)
        {
            host.Intercept(Opcode.UploadTemplateChunk, request =>
            {
                var chunk = new UploadTemplateChunkMessage();
                if (chunk.TryReadRequest(request) == ErrorCode.Ok && when(chunk.Offset)) host.Drop();
                return null;
            });
        }

        // ---- templates ------------------------------------------------------------------------------------

        [Fact]
        public void New_HvTemplate_uploads_in_chunks_with_progress_and_returns_the_template()
        {
            string file = WriteImage("kernel.bin", 30_000);
            var r = _ps.Run("New-HvTemplate -Name up1 -Path $d/kernel.bin -EntryMode Real -MemoryMB 2 -CommandLine 'console=ttyS0'").NoErrors();
            var t = Assert.Single(r.Of("HvTemplate"));
            Assert.Equal("up1", t.Name);
            Assert.Equal("real", t.EntryMode);
            Assert.Equal(2u, t.MemoryMB);
            Assert.True(t.Uploaded);
            Assert.False(t.Primed);
            var uploaded = Template(_a, "up1");
            Assert.Equal(File.ReadAllBytes(file), uploaded.Image.Span.ToArray());
            Assert.Equal("console=ttyS0", uploaded.CommandLine);
            Assert.Equal(Hv.GuestEntryMode.Real, uploaded.Mode);
            var bars = r.Progress.Where(p => p.Activity.StartsWith("Uploading template 'up1' to 127.0.0.1:")).ToList();
            Assert.True(bars.Count >= 2, "progress records: " + bars.Count);
            Assert.Equal(ProgressRecordType.Completed, bars.Last().RecordType);
            Assert.Contains(bars, p => p.StatusDescription == "30 of 30 KiB" && p.PercentComplete == 100);

            var quiet = _ps.Run("$ProgressPreference = 'SilentlyContinue'; New-HvTemplate up2 $d/kernel.bin -EntryMode Real -MemoryMB 1").NoErrors();
            Assert.Empty(quiet.Progress);
            var exists = _ps.Run("New-HvTemplate up2 $d/kernel.bin -EntryMode Real -MemoryMB 1");
            Assert.StartsWith("Hv.TemplateExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, exists.Errors[0].CategoryInfo.Category);
            // -WhatIf sends nothing.
            _ps.Run("New-HvTemplate up3 $d/kernel.bin -EntryMode Real -MemoryMB 1 -WhatIf").NoErrors();
            Assert.Null(Template(_a, "up3"));
            Assert.Equal(6, Templates(_a));
        }

        [Fact]
        public void New_HvTemplate_fans_out_to_several_hosts()
        {
            string file = WriteImage("img.bin", 9000);
            var r = _ps.Run("New-HvTemplate fan $d/img.bin -EntryMode Long -MemoryMB 2 -Server $a, $b").NoErrors();
            Assert.Equal(2, r.Of("HvTemplate").Length);
            Assert.Equal(File.ReadAllBytes(file), Template(_a, "fan").Image.Span.ToArray());
            Assert.Equal(File.ReadAllBytes(file), Template(_b, "fan").Image.Span.ToArray());
        }

        [Fact]
        public void New_HvTemplate_survives_a_dropped_line_and_a_rerun_continues_where_the_host_got()
        {
            string file = WriteImage("big.bin", 60_000, 2);
            // One drop: reconnected and resumed within the same run.
            bool dropped = false;
            DropAtChunk(_a, offset => offset >= 20_000 && !dropped && (dropped = true));
            var r = _ps.Run("New-HvTemplate once $d/big.bin -EntryMode Long -MemoryMB 8 -Verbose 4>&1").NoErrors();
            Assert.Single(r.Of("HvTemplate"));
            Assert.Contains(r.Output, o => o.ToString().Contains("recovered from 1 connection failure"));
            Assert.Equal(File.ReadAllBytes(file), Template(_a, "once").Image.Span.ToArray());

            // The line keeps dropping: the command gives up, saying how far it got; the same command again finishes it.
            ulong furthest = 0;
            DropAtChunk(_a, offset => { furthest = Math.Max(furthest, offset); return offset >= 30_000; });
            var failed = _ps.Run("New-HvTemplate twice $d/big.bin -EntryMode Long -MemoryMB 8");
            var e = Assert.Single(failed.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.Contains("run the same upload again", e.Exception.Message);
            ulong had = furthest + 4096;                       // the host stored the chunk it dropped the line at
            Assert.True(had >= 30_000);
            DropAtChunk(_a, offset => false);
            var again = _ps.Run("New-HvTemplate twice $d/big.bin -EntryMode Long -MemoryMB 8 -Verbose 4>&1").NoErrors();
            Assert.Contains(again.Output, o => o.ToString().Contains("Resumed the upload of 'twice'") && o.ToString().Contains("at byte " + had + " of 60000"));
            Assert.Equal(File.ReadAllBytes(file), Template(_a, "twice").Image.Span.ToArray());
        }

        [Fact]
        public void Remove_HvTemplate_by_name_or_pipeline_asks_first_and_reports_missing_names()
        {
            WriteImage("t.bin", 100);
            _ps.Run("New-HvTemplate rt1 $d/t.bin -EntryMode Real -MemoryMB 1; New-HvTemplate rt2 $d/t.bin -EntryMode Real -MemoryMB 1").NoErrors();
            var asked = _ps.Run("Remove-HvTemplate rt1");
            Assert.NotEmpty(asked.Errors); // the test host cannot answer the prompt
            _ps.Run("Remove-HvTemplate rt* -WhatIf").NoErrors();
            Assert.Equal(6, Templates(_a));
            _ps.Run("Remove-HvTemplate rt1 -Force").NoErrors();
            _ps.Run("Get-HvTemplate rt* | Remove-HvTemplate -Force").NoErrors();
            Assert.Equal(4, Templates(_a));
            Assert.Null(Template(_a, "rt2"));
            var missing = _ps.Run("Remove-HvTemplate nosuch -Force");
            Assert.StartsWith("Hv.TemplateNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
            Assert.Empty(_ps.Run("Remove-HvTemplate 'nosuch*' -Force").NoErrors().Output);
        }

        // ---- clones ---------------------------------------------------------------------------------------

        [Fact]
        public void New_HvVm_Count_makes_numbered_clones_in_one_request_all_or_none()
        {
            var made = _ps.Run("New-HvVm web -Template spin -Count 5 -Start").NoErrors().Of("HvVm");
            Assert.Equal(Enumerable.Range(1, 5).Select(i => "web-" + i), made.Select(v => v.Name));
            Assert.All(made, v => Assert.Equal("Running", (string)v.State.ToString()));
            _a.AddVm("db-2");
            var clash = _ps.Run("New-HvVm db -Template spin -Count 3");
            var e = Assert.Single(clash.Errors);
            Assert.StartsWith("Hv.VmExists,", e.FullyQualifiedErrorId);
            Assert.Contains("none was created", e.Exception.Message);
            Assert.Equal(new[] { "db-2" }, _a.WithHypervisor(hv => Enumerable.Range(0, hv.Vms.Count).Select(hv.Vms.At).Select(v => v.Name).Where(n => n.StartsWith("db")).ToArray()));
            var whatIf = _ps.Run("New-HvVm x -Template spin -Count 3 -WhatIf").NoErrors();
            Assert.Contains("\"VMs 'x-1' .. 'x-3' from template 'spin'", whatIf.HostText);
        }

        [Fact]
        public void Copy_HvVm_copies_a_paused_vm_and_says_so_for_a_running_one()
        {
            _a.AddVm("src", "spin", Hv.VmState.Running);
            _a.WriteGuestMemory("src", 0x20000, Random(12_000, 5));
            var running = _ps.Run("Copy-HvVm -VMName src -Name copy1");
            var e = Assert.Single(running.Errors);
            Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
            Assert.Contains("Suspend-HvVm", e.Exception.Message);
            var copy = Assert.Single(_ps.Run("Suspend-HvVm src; Get-HvVm src | Copy-HvVm -Name copy1").NoErrors().Of("HvVm"));
            Assert.Equal("copy1", copy.Name);
            Assert.Equal("Paused", (string)copy.State.ToString());
            Assert.Equal(_a.ReadGuestMemory("src", 0, 1 << 20), _a.ReadGuestMemory("copy1", 0, 1 << 20));
            var again = _ps.Run("Copy-HvVm src copy1");
            Assert.StartsWith("Hv.VmExists,", Assert.Single(again.Errors).FullyQualifiedErrorId);
        }

        // ---- snapshots ------------------------------------------------------------------------------------

        [Fact]
        public void Snapshots_checkpoint_list_restore_remove()
        {
            uint id = _a.AddVm("s1", "spin", Hv.VmState.Running);
            byte[] before = _a.ReadGuestMemory("s1", 0x9000, 16);
            var snap = Assert.Single(_ps.Run("Checkpoint-HvVm s1 -SnapshotName base").NoErrors().Of("HvVmSnapshot"));
            Assert.Equal("base", snap.Name);
            Assert.Equal("s1", snap.VmName);
            Assert.True(Math.Abs((DateTime.Now - (DateTime)snap.CreationTime).TotalMinutes) < 5);
            ulong capturedRip = _a.WithHypervisor(hv => hv.Find(id).Snapshots.Find((uint)snap.Id).State.Registers.Rip);
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

            // The guest changes memory and moves on; restoring brings both back and leaves the VM paused.
            _ps.Run("Suspend-HvVm s1").NoErrors();
            _a.WriteGuestMemory("s1", 0x9000, new byte[] { 42 });
            _a.WithHypervisor(hv => hv.Find(id).Cpu.Registers.Rip = 0x200);
            Assert.NotEmpty(_ps.Run("Restore-HvVmSnapshot s1 base").Errors); // asks first (no prompts in tests)
            _ps.Run("Restore-HvVmSnapshot s1 base -WhatIf").NoErrors();
            Assert.Equal(0x200UL, _a.WithHypervisor(hv => hv.Find(id).Cpu.Registers.Rip));
            var restored = Assert.Single(_ps.Run("Restore-HvVmSnapshot -VMName s1 -Name base -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)restored.State.ToString());
            Assert.Equal(capturedRip, _a.WithHypervisor(hv => hv.Find(id).Cpu.Registers.Rip));
            Assert.Equal(before, _a.ReadGuestMemory("s1", 0x9000, 16));
            var ambiguous = _ps.Run("Restore-HvVmSnapshot s1 * -Force");
            Assert.StartsWith("Hv.SnapshotAmbiguous,", Assert.Single(ambiguous.Errors).FullyQualifiedErrorId);
            // Snapshot objects from the pipeline.
            _ps.Run("Get-HvVmSnapshot s1 base | Restore-HvVmSnapshot -Force").NoErrors();
            _ps.Run("Get-HvVmSnapshot s1 -Name 2* | Remove-HvVmSnapshot -Force").NoErrors();
            Assert.Equal(new[] { "base" }, _ps.Run("Get-HvVmSnapshot s1").NoErrors().Of("HvVmSnapshot").Select(s => (string)s.Name));
            _ps.Run("Remove-HvVmSnapshot -VM (Get-HvVm s1) -Name * -Force").NoErrors();
            Assert.Null(_a.WithHypervisor(hv => hv.Find(id).Snapshots.LowestFrom(0)));
        }

        [Fact]
        public void Snapshot_names_complete_from_the_vm_given()
        {
            _a.AddVm("c1", "spin", Hv.VmState.Paused);
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
            int pagesBefore = _b.Pages.Outstanding;
            _a.AddVm("ex1", "spin", Hv.VmState.Running);
            _a.WriteGuestMemory("ex1", 0x20000, Random(20_000, 4));
            var r = _ps.Run("Export-HvVm ex1 -Path $d/ex1.hvvm -PassThru").NoErrors();
            var file = Assert.Single(r.Output.Select(o => o.BaseObject).OfType<FileInfo>());
            Assert.True(file.Length > 20_000);
            Assert.False(File.Exists(file.FullName + ".part"));
            Assert.Contains(r.Progress, p => p.Activity.StartsWith("Exporting VM 'ex1'") && p.RecordType == ProgressRecordType.Completed);
            Assert.Equal(Hv.VmState.Running, _a.Vm("ex1").State); // paused for it, then resumed

            var exists = _ps.Run("Export-HvVm ex1 $d/ex1.hvvm");
            Assert.StartsWith("Hv.FileExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            _ps.Run("Export-HvVm ex1 $d/ex1.hvvm -Force").NoErrors();

            var imported = Assert.Single(_ps.Run("Import-HvVm $d/ex1.hvvm -Server $b").NoErrors().Of("HvVm"));
            Assert.Equal("ex1", imported.Name);
            Assert.Equal("Paused", (string)imported.State.ToString());
            Assert.Equal(_a.ReadGuestMemory("ex1", 0, 1 << 20), _b.ReadGuestMemory("ex1", 0, 1 << 20));
            var renamed = Assert.Single(_ps.Run("([IO.DirectoryInfo]$d).GetFiles('*.hvvm') | Import-HvVm -Server $b -Name ex1-b").NoErrors().Of("HvVm"));
            Assert.Equal("ex1-b", renamed.Name);
            var clash = _ps.Run("Import-HvVm $d/ex1.hvvm -Server $b");
            Assert.Equal(ErrorCategory.ResourceExists, Assert.Single(clash.Errors).CategoryInfo.Category);
            int pagesWithTwo = _b.Pages.Outstanding;

            byte[] damaged = File.ReadAllBytes(file.FullName);
            damaged[damaged.Length / 2] ^= 0x10;
            File.WriteAllBytes(Path.Combine(_dir, "bad.hvvm"), damaged);
            var bad = _ps.Run("Import-HvVm $d/bad.hvvm -Server $b -Name bad");
            Assert.Equal(ErrorCategory.InvalidData, Assert.Single(bad.Errors).CategoryInfo.Category);
            Assert.StartsWith("Hv.ChecksumMismatch,", bad.Errors[0].FullyQualifiedErrorId);
            Assert.Equal(pagesWithTwo, _b.Pages.Outstanding);    // the refused image left nothing behind
            Assert.True(pagesWithTwo > pagesBefore);
        }

        [Fact]
        public void Export_into_a_directory_writes_one_file_per_vm_and_refuses_unexportable_states()
        {
            _a.AddVm("d1", "spin", Hv.VmState.Paused);
            _a.AddVm("d2", "spin", Hv.VmState.Paused);
            _a.AddVm("fresh", "spin", Hv.VmState.Stopped);
            Directory.CreateDirectory(Path.Combine(_dir, "out"));
            _ps.Run("Get-HvVm d* | Export-HvVm -Path $d/out").NoErrors();
            Assert.Equal(new[] { "d1.hvvm", "d2.hvvm" }, Directory.GetFiles(Path.Combine(_dir, "out")).Select(Path.GetFileName).OrderBy(n => n));
            var stopped = _ps.Run("Export-HvVm fresh $d/fresh.hvvm");
            Assert.Equal(ErrorCategory.InvalidOperation, Assert.Single(stopped.Errors).CategoryInfo.Category);
            Assert.False(File.Exists(Path.Combine(_dir, "fresh.hvvm")));
            Assert.False(File.Exists(Path.Combine(_dir, "fresh.hvvm.part")));
        }

        [Fact]
        public void Move_HvVm_moves_a_running_vm_and_removes_the_source_last()
        {
            int pagesBefore = _a.Pages.Outstanding;
            _a.AddVm("mv1", "spin", Hv.VmState.Running);
            _a.WriteGuestMemory("mv1", 0x20000, Random(12_000, 5));
            byte[] memory = _a.ReadGuestMemory("mv1", 0, 1 << 20);
            Assert.NotEmpty(_ps.Run("Move-HvVm mv1 -Destination $b").Errors); // asks first
            _ps.Run("Move-HvVm mv1 -Destination $b -WhatIf").NoErrors();
            var moved = Assert.Single(_ps.Run("Move-HvVm mv1 -Destination $b -Force -PassThru").NoErrors().Of("HvVm"));
            Assert.Equal("mv1", moved.Name);
            Assert.Equal("Running", (string)moved.State.ToString()); // it ran before, so it runs on the destination
            Assert.Equal(memory, _b.ReadGuestMemory("mv1", 0, 1 << 20));
            Assert.Null(_a.Vm("mv1"));
            Assert.Equal(pagesBefore, _a.Pages.Outstanding);      // the source and its export are gone
            var same = _ps.Run("Get-HvVm -Server $b mv1 | Move-HvVm -Destination $b -Force");
            Assert.StartsWith("Hv.SameHost,", Assert.Single(same.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void Move_HvVm_failing_at_any_step_loses_nothing_and_names_the_step()
        {
            _a.AddVm("mv2", "spin", Hv.VmState.Running);
            int sourcePages = _a.Pages.Outstanding;
            // Import refused: the destination has a VM of that name.
            uint clash = _b.AddVm("mv2");
            var r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("Hv.MoveFailed,", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
            Assert.Contains("failed at step 'import'", e.Exception.Message);
            Assert.Contains("unchanged and running again", e.Exception.Message);
            Assert.Equal(Hv.VmState.Running, _a.Vm("mv2").State);
            Assert.Equal(sourcePages, _a.Pages.Outstanding);      // the export was ended

            // The destination fails in the middle of the data: the import is aborted there, the source resumed.
            _b.WithHypervisor(hv => hv.Remove(clash));
            int destinationPages = _b.Pages.Outstanding;
            _b.Intercept(Opcode.WriteImport, request =>
            {
                var chunk = new WriteImportMessage();
                return chunk.TryReadRequest(request) == ErrorCode.Ok && chunk.Offset > 0 ? new Reply(ErrorCode.ResourceUnavailable, "disk full") : (Reply?)null;
            });
            r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            e = Assert.Single(r.Errors);
            Assert.StartsWith("Hv.MoveFailed,", e.FullyQualifiedErrorId);
            Assert.Contains("failed at step 'write to the destination'", e.Exception.Message);
            Assert.Equal(Hv.VmState.Running, _a.Vm("mv2").State);
            Assert.Null(_b.Vm("mv2"));
            Assert.Equal(destinationPages, _b.Pages.Outstanding);

            // A damaged image (the commit fails): nothing on the destination, the source as it was.
            _b.Intercept(Opcode.WriteImport, request =>
            {
                var chunk = new WriteImportMessage();
                if (chunk.TryReadRequest(request) == ErrorCode.Ok && chunk.Offset == 4096) chunk.Data[chunk.DataOffset] ^= 1;
                return null;
            });
            r = _ps.Run("Move-HvVm mv2 -Destination $b -Force");
            e = Assert.Single(r.Errors);
            Assert.Contains("step 'commit the import'", e.Exception.Message);
            Assert.Equal(Hv.VmState.Running, _a.Vm("mv2").State);
            Assert.Null(_b.Vm("mv2"));
            Assert.Equal(destinationPages, _b.Pages.Outstanding);
        }

        // ---- memory accounting ----------------------------------------------------------------------------

        [Fact]
        public void Vms_and_metrics_show_private_and_shared_pages_and_hosts_shared_memory()
        {
            _a.AddTemplate("big", "spin", 16UL << 20);
            _a.AddVm("pg", "big", Hv.VmState.Running);
            _a.WriteGuestMemory("pg", 0, new byte[2 << 20]);      // 512 pages of its own, the rest still shared
            var (privatePages, sharedPages) = _a.WithHypervisor(hv => (hv.FindByName("pg").Memory.PrivatePages, hv.FindByName("pg").Memory.SharedPages));
            Assert.InRange(privatePages, 512UL, 520UL);            // and the tables on their path
            var vm = Assert.Single(_ps.Run("Get-HvVm pg").NoErrors().Of("HvVm"));
            Assert.Equal(privatePages, (ulong)vm.PrivatePages);
            Assert.Equal(2.0, (double)vm.PrivateMB);
            Assert.Equal(Math.Round(sharedPages * 4096.0 / (1 << 20), 1), (double)vm.SharedMB);
            var m = Assert.Single(_ps.Run("Measure-HvVm pg").NoErrors().Of("HvVmMetrics"));
            Assert.Equal(sharedPages, (ulong)m.SharedPages);
            var host = _ps.Run("(Get-HvHost).MemorySharedMB").NoErrors();
            Assert.Equal(_a.WithHypervisor(hv => hv.Sharing.CountSharedPages()) * 4096 >> 20, host.Output[0].BaseObject);
            var table = _ps.Run("Get-HvVm pg | Out-Default").NoErrors();
            Assert.Matches(@"pg\s+Running\s+16\s+1\s+100\s+2\s+" + vm.SharedMB + @"\s", table.HostText);
        }
    }

    /// <summary>A host that carries out only the first requests (up to GetMetrics): every newer cmdlet says clearly that it cannot.</summary>
    public sealed class UnsupportedHostTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public UnsupportedHostTests()
        {
            _host.Unregister(Enumerable.Range((int)Opcode.CreateVms, (int)Opcode.AbortImport - (int)Opcode.CreateVms + 1).Select(i => (Opcode)i).ToArray());
            _host.AddVm("v", "spin", Hv.VmState.Paused);
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
            var r = _ps.Run("$vm = Get-HvVm v; $tpl = Get-HvTemplate spin; " + script);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.NotImplemented, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.Unsupported,", e.FullyQualifiedErrorId);
            Assert.Contains("this host", e.Exception.Message);
        }
    }
}
