using System.Collections.Generic;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    public class PageAllocatorTests
    {
        private const ulong MiB = 0x100000;
        private const ulong Page = 0x1000;

        private static PageAllocator Create(params (ulong Start, ulong End)[] usable)
        {
            var regions = new MemoryRegion[usable.Length];
            for (int i = 0; i < usable.Length; i++)
                regions[i] = new MemoryRegion(usable[i].Start, usable[i].End - usable[i].Start, MemoryRegionType.Usable);
            return new PageAllocator(MemoryMap.Build(regions, null));
        }

        [Fact]
        public void AllocatesEveryUsablePageExactlyOnceThenReturnsZero()
        {
            var allocator = Create((MiB, MiB + 40 * Page), (2 * MiB, 2 * MiB + 100 * Page));
            Assert.Equal(140UL, allocator.TotalPages);
            var seen = new HashSet<ulong>();
            for (int i = 0; i < 140; i++)
            {
                ulong page = allocator.Allocate();
                Assert.NotEqual(0UL, page);
                Assert.Equal(0UL, page % Page);
                bool inFirst = page >= MiB && page < MiB + 40 * Page;
                bool inSecond = page >= 2 * MiB && page < 2 * MiB + 100 * Page;
                Assert.True(inFirst || inSecond, "page outside usable memory");
                Assert.True(seen.Add(page), "page handed out twice");
            }
            Assert.Equal(0UL, allocator.FreePages);
            Assert.Equal(0UL, allocator.Allocate());
            Assert.Equal(0UL, allocator.AllocateContiguous(1, 1));
        }

        [Fact]
        public void FreedPageIsReusedAndCountersTrack()
        {
            var allocator = Create((MiB, MiB + 4 * Page));
            ulong a = allocator.Allocate();
            ulong b = allocator.Allocate();
            Assert.Equal(2UL, allocator.FreePages);
            Assert.Equal(PageFreeStatus.Ok, allocator.Free(a));
            Assert.Equal(3UL, allocator.FreePages);
            Assert.False(allocator.IsAllocated(a));
            Assert.True(allocator.IsAllocated(b));
            Assert.Equal(a, allocator.Allocate());
        }

        [Fact]
        public void FreeRefusalsChangeNothing()
        {
            var allocator = Create((MiB, MiB + 4 * Page), (MiB + 8 * Page, MiB + 12 * Page));
            ulong a = allocator.Allocate();
            ulong free = allocator.FreePages;

            Assert.Equal(PageFreeStatus.Unaligned, allocator.Free(a + 8));
            Assert.Equal(PageFreeStatus.Reserved, allocator.Free(MiB + 5 * Page)); // hole between ranges
            Assert.Equal(PageFreeStatus.Reserved, allocator.Free(0));              // page 0
            Assert.Equal(PageFreeStatus.OutOfRange, allocator.Free(MiB + 12 * Page));
            Assert.Equal(PageFreeStatus.OutOfRange, allocator.Free(ulong.MaxValue & ~0xFFFUL));
            Assert.Equal(PageFreeStatus.DoubleFree, allocator.Free(MiB + 9 * Page)); // never allocated
            Assert.Equal(free, allocator.FreePages);

            Assert.Equal(PageFreeStatus.Ok, allocator.Free(a));
            Assert.Equal(PageFreeStatus.DoubleFree, allocator.Free(a));
            Assert.Equal(free + 1, allocator.FreePages);
        }

        [Fact]
        public void ReservedPagesAreNeverHandedOut()
        {
            var regions = new[] { new MemoryRegion(0, 64 * MiB, MemoryRegionType.Usable) };
            var reserved = new[] { new PhysicalRange(2 * MiB, 3 * MiB), new PhysicalRange(5 * MiB + 1, 5 * MiB + 2) };
            var allocator = new PageAllocator(MemoryMap.Build(regions, reserved));
            ulong expected = (64 * MiB - MiB - MiB - Page) / Page;
            Assert.Equal(expected, allocator.TotalPages);
            for (ulong i = 0; i < expected; i++)
            {
                ulong page = allocator.Allocate();
                Assert.True(page >= MiB, "low memory handed out");
                Assert.False(page >= 2 * MiB && page < 3 * MiB, "reserved range handed out");
                Assert.NotEqual(5 * MiB, page);
            }
            Assert.Equal(0UL, allocator.Allocate());
        }

        [Fact]
        public void ContiguousAllocationIsAlignedFreeAndDisjoint()
        {
            var allocator = Create((MiB, 4 * MiB));
            ulong single = allocator.Allocate(); // disturb the start
            ulong run = allocator.AllocateContiguous(16, 512); // 16 pages on a 2 MiB boundary
            Assert.Equal(2 * MiB, run);
            ulong run2 = allocator.AllocateContiguous(3, 4);
            Assert.Equal(0UL, run2 % (4 * Page));
            Assert.NotEqual(single, run2);
            Assert.True(run2 + 3 * Page <= run || run2 >= run + 16 * Page, "runs overlap");
            for (ulong p = run; p < run + 16 * Page; p += Page) Assert.True(allocator.IsAllocated(p));
            Assert.Equal(768UL - 1 - 16 - 3, allocator.FreePages);
            // No other allocation may land inside the runs.
            for (ulong page = allocator.Allocate(); page != 0; page = allocator.Allocate())
            {
                Assert.False(page >= run && page < run + 16 * Page);
                Assert.False(page >= run2 && page < run2 + 3 * Page);
                Assert.NotEqual(single, page);
            }
        }

        [Fact]
        public void ContiguousAllocationSkipsHolesAndFailsWhenNoRunFits()
        {
            var allocator = Create((MiB, MiB + 3 * Page), (MiB + 4 * Page, MiB + 10 * Page));
            Assert.Equal(MiB + 4 * Page, allocator.AllocateContiguous(5, 1));
            Assert.Equal(0UL, allocator.AllocateContiguous(4, 1));
            Assert.Equal(MiB, allocator.AllocateContiguous(3, 1));
        }

        [Theory]
        [InlineData(0, 1)]
        [InlineData(-1, 1)]
        [InlineData(1, 0)]
        [InlineData(1, 3)]
        public void ContiguousAllocationRejectsBadArguments(int count, int alignment)
        {
            var allocator = Create((MiB, 2 * MiB));
            Assert.Equal(0UL, allocator.AllocateContiguous(count, alignment));
            Assert.Equal(256UL, allocator.FreePages);
        }

        [Fact]
        public void EmptyMapAllocatesNothing()
        {
            var allocator = new PageAllocator(MemoryMap.Build(new MemoryRegion[0], null));
            Assert.Equal(0UL, allocator.TotalPages);
            Assert.Equal(0UL, allocator.Allocate());
            Assert.Equal(PageFreeStatus.OutOfRange, allocator.Free(MiB));
        }

        [Fact]
        public void RandomAllocateFreeNeverDuplicates()
        {
            var allocator = Create((MiB, MiB + 200 * Page), (4 * MiB, 4 * MiB + 177 * Page));
            Assert.Equal(377UL, allocator.TotalPages);
            var held = new List<ulong>();
            var set = new HashSet<ulong>();
            var random = new System.Random(42);
            for (int step = 0; step < 20000; step++)
            {
                if (random.Next(3) != 0)
                {
                    ulong page = allocator.Allocate();
                    if (page == 0) { Assert.Equal(377, held.Count); continue; }
                    Assert.True(set.Add(page));
                    held.Add(page);
                }
                else if (held.Count > 0)
                {
                    int i = random.Next(held.Count);
                    Assert.Equal(PageFreeStatus.Ok, allocator.Free(held[i]));
                    set.Remove(held[i]);
                    held.RemoveAt(i);
                }
                Assert.Equal(377UL - (ulong)held.Count, allocator.FreePages);
            }
        }

        [Fact]
        public void A_contiguous_run_is_the_first_that_fits_however_the_used_pages_lie()
        {
            var rng = new System.Random(12);
            for (int round = 0; round < 200; round++)
            {
                const int pages = 1000;
                var allocator = Create((MiB, MiB + pages * Page));
                var used = new bool[pages];
                for (int i = 0; i < pages; i++) Assert.NotEqual(0UL, allocator.Allocate());
                // Free a random pattern: dense, sparse, or long used stretches with single holes.
                int density = rng.Next(1, 40);
                for (int i = 0; i < pages; i++)
                {
                    used[i] = rng.Next(density) != 0;
                    if (!used[i]) Assert.Equal(PageFreeStatus.Ok, allocator.Free(MiB + (ulong)i * Page));
                }
                int count = rng.Next(1, 6);
                int alignment = 1 << rng.Next(0, 4);
                int expected = -1;
                for (int start = 0; start + count <= pages && expected < 0; start++)
                {
                    if (((MiB / Page) + (ulong)start) % (ulong)alignment != 0) continue;
                    bool free = true;
                    for (int k = 0; k < count && free; k++) free = !used[start + k];
                    if (free) expected = start;
                }
                ulong got = allocator.AllocateContiguous(count, alignment);
                Assert.Equal(expected < 0 ? 0UL : MiB + (ulong)expected * Page, got);
            }
        }
    }
}
