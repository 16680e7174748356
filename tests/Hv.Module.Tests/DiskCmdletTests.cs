using System;
using System.IO;
using System.Linq;
using Hv.Core.Devices.Pc;
using Hv.Core.Storage;
using Hv.Core.Vm;
using System.Management.Automation;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// Get-HvVmHardDiskDrive and a disk's life with its VM, against two in-process hosts: the scripted guests have no
    /// Linux, so a created VM is given a PC platform and a 16 MiB disk through the real objects (what the hypervisor
    /// does for a template with disk=), and the cmdlets see it kept across stop and start, exported, imported and moved.
    /// </summary>
    public sealed class DiskCmdletTests : IDisposable
    {
        private const ulong DiskBytes = 16UL << 20;
        private readonly InProcessHost _a = InProcessHost.Start();
        private readonly InProcessHost _b = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();
        private readonly string _dir = Directory.CreateTempSubdirectory("hv-disk-").FullName;

        public DiskCmdletTests()
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

        // A created VM made a PC with a disk whose first page and page 100 hold data.
        private void GiveDisk(string vm)
        {
            _ps.Run("New-HvVm $args[0] -Template spin | Out-Null", vm).NoErrors();
            _a.WithHypervisor(hv =>
            {
                VirtualMachine v = hv.FindByName(vm);
                Assert.True(v.InstallPlatform(new PcPlatform(1_000_000_000, 1_000_000_000, 0, v.Uart)));
                Assert.Equal(DiskStatus.Ok, DiskImage.Create(hv.Sharing, DiskBytes / 512, 1UL << 30, out DiskImage disk));
                Assert.True(v.InstallDisk(disk));
                Assert.Equal(DiskStatus.Ok, disk.Write(0, new byte[] { 0xEB, 0x3C }));
                Assert.Equal(DiskStatus.Ok, disk.Write(100 * 4096, new byte[] { 42 }));
            });
        }

        private static byte[] DiskBytesAt(InProcessHost host, string vm, ulong offset, int n) => host.WithHypervisor(hv =>
        {
            var b = new byte[n];
            Assert.Equal(DiskStatus.Ok, hv.FindByName(vm).Disk.Disk.Read(offset, b));
            return b;
        });

        [Fact]
        public void A_vms_disk_drive_is_listed_with_its_size_and_written_pages_and_a_vm_without_one_lists_none()
        {
            GiveDisk("db1");
            _ps.Run("New-HvVm plain -Template spin | Out-Null").NoErrors();
            var drive = Assert.Single(_ps.Run("Get-HvVm | Get-HvVmHardDiskDrive").NoErrors().Of("HvVmHardDiskDrive"));
            Assert.Equal("db1", (string)drive.VmName);
            Assert.Equal(DiskBytes, (ulong)drive.SizeBytes);
            Assert.Equal(16.0, (double)drive.SizeMB);
            // Two data pages and the tables above them: a few pages, far from the 16 MiB.
            Assert.InRange((ulong)drive.BytesAllocated, 2UL * 4096, 8UL * 4096);
            Assert.Equal("PCI 00:01.0", (string)drive.Location);
            Assert.Equal(0UL, (ulong)drive.WriteRequests);
            Assert.Empty(_ps.Run("Get-HvVmHardDiskDrive -VMName plain").NoErrors().Output);
            var missing = _ps.Run("Get-HvVmHardDiskDrive -VMName nosuch");
            Assert.StartsWith("Hv.VmNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
        }

        [Fact]
        public void A_stopped_and_started_vm_keeps_its_disk_until_it_is_removed()
        {
            GiveDisk("keep");
            ulong before = (ulong)Assert.Single(_ps.Run("Get-HvVmHardDiskDrive keep").NoErrors().Of("HvVmHardDiskDrive")).BytesAllocated;
            _ps.Run("Start-HvVm keep; Stop-HvVm keep -TurnOff -Force").NoErrors();
            var stopped = Assert.Single(_ps.Run("Get-HvVmHardDiskDrive keep").NoErrors().Of("HvVmHardDiskDrive"));
            Assert.Equal(before, (ulong)stopped.BytesAllocated);
            _ps.Run("Start-HvVm keep").NoErrors();
            Assert.Equal(new byte[] { 42 }, DiskBytesAt(_a, "keep", 100 * 4096, 1));
            int pagesWithDisk = _a.Pages.Outstanding;
            _ps.Run("Stop-HvVm keep -TurnOff -Force; Remove-HvVm keep -Force").NoErrors();
            Assert.True(_a.Pages.Outstanding <= pagesWithDisk - 2, "removing the VM gives its disk's pages back");
        }

        [Fact]
        public void Export_import_and_move_carry_the_disk()
        {
            GiveDisk("mover");
            var file = Assert.Single(_ps.Run("Export-HvVm mover -Path $d/mover.hvvm -PassThru").NoErrors().Output.Select(o => o.BaseObject).OfType<FileInfo>());
            // Two disk pages and the 512-byte bitmap of a 16 MiB disk travel, not 16 MiB.
            Assert.True(file.Length < 64 * 1024, file.Length.ToString());
            var imported = Assert.Single(_ps.Run("Import-HvVm $d/mover.hvvm -Server $b -Name copy").NoErrors().Of("HvVm"));
            Assert.Equal("Paused", (string)imported.State.ToString());
            var drive = Assert.Single(_ps.Run("Get-HvVmHardDiskDrive copy -Server $b").NoErrors().Of("HvVmHardDiskDrive"));
            Assert.Equal(DiskBytes, (ulong)drive.SizeBytes);
            Assert.Equal(new byte[] { 0xEB, 0x3C }, DiskBytesAt(_b, "copy", 0, 2));
            Assert.Equal(new byte[] { 42 }, DiskBytesAt(_b, "copy", 100 * 4096, 1));

            _ps.Run("Suspend-HvVm mover -ErrorAction SilentlyContinue; Move-HvVm mover -Destination $b -Force").NoErrors();
            Assert.Equal(new byte[] { 42 }, DiskBytesAt(_b, "mover", 100 * 4096, 1));
            Assert.Empty(_ps.Run("Get-HvVm").NoErrors().Output);
        }

        private static string ErrorId(PsResult r) => Assert.Single(r.Errors).FullyQualifiedErrorId;

        [Fact]
        public void New_HvDisk_makes_a_blank_disk_that_Add_puts_into_a_stopped_vms_drive_and_the_guest_hears_of_it_at_start()
        {
            var disk = Assert.Single(_ps.Run("New-HvDisk data -SizeBytes 1MB").NoErrors().Of("HvDisk"));
            Assert.Equal(1UL << 20, (ulong)disk.SizeBytes);
            Assert.Contains("exists", Assert.Single(_ps.Run("New-HvDisk data -SizeBytes 1MB").Errors).Exception.Message);
            Assert.StartsWith("Hv.InvalidDiskSize,", ErrorId(_ps.Run("New-HvDisk odd -SizeBytes 1000")));

            GiveDisk("db");
            _ps.Run("Start-HvVm db").NoErrors();
            Assert.Contains("not in a state", Assert.Single(_ps.Run("Add-HvVmHardDiskDrive db data -Force").Errors).Exception.Message);
            _ps.Run("Stop-HvVm db -TurnOff -Force").NoErrors();
            var drive = Assert.Single(_ps.Run("Add-HvVmHardDiskDrive db data -Force -PassThru").NoErrors().Of("HvVmHardDiskDrive"));
            Assert.Equal(1UL << 20, (ulong)drive.SizeBytes);
            Assert.True((bool)drive.HasDisk);
            Assert.Equal(0UL, (ulong)drive.BytesAllocated);
            Assert.Equal(new byte[] { 0, 0 }, DiskBytesAt(_a, "db", 0, 2)); // the old disk's bytes are gone
            Assert.True(_a.WithHypervisor(hv => hv.FindByName("db").Disk.AnnounceAtStart));
            _ps.Run("Start-HvVm db").NoErrors();
            Assert.False(_a.WithHypervisor(hv => hv.FindByName("db").Disk.AnnounceAtStart));
            _ps.Run("Stop-HvVm db -TurnOff -Force; Remove-HvVm db -Force").NoErrors();
        }

        [Fact]
        public void A_drive_change_is_refused_clearly_without_a_drive_with_snapshots_or_an_unknown_disk()
        {
            _ps.Run("New-HvDisk data -SizeBytes 64KB | Out-Null; New-HvVm plain -Template spin | Out-Null").NoErrors();
            var none = Assert.Single(_ps.Run("Add-HvVmHardDiskDrive plain data -Force").Errors);
            Assert.Contains("no disk drive", none.Exception.Message);
            GiveDisk("snapped");
            Assert.Contains("no host disk", Assert.Single(_ps.Run("Add-HvVmHardDiskDrive snapped nosuch -Force").Errors).Exception.Message);
            _ps.Run("Checkpoint-HvVm snapped -SnapshotName s1 | Out-Null").NoErrors();
            Assert.Contains("snapshots", Assert.Single(_ps.Run("Add-HvVmHardDiskDrive snapped data -Force").Errors).Exception.Message);
            Assert.Contains("snapshots", Assert.Single(_ps.Run("Remove-HvVmHardDiskDrive snapped -Force").Errors).Exception.Message);
            Assert.Equal(new byte[] { 42 }, DiskBytesAt(_a, "snapped", 100 * 4096, 1));
        }

        [Fact]
        public void Remove_empties_the_drive_and_an_empty_drive_cannot_be_copied_or_exported_until_a_disk_is_added()
        {
            _ps.Run("New-HvDisk data -SizeBytes 64KB | Out-Null").NoErrors();
            GiveDisk("empty");
            int withDisk = _a.Pages.Outstanding;
            var drive = Assert.Single(_ps.Run("Remove-HvVmHardDiskDrive empty -Force -PassThru").NoErrors().Of("HvVmHardDiskDrive"));
            Assert.False((bool)drive.HasDisk);
            Assert.Equal(0UL, (ulong)drive.SizeBytes);
            Assert.True(_a.Pages.Outstanding <= withDisk - 2, "the removed disk's pages are given back");
            Assert.Contains("empty", Assert.Single(_ps.Run("Remove-HvVmHardDiskDrive empty -Force").Errors).Exception.Message);
            Assert.Contains("empty", Assert.Single(_ps.Run("Export-HvVm empty -Path $d/empty.hvvm").Errors).Exception.Message);
            _ps.Run("Add-HvVmHardDiskDrive empty data -Force").NoErrors();
            Assert.Equal(64UL * 1024, (ulong)Assert.Single(_ps.Run("Get-HvVmHardDiskDrive empty").NoErrors().Of("HvVmHardDiskDrive")).SizeBytes);
            _ps.Run("Remove-HvVmHardDiskDrive empty -Force; Remove-HvVm empty -Force").NoErrors();
        }

        [Fact]
        public void A_raw_image_uploads_checksummed_and_keeps_only_its_written_pages_and_a_vm_reads_it()
        {
            var raw = new byte[1 << 20];
            raw[0] = 0x55; raw[1] = 0xAA;
            new Random(8).NextBytes(raw.AsSpan(512 * 1024, 5000));
            string path = Path.Combine(_dir, "base.img");
            File.WriteAllBytes(path, raw);
            var disk = Assert.Single(_ps.Run("New-HvDisk base -Path $args[0]", path).NoErrors().Of("HvDisk"));
            Assert.Equal((ulong)raw.Length, (ulong)disk.SizeBytes);
            // Three 4 KiB pages hold data (one at 0, two under the 5000 bytes): the rest are holes.
            ulong pages = _a.WithHypervisor(hv => hv.HostDisks.Find("base").PrivatePages);
            Assert.InRange(pages, 3UL, 8UL);

            GiveDisk("reader");
            _ps.Run("Add-HvVmHardDiskDrive reader base -Force").NoErrors();
            Assert.Equal(raw.AsSpan(512 * 1024, 5000).ToArray(), DiskBytesAt(_a, "reader", 512 * 1024, 5000));
            Assert.Equal(new byte[] { 0x55, 0xAA }, DiskBytesAt(_a, "reader", 0, 2));

            File.WriteAllBytes(Path.Combine(_dir, "odd.img"), new byte[1000]);
            Assert.StartsWith("Hv.InvalidDiskSize,", ErrorId(_ps.Run("New-HvDisk odd -Path $args[0]", Path.Combine(_dir, "odd.img"))));
            Assert.Contains("exists", Assert.Single(_ps.Run("New-HvDisk base -Path $args[0]", path).Errors).Exception.Message);
        }

        [Fact]
        public void Get_HvDisk_lists_the_images_and_Remove_HvDisk_frees_one_while_a_vm_keeps_its_fork()
        {
            var raw = new byte[64 * 1024];
            raw[0] = 0x55; raw[5000] = 7;
            string path = Path.Combine(_dir, "seed.img");
            File.WriteAllBytes(path, raw);
            _ps.Run("New-HvDisk seed -Path $args[0] | Out-Null; New-HvDisk blank 1MB | Out-Null", path).NoErrors();
            var listed = _ps.Run("Get-HvDisk").NoErrors().Of("HvDisk").ToList();
            Assert.Equal(new[] { "seed", "blank" }, listed.Select(d => (string)d.Name));
            Assert.Equal(new[] { 65536UL, 1UL << 20 }, listed.Select(d => (ulong)d.SizeBytes));
            Assert.True((ulong)listed[0].BytesAllocated >= 2 * 4096UL); // two pages hold data
            Assert.Equal(0UL, (ulong)listed[1].BytesAllocated);         // blank: holes only
            Assert.Equal("blank", (string)Assert.Single(_ps.Run("Get-HvDisk bl*").NoErrors().Of("HvDisk")).Name);
            Assert.StartsWith("Hv.DiskNotFound,", ErrorId(_ps.Run("Get-HvDisk nosuch")));
            var r = _ps.Run("$line = 'Remove-HvDisk -Name se'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "seed" }, r.Output.Select(o => o.ToString()));

            GiveDisk("keeper");
            _ps.Run("Add-HvVmHardDiskDrive keeper seed -Force").NoErrors();
            _ps.Run("Get-HvDisk seed | Remove-HvDisk -WhatIf").NoErrors();
            Assert.Equal(2, _ps.Run("Get-HvDisk").NoErrors().Of("HvDisk").Count());
            _ps.Run("Get-HvDisk seed | Remove-HvDisk -Force").NoErrors();
            Assert.Equal(new[] { "blank" }, _ps.Run("Get-HvDisk").NoErrors().Of("HvDisk").Select(d => (string)d.Name));
            Assert.Null(_a.WithHypervisor(hv => hv.HostDisks.Find("seed")));
            // The VM's fork still reads the image's bytes.
            Assert.Equal(new byte[] { 0x55 }, DiskBytesAt(_a, "keeper", 0, 1));
            Assert.Equal(new byte[] { 7 }, DiskBytesAt(_a, "keeper", 5000, 1));
            Assert.StartsWith("Hv.DiskNotFound,", ErrorId(_ps.Run("Remove-HvDisk seed -Force")));
            _ps.Run("Remove-HvDisk blank -Force").NoErrors();
            Assert.Empty(_ps.Run("Get-HvDisk").NoErrors().Of("HvDisk"));
        }
    }
}
