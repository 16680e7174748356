using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>A host that primes the linux template (which has disk=16M) in the background from boot.</summary>
    public sealed class PrimedLinuxDiskHostFixture : IDisposable
    {
        public RunningHost Host { get; } = RunningHost.Start(cmdline: "hv.prime=linux");
        public void Dispose() => Host.Dispose();
    }

    /// <summary>
    /// A VM's own hardware: Debian's unmodified 6.1 kernel finds the linux template's virtio disk on PCI with its stock
    /// command line (the DSDT's PCI0, configuration ports 0xCF8/0xCFC, MSI-X), and a clone of the primed template writes
    /// a raw sector and an ext2 file system to /dev/vda and reads them back past the page cache; another clone's disk
    /// is still the primed one, all zeros (copy-on-write). One Linux boot: the priming VM's.
    /// </summary>
    public class LinuxDiskTests : IClassFixture<PrimedLinuxDiskHostFixture>, IDisposable
    {
        private readonly RunningHost _host;
        private readonly PsSession _ps = new PsSession();

        public LinuxDiskTests(PrimedLinuxDiskHostFixture fixture)
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

        [Fact]
        public void A_clone_writes_its_virtio_disk_raw_and_through_ext2_and_reads_it_back_while_another_clone_sees_zeros()
        {
            using var guard = _host.Within(TimeSpan.FromSeconds(3600));
            _host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Assert.Contains("[priming-linux] ", _host.Log);
            Assert.DoesNotContain("PCI: Fatal", _host.Log);
            Assert.Matches(@"\[priming-linux\] \[\s*[\d.]+\] pci 0000:00:00\.0: \[8086:1237\]", _host.Log);
            Assert.Matches(@"\[priming-linux\] \[\s*[\d.]+\] virtio_blk virtio0: \[vda\] 32768 512-byte logical blocks", _host.Log);
            _ps.Run("New-HvVm -Server $h -Template linux -Name disk -Count 2 -Start | Out-Null").NoErrors();

            // dmesg -n 1: the kernel's notes (drop_caches says it ran) stay off the console, out of the outputs.
            Assert.Equal("32768", Run("disk-1", "dmesg -n 1; cat /sys/block/vda/size", 1).Trim());
            string raw = Run("disk-1", "echo hv-raw-sector | dd of=/dev/vda bs=512 conv=sync 2>/dev/null; sync; "
                + "echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 13; echo", 2);
            Assert.Equal("hv-raw-sector", raw.Trim());
            string file = Run("disk-1", "mkdir -p /mnt && mke2fs -q /dev/vda && mount /dev/vda /mnt && echo hv-disk-file > /mnt/f "
                + "&& umount /mnt && echo 3 > /proc/sys/vm/drop_caches && mount /dev/vda /mnt && cat /mnt/f", 3);
            Assert.Equal("hv-disk-file", file.Trim().Split('\n').Last().Trim());

            Assert.Equal("0", Run("disk-2", "dd if=/dev/vda bs=4096 count=16 2>/dev/null | tr -d '\\000' | wc -c", 4).Trim());
        }
    }
}
