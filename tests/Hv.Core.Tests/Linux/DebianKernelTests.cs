using System;
using System.IO;
using System.Text;
using Hv.Core.Guests;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Xunit;

namespace Hv.Core.Tests.Linux
{
    /// <summary>
    /// The loader on the real guest: Debian 12's cloud kernel and our initramfs, as guests/linux/build.sh leaves them in
    /// artifacts/linux (the UnitTests target builds them first; alone: ./build.sh --target=LinuxGuest).
    /// </summary>
    public class DebianKernelTests
    {
        private const ulong MiB = 0x100000;

        private static byte[] Artifact(string name)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                if (!File.Exists(Path.Combine(dir.FullName, "Hv.sln"))) continue;
                string path = Path.Combine(dir.FullName, "artifacts", "linux", name);
                Assert.True(File.Exists(path), path + " is missing: run ./build.sh --target=LinuxGuest");
                return File.ReadAllBytes(path);
            }
            throw new DirectoryNotFoundException("Hv.sln not found above " + AppContext.BaseDirectory);
        }

        [Fact]
        public void The_debian_bzImage_has_a_64_bit_entry_and_the_header_hv_relies_on()
        {
            byte[] kernel = Artifact("vmlinuz");
            var header = new BzImageHeader();
            Assert.Equal(GuestLoadStatus.Ok, BzImageHeader.Parse(kernel, header));
            Assert.True(header.Version >= BzImageHeader.AcpiRsdpVersion, "6.1 speaks boot protocol 2.15");
            Assert.True(header.Relocatable);
            Assert.Equal(0x1000000UL, header.PrefAddress);
            Assert.True(header.CmdlineSize >= 2047);
            Assert.True(header.InitSize > header.KernelSize);
        }

        [Fact]
        public void The_debian_kernel_and_initramfs_load_into_128_MiB()
        {
            byte[] kernel = Artifact("vmlinuz");
            byte[] initrd = Artifact("initrd.cpio");
            var memory = new LoaderTestMemory(128 * MiB);
            var state = new GuestEntryState();
            byte[] commandLine = Encoding.ASCII.GetBytes("console=ttyS0");
            Assert.Equal(GuestLoadStatus.Ok, LinuxLoader.Load(kernel, initrd, memory, memory.Size, commandLine, state));

            var header = new BzImageHeader();
            BzImageHeader.Parse(kernel, header);
            // The 64-bit entry's first bytes are the file's bytes at 0x200 into the protected-mode kernel.
            Assert.Equal(new ReadOnlySpan<byte>(kernel, header.KernelOffset + 0x200, 16).ToArray(), memory.Bytes(state.Rip, 16));
            ulong zeroPage = state.Rsi;
            uint initrdAt = memory.U32(zeroPage + BootParams.RamdiskImageOffset);
            Assert.Equal((uint)initrd.Length, memory.U32(zeroPage + BootParams.RamdiskSizeOffset));
            Assert.Equal("070701", Encoding.ASCII.GetString(memory.Bytes(initrdAt, 6))); // newc cpio magic
            Assert.True(initrdAt >= header.PrefAddress + header.InitSize);
        }
    }
}
