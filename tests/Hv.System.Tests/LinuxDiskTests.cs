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
    }
}
