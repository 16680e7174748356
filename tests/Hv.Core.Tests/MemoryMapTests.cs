using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    public class MemoryMapTests
    {
        private const ulong MiB = 0x100000;

        private static MemoryRegion Usable(ulong b, ulong l) => new MemoryRegion(b, l, MemoryRegionType.Usable);
        private static MemoryRegion Reserved(ulong b, ulong l) => new MemoryRegion(b, l, MemoryRegionType.Reserved);

        private static PhysicalRange[] Ranges(MemoryMap map)
        {
            var result = new PhysicalRange[map.Count];
            for (int i = 0; i < map.Count; i++) result[i] = map[i];
            return result;
        }

        [Fact]
        public void TypicalQemuMapLosesLowMemoryAndReservedHoles()
        {
            MemoryMap map = MemoryMap.Build(new[]
            {
                Usable(0, 0x9FC00), Reserved(0x9FC00, 0x400), Reserved(0xF0000, 0x10000),
                Usable(MiB, 511 * MiB), Reserved(0xFFFC0000, 0x40000),
            }, new PhysicalRange[0]);

            Assert.Equal(new[] { new PhysicalRange(MiB, 512 * MiB) }, Ranges(map));
            Assert.Equal(511 * MiB, map.UsableBytes);
            Assert.Equal(0x9FC00 + 511 * MiB, map.TotalBytes);
            Assert.Equal(512 * MiB, map.HighestUsableEnd);
        }

        [Fact]
        public void UnsortedOverlappingUsableRegionsAreMergedAndSorted()
        {
            MemoryMap map = MemoryMap.Build(new[]
            {
                Usable(8 * MiB, 4 * MiB), Usable(2 * MiB, 2 * MiB), Usable(3 * MiB, 2 * MiB), Usable(5 * MiB, MiB),
            }, null);

            Assert.Equal(new[] { new PhysicalRange(2 * MiB, 6 * MiB), new PhysicalRange(8 * MiB, 12 * MiB) }, Ranges(map));
            Assert.Equal(8 * MiB, map.UsableBytes);
            Assert.Equal(8 * MiB, map.TotalBytes); // overlap counted once
        }

        [Fact]
        public void ReservedWinsOverOverlappingUsableRegardlessOfOrder()
        {
            MemoryMap map = MemoryMap.Build(new[]
            {
                Reserved(3 * MiB, MiB), Usable(2 * MiB, 4 * MiB), Reserved(5 * MiB + 0x800, 0x100),
            }, null);

            // [5 MiB + 0x800, +0x100) widens to the whole page at 5 MiB.
            Assert.Equal(new[]
            {
                new PhysicalRange(2 * MiB, 3 * MiB),
                new PhysicalRange(4 * MiB, 5 * MiB),
                new PhysicalRange(5 * MiB + 0x1000, 6 * MiB),
            }, Ranges(map));
        }

        [Fact]
        public void CallerReservationsSplitUsableRanges()
        {
            MemoryMap map = MemoryMap.Build(new[] { Usable(MiB, 15 * MiB) }, new[]
            {
                new PhysicalRange(MiB, 2 * MiB + 0x123),      // image, unaligned end
                new PhysicalRange(8 * MiB, 8 * MiB + 0x40),   // boot info
                new PhysicalRange(10 * MiB, 10 * MiB),        // empty: ignored
            });

            Assert.Equal(new[]
            {
                new PhysicalRange(2 * MiB + 0x1000, 8 * MiB),
                new PhysicalRange(8 * MiB + 0x1000, 16 * MiB),
            }, Ranges(map));
            Assert.Equal(14 * MiB - 0x2000, map.UsableBytes);
        }

        [Fact]
        public void UsableRangesShrinkInwardToPageBoundaries()
        {
            MemoryMap map = MemoryMap.Build(new[] { Usable(2 * MiB + 1, MiB) }, null);
            Assert.Equal(new[] { new PhysicalRange(2 * MiB + 0x1000, 3 * MiB) }, Ranges(map));

            MemoryMap tiny = MemoryMap.Build(new[] { Usable(2 * MiB + 1, 0xFFF) }, null);
            Assert.Equal(0, tiny.Count);
        }

        [Fact]
        public void ZeroLengthAndWrappingRegionsAreDropped()
        {
            MemoryMap map = MemoryMap.Build(new[]
            {
                Usable(4 * MiB, 0), Usable(ulong.MaxValue - 0xFFF, 0x2000), Reserved(ulong.MaxValue, 2),
                Usable(2 * MiB, MiB),
            }, null);

            Assert.Equal(new[] { new PhysicalRange(2 * MiB, 3 * MiB) }, Ranges(map));
            Assert.Equal(MiB, map.TotalBytes);
        }

        [Fact]
        public void MemoryAboveThePhysicalAddressLimitIsClipped()
        {
            MemoryMap map = MemoryMap.Build(new[] { Usable(MemoryMap.MaxPhysicalAddress - MiB, 2 * MiB) }, null);
            Assert.Equal(new[] { new PhysicalRange(MemoryMap.MaxPhysicalAddress - MiB, MemoryMap.MaxPhysicalAddress) }, Ranges(map));
        }

        [Fact]
        public void ReservedRegionReachingTopOfAddressSpaceDoesNotWrap()
        {
            MemoryMap map = MemoryMap.Build(new[] { Usable(MiB, 3 * MiB), Reserved(3 * MiB, ulong.MaxValue - 3 * MiB) }, null);
            Assert.Equal(new[] { new PhysicalRange(MiB, 3 * MiB) }, Ranges(map));
        }

        [Fact]
        public void NonUsableTypesAreAllExcluded()
        {
            MemoryMap map = MemoryMap.Build(new[]
            {
                Usable(MiB, 7 * MiB),
                new MemoryRegion(2 * MiB, MiB, MemoryRegionType.AcpiReclaimable),
                new MemoryRegion(4 * MiB, MiB, MemoryRegionType.AcpiNvs),
                new MemoryRegion(6 * MiB, MiB, (MemoryRegionType)77),
            }, null);

            Assert.Equal(new[]
            {
                new PhysicalRange(MiB, 2 * MiB), new PhysicalRange(3 * MiB, 4 * MiB),
                new PhysicalRange(5 * MiB, 6 * MiB), new PhysicalRange(7 * MiB, 8 * MiB),
            }, Ranges(map));
        }

        [Fact]
        public void IsUsableAnswersPerPage()
        {
            MemoryMap map = MemoryMap.Build(new[] { Usable(2 * MiB, MiB), Usable(4 * MiB, MiB) }, null);
            Assert.True(map.IsUsable(2 * MiB));
            Assert.True(map.IsUsable(3 * MiB - 1));
            Assert.False(map.IsUsable(3 * MiB));
            Assert.True(map.IsUsable(4 * MiB + 0x1000));
            Assert.False(map.IsUsable(0));
            Assert.False(map.IsUsable(5 * MiB));
        }
    }
}
