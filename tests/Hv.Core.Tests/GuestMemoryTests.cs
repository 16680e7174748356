using System;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    public class GuestMemoryTests
    {
        private const ulong MiB = 0x100000;

        private static (EptTestPages Pages, EptBuilder Ept, GuestMemory Memory) Create(ulong size)
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(GuestMemoryStatus.Ok, GuestMemory.Create(pages, ept, size, out GuestMemory memory));
            return (pages, ept, memory);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(0x1800UL)]
        [InlineData(GuestMemory.MaxSize + 0x1000)]
        public void RefusesBadSizes(ulong size)
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(GuestMemoryStatus.InvalidSize, GuestMemory.Create(pages, ept, size, out GuestMemory memory));
            Assert.Null(memory);
            Assert.Equal(1, pages.Outstanding);
        }

        [Fact]
        public void MapsExactlyItsRamAndNothingElse()
        {
            var (pages, ept, memory) = Create(3 * MiB + 0x5000);
            var leaves = EptBuilderTests.Leaves(pages, ept);
            Assert.Equal(memory.PageCount, leaves.Count);
            Assert.Equal(0x305, leaves.Count);
            for (int i = 0; i < leaves.Count; i++)
            {
                var (gpa, entry, size) = leaves[i];
                Assert.Equal((ulong)i * 0x1000, gpa); // [0, size), each page once, in order
                Assert.Equal(0x1000UL, size);
                Assert.Equal(7UL | (6 << 3) | (1 << 6), entry & 0xFFF); // RWX, WB, ignore PAT
                Assert.Equal(memory.HostAddress(gpa), entry & EptEntry.AddressMask);
                Assert.True(pages.IsOutstanding(entry & EptEntry.AddressMask));
            }
            // Every host page is distinct: no two guest pages share memory.
            var hosts = new System.Collections.Generic.HashSet<ulong>();
            foreach (var leaf in leaves)
                Assert.True(hosts.Add(leaf.Entry & EptEntry.AddressMask));
        }

        [Fact]
        public void ReadsAndWritesAcrossPageBoundaries()
        {
            var (pages, ept, memory) = Create(4 * 0x1000);
            byte[] data = new byte[6000];
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(i * 7 + 1);
            Assert.True(memory.Write(0xFF0, data));
            byte[] back = new byte[data.Length];
            Assert.True(memory.Read(0xFF0, back));
            Assert.Equal(data, back);
            // The bytes sit in the host pages the EPT points at.
            Assert.True(ept.Translate(0x1000, out ulong hpa, out _));
            Assert.Equal(hpa, memory.HostAddress(0x1000));
            Assert.Equal(data[0x10], pages.Page(hpa)[0]);
            Assert.Equal(memory.HostAddress(0x1000) + 0x123, memory.HostAddress(0x1123));
        }

        [Theory]
        [InlineData(0x4000UL - 1, 2)]     // straddles the end
        [InlineData(0x4000UL, 1)]         // just past
        [InlineData(ulong.MaxValue, 1)]   // wraps
        [InlineData(ulong.MaxValue - 2, 8)]
        [InlineData(0UL, 0x4001)]         // longer than the RAM
        public void RefusesAnyByteOutsideRamAndCopiesNothing(ulong gpa, int length)
        {
            var (_, _, memory) = Create(4 * 0x1000);
            byte[] ones = new byte[0x4000];
            Array.Fill(ones, (byte)1);
            Assert.True(memory.Write(0, ones));

            byte[] src = new byte[length];
            Array.Fill(src, (byte)0xEE);
            Assert.False(memory.Write(gpa, src));
            byte[] after = new byte[0x4000];
            Assert.True(memory.Read(0, after));
            Assert.Equal(ones, after);

            byte[] dest = new byte[length];
            Array.Fill(dest, (byte)0x55);
            Assert.False(memory.Read(gpa, dest));
            Assert.All(dest, b => Assert.Equal(0x55, b));
            Assert.Equal(0UL, memory.HostAddress(0x4000));
        }

        [Fact]
        public void OutOfMemoryHalfWayGivesEverythingBack()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            pages.Budget = 100;
            Assert.Equal(GuestMemoryStatus.OutOfMemory, GuestMemory.Create(pages, ept, 2 * MiB, out GuestMemory memory));
            Assert.Null(memory);
            Assert.Empty(EptBuilderTests.Leaves(pages, ept));
            ept.Destroy();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void RefusesRamOverAnExistingMapping()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x3000, 0x1000, EptPermissions.Read, EptMemoryType.Uncacheable);
            Assert.Equal(GuestMemoryStatus.MappingFailed, GuestMemory.Create(pages, ept, 0x8000, out _));
            Assert.Single(EptBuilderTests.Leaves(pages, ept)); // only the foreign mapping stays
        }

        [Fact]
        public void ReleaseUnmapsAndFreesEveryPage()
        {
            var (pages, ept, memory) = Create(MiB);
            memory.Release();
            Assert.Empty(EptBuilderTests.Leaves(pages, ept));
            Assert.False(memory.Read(0, new byte[1]));
            Assert.False(memory.Write(0, new byte[1]));
            Assert.Equal(0UL, memory.HostAddress(0));
            memory.Release();
            ept.Destroy();
            Assert.Equal(0, pages.Outstanding);
        }
    }
}
