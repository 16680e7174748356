using System.Text;
using Hv.Core.Guests;

namespace Hv.Core.Tests
{
    public class GuestMultibootInfoTests
    {
        private const ulong MiB = 0x100000;

        [Fact]
        public void InfoBlockBytes()
        {
            var memory = new LoaderTestMemory(32 * MiB, 0xCC);
            byte[] cmdline = Encoding.ASCII.GetBytes("console=ttyS0 quiet");
            Assert.Equal(GuestLoadStatus.Ok, MultibootInfoBuilder.Build(memory, 32 * MiB, cmdline));

            const ulong info = 0x2000;
            Assert.Equal(0x245U, memory.U32(info));            // mem, cmdline, mmap, loader name
            Assert.Equal(640U, memory.U32(info + 4));           // mem_lower KiB
            Assert.Equal(31U * 1024, memory.U32(info + 8));     // mem_upper KiB above 1 MiB
            Assert.Equal(0U, memory.U32(info + 12));            // boot_device not given
            Assert.Equal(0x2200U, memory.U32(info + 16));       // cmdline
            Assert.Equal(0U, memory.U32(info + 20));            // mods_count
            Assert.Equal(72U, memory.U32(info + 44));           // mmap_length: 3 entries x 24
            Assert.Equal(0x2080U, memory.U32(info + 48));       // mmap_addr
            Assert.Equal(0x2100U, memory.U32(info + 64));       // boot_loader_name
            for (ulong at = 68; at < 116; at += 4)
                Assert.Equal(0U, memory.U32(info + at));        // no APM, VBE or framebuffer
            Assert.Equal(new byte[] { 0xCC }, memory.Bytes(info + 116, 1));

            AssertMapEntry(memory, 0x2080, 0, 0xA0000, 1);
            AssertMapEntry(memory, 0x2098, 0xA0000, 0x60000, 2);
            AssertMapEntry(memory, 0x20B0, MiB, 31 * MiB, 1);

            Assert.Equal(Encoding.ASCII.GetBytes("Hv\0"), memory.Bytes(0x2100, 3));
            Assert.Equal(Encoding.ASCII.GetBytes("console=ttyS0 quiet\0"), memory.Bytes(0x2200, cmdline.Length + 1));
        }

        private static void AssertMapEntry(LoaderTestMemory memory, ulong at, ulong baseAddress, ulong length, uint type)
        {
            Assert.Equal(20U, memory.U32(at)); // size excludes the size field itself
            Assert.Equal(baseAddress, memory.U64(at + 4));
            Assert.Equal(length, memory.U64(at + 12));
            Assert.Equal(type, memory.U32(at + 20));
        }

        [Fact]
        public void EmptyCommandLineIsAnEmptyString()
        {
            var memory = new LoaderTestMemory(2 * MiB, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, MultibootInfoBuilder.Build(memory, 2 * MiB, new byte[0]));
            Assert.Equal(0, memory[0x2200]);
        }

        [Fact]
        public void MemUpperStopsAt4GiBButTheMapHasAllRam()
        {
            var memory = new LoaderTestMemory(6UL << 30);
            Assert.Equal(GuestLoadStatus.Ok, MultibootInfoBuilder.Build(memory, 6UL << 30, new byte[0]));
            Assert.Equal((uint)((4UL << 30) - MiB) / 1024, memory.U32(0x2008));
            Assert.Equal((6UL << 30) - MiB, memory.U64(0x20B0 + 12));
        }

        [Fact]
        public void RefusesWhatDoesNotFit()
        {
            var memory = new LoaderTestMemory(32 * MiB);
            Assert.Equal(GuestLoadStatus.CommandLineTooLong, MultibootInfoBuilder.Build(memory, 32 * MiB, new byte[1025]));
            Assert.Equal(GuestLoadStatus.DoesNotFit, MultibootInfoBuilder.Build(memory, MiB, new byte[0]));
            Assert.Equal(0, memory.Writes);
            Assert.Equal(GuestLoadStatus.Ok, MultibootInfoBuilder.Build(memory, 32 * MiB, new byte[1024]));
        }
    }
}
