using System;
using Internal.Runtime;

namespace Hv.Heap.Tests
{
    public unsafe class SlabHeapTests : IDisposable
    {
        private readonly FakePages _pages = new FakePages(2048);
        private readonly SlabHeap _heap;

        public SlabHeapTests() { _heap = new SlabHeap(_pages, _pages.Start, _pages.End); }

        public void Dispose() => _pages.Dispose();

        private static bool AllZero(byte* p, ulong bytes) => new ReadOnlySpan<byte>(p, (int)bytes).IndexOfAnyExcept((byte)0) < 0;

        [Fact]
        public void EverySizeClassHandsOutAlignedZeroedBlocksOfItsSize()
        {
            for (int c = 0; c < HeapSizeClasses.Count; c++)
            {
                uint size = HeapSizeClasses.BlockSize(c);
                ulong bytesBefore = _heap.BytesInUse;
                byte* a = _heap.Allocate(size);
                byte* b = _heap.Allocate(size - 15);  // the same class
                Assert.True(a != null && b != null);
                Assert.Equal(0UL, (ulong)a % 16);
                Assert.Equal(0UL, (ulong)b % 16);
                Assert.True(AllZero(a, size) && AllZero(b, size), $"class {c} not zeroed");
                Assert.True(Math.Abs(a - b) >= size, $"class {c} blocks overlap");
                Assert.Equal(bytesBefore + 2 * size, _heap.BytesInUse);
                Assert.Equal(_pages.Outstanding, (int)_heap.PagesHeld);
            }
            Assert.Equal(2UL * HeapSizeClasses.Count, _heap.BlocksInUse);
        }

        [Fact]
        public void AClassFillsOneSlabBeforeTakingAnother()
        {
            const int sizeClass = 21; // 1536-byte blocks, five to a two-page slab
            uint size = HeapSizeClasses.BlockSize(sizeClass);
            int blocks = HeapSizeClasses.BlocksPerSlab(sizeClass);
            byte* first = _heap.Allocate(size);
            for (int i = 1; i < blocks; i++) Assert.True(_heap.Allocate(size) == first + i * size);
            ulong held = _heap.PagesHeld;
            byte* next = _heap.Allocate(size);
            Assert.True(next < first || next >= first + HeapSizeClasses.SlabPages(sizeClass) * 4096);
            Assert.Equal(held + (ulong)HeapSizeClasses.SlabPages(sizeClass), _heap.PagesHeld);
        }

        [Fact]
        public void AFreedBlockIsHandedOutAgainZeroed()
        {
            byte* a = _heap.Allocate(100);
            byte* b = _heap.Allocate(100);
            byte* c = _heap.Allocate(100);
            new Span<byte>(b, 112).Fill(0xFF);
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(b));
            Assert.Equal(2UL, _heap.BlocksInUse);
            byte* again = _heap.Allocate(97);
            Assert.True(again == b);
            Assert.True(AllZero(again, 112));
            Assert.True(a != b && c != b);
        }

        [Fact]
        public void AnEmptiedSlabGoesBackUnlessItIsItsClassOnlyOne()
        {
            byte** blocks = stackalloc byte*[8];
            for (int i = 0; i < 8; i++) blocks[i] = _heap.Allocate(1024); // four to a one-page slab: two slabs
            ulong held = _heap.PagesHeld;
            for (int i = 0; i < 8; i++) Assert.Equal(HeapFreeStatus.Ok, _heap.Free(blocks[i]));
            Assert.Equal(held - 1, _heap.PagesHeld);
            Assert.Equal(0UL, _heap.BytesInUse);
            Assert.Equal(0UL, _heap.BlocksInUse);
            Assert.Equal(_pages.Outstanding, (int)_heap.PagesHeld);
        }

        [Fact]
        public void BigBlocksAreWholePagesAndGoBackAsPages()
        {
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(_heap.Allocate(9000))); // leaves the descriptor page
            int before = _pages.Outstanding;
            byte* block = _heap.Allocate(8193);
            Assert.Equal(0UL, (ulong)block % 4096);
            Assert.Equal(3UL * 4096, _heap.BytesInUse);
            Assert.True(AllZero(block, 3 * 4096));
            Assert.Equal(before + 3 + 1, _pages.Outstanding); // and a page of the page map
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(block));
            Assert.Equal(before, _pages.Outstanding);

            const ulong upload = 4 * 1024 * 1024 + 1;         // crosses 2 MiB regions of the page map
            block = _heap.Allocate(upload);
            Assert.Equal(SlabHeap.BlockBytesFor(upload), _heap.BytesInUse);
            Assert.InRange(_pages.Outstanding - before, 1025 + 3, 1025 + 4);
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(block));
            Assert.Equal(before, _pages.Outstanding);
            Assert.Equal(0UL, _heap.BytesInUse);
        }

        [Fact]
        public void AnExhaustedProviderYieldsNullAndTheHeapCarriesOn()
        {
            _pages.Limit = 16;
            int served = 0;
            byte*[] blocks = new byte*[2000];
            while (served < blocks.Length && (blocks[served] = _heap.Allocate(32)) != null) served++;
            // One page of descriptors, one of page map, fourteen slabs of 128 blocks.
            Assert.Equal(14 * 128, served);
            ulong bytes = _heap.BytesInUse;
            Assert.True(_heap.Allocate(20000) == null);
            Assert.True(_heap.Allocate(64) == null);
            Assert.Equal(bytes, _heap.BytesInUse);
            Assert.Equal(16, _pages.Outstanding);

            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(blocks[5]));
            Assert.True(_heap.Allocate(32) == blocks[5]);
            for (int i = 0; i < served; i++) Assert.Equal(HeapFreeStatus.Ok, _heap.Free(blocks[i]));
            Assert.Equal(0UL, _heap.BytesInUse);
            Assert.Equal(3, _pages.Outstanding); // descriptors, page map, the class's last slab
        }

        [Fact]
        public void PagesForTheMapRunningOutUndoTheAllocation()
        {
            _pages.Limit = 2;                    // descriptors and the slab, but no page for the map
            Assert.True(_heap.Allocate(32) == null);
            Assert.Equal(1, _pages.Outstanding); // the descriptor page, kept for next time
            Assert.Equal(1UL, _heap.PagesHeld);
            Assert.Equal(0UL, _heap.BlocksInUse);
            _pages.Limit = 3;
            Assert.True(_heap.Allocate(32) != null);
        }

        [Fact]
        public void PagesOutsideTheHeapsRangeAreHandedBack()
        {
            var heap = new SlabHeap(_pages, _pages.End, _pages.End + (64UL << 20));
            Assert.True(heap.Allocate(32) == null);
            Assert.True(heap.Allocate(100000) == null);
            Assert.Equal(1, _pages.Outstanding); // only the descriptor page, which needs no address in range
            Assert.Equal((ulong)_pages.Outstanding, heap.PagesHeld);
        }

        [Fact]
        public void ADoubleFreeIsRefusedAndChangesNothing()
        {
            byte* small = _heap.Allocate(40);
            byte* keep = _heap.Allocate(40);
            byte* big = _heap.Allocate(50000);
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(small));
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(big));
            ulong bytes = _heap.BytesInUse, blocks = _heap.BlocksInUse, held = _heap.PagesHeld;
            Assert.Equal(HeapFreeStatus.AlreadyFree, _heap.Free(small));
            Assert.Equal(HeapFreeStatus.NotHeapBlock, _heap.Free(big));
            Assert.Equal((bytes, blocks, held), (_heap.BytesInUse, _heap.BlocksInUse, _heap.PagesHeld));
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(keep));
        }

        [Fact]
        public void PointersThatAreNotTheStartOfALiveBlockAreRefused()
        {
            byte* block = _heap.Allocate(48);          // class 48: 85 blocks fill 4080 bytes of a page
            byte* big = _heap.Allocate(3 * 4096);
            byte* slab = (byte*)((ulong)block & ~4095UL);
            byte* foreignPage = _pages.Base + (long)(_pages.End - _pages.Start) - 4096;
            Assert.False(_pages.IsOut(foreignPage));
            int onStack;
            ulong bytes = _heap.BytesInUse;

            Assert.Equal(HeapFreeStatus.NotHeapBlock, _heap.Free((byte*)&onStack));
            Assert.Equal(HeapFreeStatus.NotHeapBlock, _heap.Free(foreignPage));
            Assert.Equal(HeapFreeStatus.NotHeapBlock, _heap.Free(slab + 85 * 48)); // the slab's unused tail
            Assert.Equal(HeapFreeStatus.InsideBlock, _heap.Free(block + 16));
            Assert.Equal(HeapFreeStatus.InsideBlock, _heap.Free(block + 8));
            Assert.Equal(HeapFreeStatus.InsideBlock, _heap.Free(big + 4096));
            Assert.Equal(HeapFreeStatus.InsideBlock, _heap.Free(big + 16));
            Assert.Equal(HeapFreeStatus.AlreadyFree, _heap.Free(slab + 84 * 48));   // in the slab, never handed out
            Assert.Equal(bytes, _heap.BytesInUse);

            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(block));
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(big));
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(null));
        }

        [Fact]
        public void FreeWithASizeRefusesABlockOfAnotherClass()
        {
            byte* block = _heap.Allocate(40);  // a 48-byte block
            byte* big = _heap.Allocate(10000); // three pages
            Assert.Equal(HeapFreeStatus.SizeMismatch, _heap.Free(block, 100));
            Assert.Equal(HeapFreeStatus.SizeMismatch, _heap.Free(block, 32));
            Assert.Equal(HeapFreeStatus.SizeMismatch, _heap.Free(big, 20000));
            Assert.Equal(2UL, _heap.BlocksInUse);
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(block, 33));
            Assert.Equal(HeapFreeStatus.Ok, _heap.Free(big, 12288));
            Assert.Equal(0UL, _heap.BlocksInUse);
        }
    }
}
