using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>The EPT encodings address spaces are built from, against SDM Vol. 3C §24.6.11 and §28.3.2.</summary>
    public class EptEntryTests
    {
        [Fact]
        public void EptpPointsAtPml4WithWriteBackAndFourLevelWalk()
        {
            ulong eptp = EptEntry.PointerFor(0x1234_5000);
            Assert.Equal(0x1EUL, eptp & 0xFFF); // WB (6) | (4 - 1) << 3, A/D bit 6 clear
            Assert.Equal(0x1234_5000UL, eptp & ~0xFFFUL);
        }

        [Fact]
        public void FourKiBLeafHasPermissionsWriteBackAndIgnorePat()
        {
            ulong entry = EptEntry.Leaf(0x1234_5000, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack, false);
            Assert.Equal(0x1234_5000UL | 7 | (6 << 3) | (1 << 6), entry);
        }

        [Fact]
        public void UncachedLeafLeavesGuestPatInPlay()
        {
            ulong entry = EptEntry.Leaf(0x2000_0000, EptPermissions.ReadWrite, EptMemoryType.Uncacheable, false);
            Assert.Equal(0x2000_0000UL | 3, entry);
            Assert.Equal(EptMemoryType.Uncacheable, EptEntry.MemoryType(entry));
        }

        [Fact]
        public void NonLeafGrantsEverythingSoTheLeafDecides()
        {
            Assert.Equal(0x3000UL | 7, EptEntry.Table(0x3000));
        }

        [Theory]
        [InlineData(0x0000_0000_0000UL, 0, 0, 0, 0)]
        [InlineData(0x8000_0000_0000UL - 0x1000, 255, 511, 511, 511)] // the last 4 KiB page below 2^47
        [InlineData(0x4020_3000UL, 0, 1, 1, 3)]                         // 1 GiB + 2 MiB + 12 KiB
        public void IndexAtTakesNineBitsPerLevel(ulong gpa, int pml4, int pdpt, int pd, int pt)
        {
            Assert.Equal(pml4, EptEntry.IndexAt(gpa, 0));
            Assert.Equal(pdpt, EptEntry.IndexAt(gpa, 1));
            Assert.Equal(pd, EptEntry.IndexAt(gpa, 2));
            Assert.Equal(pt, EptEntry.IndexAt(gpa, 3));
        }
    }
}
