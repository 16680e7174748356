using System;
using System.Collections.Generic;
using Internal.Runtime;

namespace Hv.Heap.Tests
{
    /// <summary>
    /// A million seeded random allocations and frees against a model of the live blocks: no two live blocks ever
    /// share a byte (checked on a map of 16-byte granules), every block comes zeroed and keeps what its owner wrote,
    /// the statistics match the model at every step, refused frees change nothing, and freeing everything brings
    /// bytes and blocks in use back to zero and the pages held down to the few the heap keeps for reuse.
    /// </summary>
    public unsafe class SlabHeapModelTests
    {
        private const int Operations = 1_000_000;
        private const int TargetLive = 3000;

        private struct Live
        {
            public byte* Block;
            public ulong Size;
            public byte Tag;
        }

        [Fact]
        public void AMillionRandomOperationsKeepEveryBlockApartAndBalanceTheBooks()
        {
            using var pages = new FakePages(16 * 256); // 16 MiB
            var heap = new SlabHeap(pages, pages.Start, pages.End);
            var random = new Random(14);
            var live = new List<Live>();
            var granuleTaken = new bool[(pages.End - pages.Start) / 16];
            ulong modelBytes = 0;
            int refusals = 0;

            for (int op = 0; op < Operations; op++)
            {
                bool allocate = live.Count == 0 || random.Next(100) < (live.Count < TargetLive ? 60 : 40);
                if (allocate)
                {
                    ulong size = RandomSize(random);
                    byte* block = heap.Allocate(size);
                    Assert.True(block != null, "the provider has room to spare");
                    Assert.Equal(0UL, (ulong)block % 16);
                    ulong bytes = SlabHeap.BlockBytesFor(size);
                    Mark(granuleTaken, pages, block, bytes, true);
                    var contents = new Span<byte>(block, (int)size);
                    Assert.True(contents.IndexOfAnyExcept((byte)0) < 0, "a block handed out dirty");
                    byte tag = (byte)(op | 1);
                    contents.Fill(tag);
                    live.Add(new Live { Block = block, Size = size, Tag = tag });
                    modelBytes += bytes;
                }
                else
                {
                    int index = random.Next(live.Count);
                    Live victim = live[index];
                    live[index] = live[^1];
                    live.RemoveAt(live.Count - 1);
                    Assert.True(new ReadOnlySpan<byte>(victim.Block, (int)victim.Size).IndexOfAnyExcept(victim.Tag) < 0,
                                "a live block was written by someone else");
                    ulong bytes = SlabHeap.BlockBytesFor(victim.Size);
                    Mark(granuleTaken, pages, victim.Block, bytes, false);
                    Assert.Equal(HeapFreeStatus.Ok, heap.Free(victim.Block, victim.Size));
                    modelBytes -= bytes;
                    if (random.Next(100) == 0)
                    {
                        Assert.NotEqual(HeapFreeStatus.Ok, heap.Free(victim.Block)); // a double free
                        refusals++;
                    }
                    if (live.Count > 0 && random.Next(200) == 0)
                    {
                        Live other = live[random.Next(live.Count)];
                        int granules = (int)(SlabHeap.BlockBytesFor(other.Size) / 16);
                        if (granules > 1)
                        {
                            Assert.Equal(HeapFreeStatus.InsideBlock, heap.Free(other.Block + 16 * random.Next(1, granules)));
                            refusals++;
                        }
                    }
                }
                Assert.Equal(modelBytes, heap.BytesInUse);
                Assert.Equal((ulong)live.Count, heap.BlocksInUse);
                Assert.Equal((ulong)pages.Outstanding, heap.PagesHeld);
            }

            Assert.True(refusals > 1000);
            foreach (Live block in live) Assert.Equal(HeapFreeStatus.Ok, heap.Free(block.Block, block.Size));
            Assert.Equal(0UL, heap.BytesInUse);
            Assert.Equal(0UL, heap.BlocksInUse);
            // What stays: at most one slab per class, their page-map pages, and the descriptor pages.
            Assert.InRange(heap.PagesHeld, 0UL, (ulong)(HeapSizeClasses.Count * (HeapSizeClasses.MaxSlabPages + 1) + 8));
        }

        // Mostly small blocks, some of the bigger classes, a few page blocks up to 40 KiB.
        private static ulong RandomSize(Random random)
        {
            int pick = random.Next(100);
            if (pick < 70) return (ulong)random.Next(0, 257);
            if (pick < 98) return (ulong)random.Next(257, 8193);
            return (ulong)random.Next(8193, 40001);
        }

        private static void Mark(bool[] granules, FakePages pages, byte* block, ulong bytes, bool taken)
        {
            var span = new Span<bool>(granules, (int)(((ulong)block - pages.Start) / 16), (int)(bytes / 16));
            Assert.True(span.IndexOf(taken) < 0, taken ? "two live blocks overlap" : "a block freed twice by the model");
            span.Fill(taken);
        }
    }
}
