using System;
using Hv.Core.Boot;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    public class Multiboot2InfoTests
    {
        [Fact]
        public void ParsesCommandLineModulesMemoryMapAndBasicInfo()
        {
            byte[] data = new Multiboot2Builder()
                .CommandLine("hv.log=com2 quiet")
                .BasicMemory(639, 523136)
                .Module(0x200000, 0x201234, "guest.elf arg")
                .Module(0x300000, 0x300100, "")
                .MemoryMap((0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0x100000, 0x1FF00000, 1), (0xFFFC0000, 0x40000, 2))
                .End().Build();

            Multiboot2Info info = Multiboot2Info.Parse(data);

            Assert.Equal(Multiboot2Status.Ok, info.Status);
            Assert.Equal("hv.log=com2 quiet", info.CommandLine);
            Assert.True(info.HasBasicMemoryInfo);
            Assert.Equal(639u, info.LowerMemoryKiB);
            Assert.Equal(523136u, info.UpperMemoryKiB);
            Assert.Equal(2, info.Modules.Length);
            Assert.Equal(0x200000UL, info.Modules[0].Start);
            Assert.Equal(0x201234UL, info.Modules[0].End);
            Assert.Equal("guest.elf arg", info.Modules[0].CommandLine);
            Assert.Equal("", info.Modules[1].CommandLine);
            Assert.Equal(4, info.MemoryRegions.Length);
            Assert.Equal(0x100000UL, info.MemoryRegions[2].Base);
            Assert.Equal(0x1FF00000UL, info.MemoryRegions[2].Length);
            Assert.Equal(MemoryRegionType.Usable, info.MemoryRegions[2].Type);
            Assert.Equal(MemoryRegionType.Reserved, info.MemoryRegions[3].Type);
        }

        [Fact]
        public void UnknownTagsAreSkippedAndLargerEntrySizesHonoured()
        {
            byte[] data = new Multiboot2Builder()
                .Tag(2, System.Text.Encoding.ASCII.GetBytes("GRUB 2.12\0"))
                .MemoryMap(32, (0x100000, 0x100000, 1), (0x200000, 0x1000, 3))
                .End().Build();

            Multiboot2Info info = Multiboot2Info.Parse(data);

            Assert.Equal(Multiboot2Status.Ok, info.Status);
            Assert.Equal(2, info.MemoryRegions.Length);
            Assert.Equal(0x200000UL, info.MemoryRegions[1].Base);
            Assert.Equal(MemoryRegionType.AcpiReclaimable, info.MemoryRegions[1].Type);
        }

        [Fact]
        public void TagRunningPastTotalSizeIsTruncatedAndKeepsEarlierTags()
        {
            byte[] data = new Multiboot2Builder()
                .CommandLine("first")
                .RawTag(6, 4000, new byte[16]) // claims far more than exists
                .End().Build();

            Multiboot2Info info = Multiboot2Info.Parse(data);

            Assert.Equal(Multiboot2Status.Truncated, info.Status);
            Assert.Equal("first", info.CommandLine);
            Assert.Empty(info.MemoryRegions);
        }

        [Fact]
        public void TotalSizeLargerThanSpanIsTruncated()
        {
            byte[] data = new Multiboot2Builder().CommandLine("x").End().Build();
            Multiboot2Info info = Multiboot2Info.Parse(new ReadOnlySpan<byte>(data, 0, data.Length - 8));
            Assert.Equal(Multiboot2Status.Truncated, info.Status);
        }

        [Fact]
        public void SpanShorterThanHeaderIsTruncated()
        {
            Assert.Equal(Multiboot2Status.Truncated, Multiboot2Info.Parse(new byte[5]).Status);
            Assert.Equal(Multiboot2Status.Truncated, Multiboot2Info.Parse(ReadOnlySpan<byte>.Empty).Status);
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(8u)]
        [InlineData(15u)]
        public void TotalSizeTooSmallForEndTagIsBadTotalSize(uint totalSize)
        {
            byte[] data = new byte[64];
            BitConverter.GetBytes(totalSize).CopyTo(data, 0);
            Assert.Equal(Multiboot2Status.BadTotalSize, Multiboot2Info.Parse(data).Status);
        }

        [Fact]
        public void TagSmallerThanHeaderIsBadTag()
        {
            byte[] data = new Multiboot2Builder().RawTag(1, 4, new byte[8]).End().Build();
            Assert.Equal(Multiboot2Status.BadTag, Multiboot2Info.Parse(data).Status);
        }

        [Fact]
        public void MemoryMapWithTinyEntrySizeIsBadTag()
        {
            byte[] data = new Multiboot2Builder().MemoryMap(16, (0x100000, 0x1000, 1)).End().Build();
            Assert.Equal(Multiboot2Status.BadTag, Multiboot2Info.Parse(data).Status);
        }

        [Fact]
        public void ModuleTagWithoutAddressesIsBadTag()
        {
            byte[] data = new Multiboot2Builder().Tag(3, new byte[4]).End().Build();
            Assert.Equal(Multiboot2Status.BadTag, Multiboot2Info.Parse(data).Status);
        }

        [Fact]
        public void MissingEndTagIsReported()
        {
            byte[] data = new Multiboot2Builder().CommandLine("x").Build();
            Assert.Equal(Multiboot2Status.MissingEndTag, Multiboot2Info.Parse(data).Status);
        }

        [Fact]
        public void TooManyMemoryMapEntriesIsCappedAndReported()
        {
            var entries = new (ulong, ulong, uint)[Multiboot2Info.MaxMemoryRegions + 1];
            for (int i = 0; i < entries.Length; i++) entries[i] = ((ulong)i * 0x100000, 0x1000, 1);
            Multiboot2Info info = Multiboot2Info.Parse(new Multiboot2Builder().MemoryMap(entries).End().Build());
            Assert.Equal(Multiboot2Status.TooManyEntries, info.Status);
            Assert.Equal(Multiboot2Info.MaxMemoryRegions, info.MemoryRegions.Length);
        }

        [Fact]
        public void TooManyModulesIsCappedAndReported()
        {
            var b = new Multiboot2Builder();
            for (int i = 0; i <= Multiboot2Info.MaxModules; i++) b.Module((uint)i * 0x1000, (uint)i * 0x1000 + 1, "m");
            Multiboot2Info info = Multiboot2Info.Parse(b.End().Build());
            Assert.Equal(Multiboot2Status.TooManyModules, info.Status);
            Assert.Equal(Multiboot2Info.MaxModules, info.Modules.Length);
        }

        [Fact]
        public void CommandLineWithoutNulStopsAtTagEndAndMasksControlBytes()
        {
            byte[] data = new Multiboot2Builder().Tag(1, new byte[] { (byte)'a', 0x1B, (byte)'b', 0xC3 }).End().Build();
            for (int i = 20; i < 24; i++) data[i] = (byte)'Z'; // non-zero padding after the 12-byte tag
            Multiboot2Info info = Multiboot2Info.Parse(data);
            Assert.Equal(Multiboot2Status.Ok, info.Status);
            Assert.Equal("a?b?", info.CommandLine);
        }

        [Fact]
        public void RandomCorruptionNeverReadsOutsideTheSpan()
        {
            byte[] good = new Multiboot2Builder()
                .CommandLine("hv.log=com2").Module(0x200000, 0x300000, "g")
                .MemoryMap((0x100000, 0x1000000, 1)).End().Build();
            var random = new Random(1234);
            for (int round = 0; round < 5000; round++)
            {
                byte[] data = (byte[])good.Clone();
                int flips = random.Next(1, 6);
                for (int f = 0; f < flips; f++) data[random.Next(data.Length)] = (byte)random.Next(256);
                int length = random.Next(data.Length + 1);
                // Any exception (IndexOutOfRange from the span) fails the test.
                Multiboot2Info.Parse(new ReadOnlySpan<byte>(data, 0, length));
            }
        }
    }
}
