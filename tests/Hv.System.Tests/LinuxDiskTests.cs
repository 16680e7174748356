using System;
using System.Linq;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// A VM's own hardware: Debian's unmodified 6.1 kernel finds the linux template's virtio disk on PCI with its stock
    /// command line (the DSDT's PCI0, configuration ports 0xCF8/0xCFC, MSI-X), and a clone of the primed template writes
    /// a raw sector and an ext2 file system to /dev/vda and reads them back past the page cache; another clone's disk
    /// is still the template's (guests/linux/build.sh's ext2 image with /hello.txt), without the first clone's writes
    /// (copy-on-write); Measure-HvVm counts each one's disk traffic. The Linux boot is the shared priming VM's (PrimedLinuxHost).
    /// </summary>
    [Collection(PrimedLinuxHost.Name)]
    public class LinuxDiskTests : PrimedLinuxTest
    {
        public LinuxDiskTests(PrimingLinuxHostFixture fixture) : base(fixture) { }

        [Fact]
        public void A_clone_writes_its_virtio_disk_raw_and_through_ext2_and_reads_it_back_while_another_clone_sees_the_templates_disk()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Assert.Contains("[priming-linux] ", Host.Log);
            Assert.DoesNotContain("PCI: Fatal", Host.Log);
            Assert.Matches(@"\[priming-linux\] \[\s*[\d.]+\] pci 0000:00:00\.0: \[8086:1237\]", Host.Log);
            Assert.Matches(@"\[priming-linux\] \[\s*[\d.]+\] virtio_blk virtio0: \[vda\] 32768 512-byte logical blocks", Host.Log);
            Shell.Ps.Run("New-HvVm -Server $h -Template linux -Name disk -Count 2 -Start | Out-Null").NoErrors();

            // dmesg -n 1: the kernel's notes (drop_caches says it ran) stay off the console, out of the outputs.
            Assert.Equal("32768", Run("disk-1", "dmesg -n 1; cat /sys/block/vda/size", 1).Trim());
            string raw = Run("disk-1", "echo hv-raw-sector | dd of=/dev/vda bs=512 conv=sync 2>/dev/null; sync; "
                + "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 13; echo", 2);
            Assert.Equal("hv-raw-sector", raw.Trim());
            string file = Run("disk-1", "mkdir -p /mnt && mke2fs -q /dev/vda && mount /dev/vda /mnt && echo hv-disk-file > /mnt/f "
                + "&& umount /mnt && echo 3 > /proc/sys/vm/drop_caches && mount /dev/vda /mnt && cat /mnt/f", 3);
            Assert.Equal("hv-disk-file", file.Trim().Split('\n').Last().Trim());

            // Read-only: mounting read-write would write the superblock's mount count.
            string template = Run("disk-2", "dmesg -n 1; mkdir -p /mnt && mount -o ro /dev/vda /mnt && cat /mnt/hello.txt && ls /mnt", 4);
            Assert.Contains("hv-template-disk", template);
            Assert.DoesNotContain("hv-disk-file", template);
            Assert.DoesNotMatch(@"(?m)^f$", template);

            var m = Shell.Ps.Run("Measure-HvVm -Server $h -Name disk-1, disk-2").NoErrors().Of("HvVmMetrics").ToDictionary(x => (string)x.VmName);
            Assert.True((ulong)m["disk-1"].DiskWrites > 0 && (ulong)m["disk-1"].DiskBytesWritten >= 512, "the raw sector and mke2fs were written");
            Assert.True((ulong)m["disk-2"].DiskReads > 0);
            Assert.Equal(0UL, (ulong)m["disk-2"].DiskWrites);
            Shell.Ps.Run("Get-HvVm -Server $h -Name disk-* | Remove-HvVm -Force").NoErrors();
        }

        [Fact]
        public void A_file_on_the_disk_survives_the_vms_stop_and_start()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Shell.Ps.Run("New-HvVm -Server $h -Template linux -Name keep -Start | Out-Null").NoErrors();
            Assert.Equal("written", Run("keep", "dmesg -n 1; mkdir -p /mnt && mke2fs -q /dev/vda && mount /dev/vda /mnt "
                + "&& echo hv-kept-file > /mnt/kept && umount /mnt && echo written", 11).Trim().Split('\n').Last().Trim());

            var stopped = Shell.Ps.Run("Stop-HvVm -Server $h -Name keep -TurnOff -Force -PassThru").NoErrors().Of("HvVm");
            Assert.Equal("Stopped", (string)Assert.Single(stopped).State.ToString());
            var disk = Shell.Ps.Run("Get-HvVmHardDiskDrive -Server $h -VMName keep").NoErrors().Of("HvVmHardDiskDrive");
            Assert.True((ulong)Assert.Single(disk).BytesAllocated > 0, "a stopped VM keeps its written disk pages");
            Shell.Ps.Run("Start-HvVm -Server $h -Name keep").NoErrors();

            // The restart continues the primed template, whose page cache holds the disk as the priming boot read it
            // (all zeros): drop it before mounting, as the docs say.
            string back = Run("keep", "dmesg -n 1; echo 3 > /proc/sys/vm/drop_caches; mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/kept", 12);
            Assert.Equal("hv-kept-file", back.Trim().Split('\n').Last().Trim());

            // Another disk in its drive while it is off: the continued driver hears the configuration change at the
            // start and reads the new capacity (32 MiB = 65536 sectors).
            Shell.Ps.Run(@"New-HvDisk -Server $h keep-32m -SizeBytes 32MB | Out-Null
                           Stop-HvVm -Server $h -Name keep -TurnOff -Force
                           Add-HvVmHardDiskDrive -Server $h -VMName keep -DiskName keep-32m -Force
                           Start-HvVm -Server $h -Name keep").NoErrors();
            Assert.Equal("65536", Run("keep", "for i in 1 2 3 4 5 6 7 8 9 10; do [ $(cat /sys/block/vda/size) = 65536 ] && break; sleep 1; done; "
                + "cat /sys/block/vda/size", 13).Trim());
            Shell.Ps.Run("Stop-HvVm -Server $h -Name keep -TurnOff -Force; Remove-HvVm -Server $h -Name keep -Force").NoErrors();
        }

        [Fact]
        public void Restoring_a_snapshot_brings_a_deleted_file_back_from_the_disk()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Shell.Ps.Run("New-HvVm -Server $h -Template linux -Name snap -Start | Out-Null").NoErrors();
            Assert.Equal("written", Run("snap", "dmesg -n 1; mkdir -p /mnt && mke2fs -q /dev/vda && mount /dev/vda /mnt "
                + "&& echo hv-snap-file > /mnt/s && sync && echo written", 21).Trim().Split('\n').Last().Trim());
            Shell.Ps.Run("Checkpoint-HvVm -Server $h -Name snap -SnapshotName before | Out-Null").NoErrors();
            // Deleted and gone from the disk itself (unmounted, caches dropped, mounted again).
            Assert.Equal("gone", Run("snap", "rm /mnt/s && umount /mnt && echo 3 > /proc/sys/vm/drop_caches && mount /dev/vda /mnt "
                + "&& (test -e /mnt/s || echo gone)", 22).Trim().Split('\n').Last().Trim());

            Shell.Ps.Run("Restore-HvVmSnapshot -Server $h -VMName snap -Name before -Force; Resume-HvVm -Server $h -Name snap").NoErrors();
            // The restored guest still has the file system mounted; read the file from the disk, not the page cache.
            string back = Run("snap", "umount /mnt && echo 3 > /proc/sys/vm/drop_caches && mount /dev/vda /mnt && cat /mnt/s", 23);
            Assert.Equal("hv-snap-file", back.Trim().Split('\n').Last().Trim());
            Shell.Ps.Run("Stop-HvVm -Server $h -Name snap -TurnOff -Force; Remove-HvVm -Server $h -Name snap -Force").NoErrors();
        }
    }
}
