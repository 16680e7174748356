using Internal.Runtime;

namespace Hv.Heap.Tests
{
    public class HeapSizeClassesTests
    {
        private static readonly uint[] Ladder =
        {
            16, 32, 48, 64, 80, 96, 112, 128,
            160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
            1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192,
        };

        [Fact]
        public void BlockSizesAreTheDocumentedLadder()
        {
            Assert.Equal(Ladder.Length, HeapSizeClasses.Count);
            for (int c = 0; c < HeapSizeClasses.Count; c++) Assert.Equal(Ladder[c], HeapSizeClasses.BlockSize(c));
            Assert.Equal(HeapSizeClasses.LargestBlock, HeapSizeClasses.BlockSize(HeapSizeClasses.Count - 1));
        }

        [Fact]
        public void EverySizeGetsTheSmallestClassThatHoldsIt()
        {
            for (ulong size = 0; size <= HeapSizeClasses.LargestBlock; size++)
            {
                int c = HeapSizeClasses.ClassOf(size);
                Assert.True(HeapSizeClasses.BlockSize(c) >= size, $"size {size} in class {c}");
                if (c > 0) Assert.True(HeapSizeClasses.BlockSize(c - 1) < size, $"size {size} fits class {c - 1}");
            }
            Assert.Equal(0, HeapSizeClasses.ClassOf(0));
        }

        [Fact]
        public void SlabsHoldAtMost256BlocksAndLoseAtMostASixteenth()
        {
            for (int c = 0; c < HeapSizeClasses.Count; c++)
            {
                int pages = HeapSizeClasses.SlabPages(c);
                int blocks = HeapSizeClasses.BlocksPerSlab(c);
                uint bytes = (uint)pages * 4096;
                Assert.InRange(pages, 1, HeapSizeClasses.MaxSlabPages);
                Assert.InRange(blocks, 1, HeapSizeClasses.MaxBlocksPerSlab);
                Assert.True(blocks * HeapSizeClasses.BlockSize(c) <= bytes);
                Assert.True((bytes - blocks * HeapSizeClasses.BlockSize(c)) * 16 <= bytes, $"class {c} wastes more than 1/16");
            }
            Assert.Equal(256, HeapSizeClasses.BlocksPerSlab(0));   // 16-byte blocks: one page, full bitmap
            Assert.Equal(7, HeapSizeClasses.SlabPages(26));        // 3584-byte blocks: 8 in 7 pages, none lost
        }
    }
}
