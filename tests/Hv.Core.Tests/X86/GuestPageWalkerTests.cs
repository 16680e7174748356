using System;
using Hv.Core.Memory;
using Hv.Core.X86;
using Xunit;

namespace Hv.Core.Tests.X86
{
    public class GuestPageWalkerTests
    {
        private const ulong P = 1, W = 2, U = 4, PS = 0x80, XD = 1UL << 63;
        private const ulong Cr0PePg = 0x80000001, Cr0Wp = 1UL << 16;
        private const ulong Cr4Pse = 1UL << 4, Cr4Pae = 1UL << 5, Cr4Smep = 1UL << 20;
        private const ulong EferLongMode = (1UL << 8) | (1UL << 10), EferNx = 1UL << 11;

        private readonly ArrayGuestMemory _ram = new ArrayGuestMemory(4 << 20);

        private void Put64(ulong gpa, ulong value) => LittleEndian.WriteUInt64(_ram.Ram, (int)gpa, value);
        private void Put32(ulong gpa, uint value) => LittleEndian.WriteUInt32(_ram.Ram, (int)gpa, value);

        private static PagingContext LongMode(ulong efer = 0, ulong cr4 = 0, ulong cr0 = 0) =>
            new PagingContext(Cr0PePg | cr0, 0x1000, Cr4Pae | cr4, EferLongMode | efer);

        // Linear 0x0000_7F80_4020_3000 → PML4[255] PDPT[1] PD[1] PT[3].
        private const ulong Linear4K = (255UL << 39) | (1UL << 30) | (1UL << 21) | (3UL << 12);

        private void MapLongMode4K(ulong leafFlags, ulong upperFlags = P | W | U)
        {
            Put64(0x1000 + 255 * 8, 0x2000 | upperFlags);
            Put64(0x2000 + 1 * 8, 0x3000 | upperFlags);
            Put64(0x3000 + 1 * 8, 0x4000 | upperFlags);
            Put64(0x4000 + 3 * 8, 0x12_3000 | leafFlags);
        }

        private TranslationStatus Translate(PagingContext paging, ulong linear, uint access, out ulong gpa, out uint code) =>
            GuestPageWalker.Translate(_ram, paging, linear, access, out gpa, out code);

        [Fact]
        public void WithoutPagingLinearIsPhysicalWrappingAt4GiB()
        {
            var paging = new PagingContext(0x11, 0, 0, 0);
            Assert.Equal(TranslationStatus.Ok, Translate(paging, 0x1_0000_1234, PageAccess.Write, out ulong gpa, out _));
            Assert.Equal(0x1234UL, gpa);
        }

        [Fact]
        public void FourLevelMapsA4KPage()
        {
            MapLongMode4K(P | W);
            Assert.Equal(TranslationStatus.Ok, Translate(LongMode(), Linear4K + 0xABC, PageAccess.Write, out ulong gpa, out _));
            Assert.Equal(0x12_3ABCUL, gpa);
        }

        [Fact]
        public void FourLevelMaps2MAnd1GPages()
        {
            Put64(0x1000, 0x2000 | P | W);
            Put64(0x2000, 0x4000_0000 | P | W | PS);            // PDPT[0]: 1 GiB page at 1 GiB
            Put64(0x2000 + 8, 0x3000 | P | W);
            Put64(0x3000 + 2 * 8, 0x20_0000 | P | W | PS);      // PD[2] under 1 GiB: 2 MiB page at 2 MiB
            Assert.Equal(TranslationStatus.Ok, Translate(LongMode(), 0x1234_5678, PageAccess.Read, out ulong gpa, out _));
            Assert.Equal(0x5234_5678UL, gpa);
            Assert.Equal(TranslationStatus.Ok, Translate(LongMode(), (1UL << 30) + (2UL << 21) + 0x1_2345, PageAccess.Read, out gpa, out _));
            Assert.Equal(0x21_2345UL, gpa);
        }

        [Fact]
        public void LargePageWithAddressBitsBelowItsSizeIsAReservedBitFault()
        {
            Put64(0x1000, 0x2000 | P | W);
            Put64(0x2000, 0x3000 | P | W);
            Put64(0x3000, 0x20_2000 | P | W | PS);
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(), 0x1000, PageAccess.Read, out _, out uint code));
            Assert.Equal(PageAccess.Present | PageAccess.ReservedBit, code);
        }

        [Fact]
        public void NotPresentGivesAPageFaultWithTheAccessBits()
        {
            MapLongMode4K(W); // present bit clear in the PTE
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(), Linear4K, PageAccess.Write | PageAccess.User, out _, out uint code));
            Assert.Equal(PageAccess.Write | PageAccess.User, code);
        }

        [Fact]
        public void SupervisorWriteToReadOnlyPageFaultsOnlyWithCr0Wp()
        {
            MapLongMode4K(P | U);
            Assert.Equal(TranslationStatus.Ok, Translate(LongMode(), Linear4K, PageAccess.Write, out _, out _));
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(cr0: Cr0Wp), Linear4K, PageAccess.Write, out _, out uint code));
            Assert.Equal(PageAccess.Present | PageAccess.Write, code);
        }

        [Fact]
        public void UserAccessToASupervisorLevelFaults()
        {
            MapLongMode4K(P | W | U, upperFlags: P | W); // U clear above the leaf
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(), Linear4K, PageAccess.User, out _, out uint code));
            Assert.Equal(PageAccess.Present | PageAccess.User, code);
        }

        [Fact]
        public void FetchHonoursNoExecuteAndSmep()
        {
            MapLongMode4K(P | W | XD);
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(EferNx), Linear4K, PageAccess.Fetch, out _, out _));
            // XD without EFER.NXE is a reserved bit.
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(), Linear4K, PageAccess.Read, out _, out uint code));
            Assert.Equal(PageAccess.Present | PageAccess.ReservedBit, code);
            MapLongMode4K(P | W | U);
            Assert.Equal(TranslationStatus.Ok, Translate(LongMode(), Linear4K, PageAccess.Fetch, out _, out _));
            Assert.Equal(TranslationStatus.PageFault, Translate(LongMode(cr4: Cr4Smep), Linear4K, PageAccess.Fetch, out _, out _));
        }

        [Fact]
        public void NonCanonicalAddressIsRefused()
        {
            Assert.Equal(TranslationStatus.NonCanonical, Translate(LongMode(), 0x0000_8000_0000_0000, PageAccess.Read, out _, out _));
        }

        [Fact]
        public void TablesOutsideGuestMemoryEndTheWalk()
        {
            var paging = new PagingContext(Cr0PePg, 0xFEE0_0000, Cr4Pae, EferLongMode);
            Assert.Equal(TranslationStatus.OutsideMemory, Translate(paging, 0x1000, PageAccess.Read, out _, out _));
            Put64(0x1000, 0xFFFF_F000 | P | W); // PML4 entry pointing past RAM
            Assert.Equal(TranslationStatus.OutsideMemory, Translate(LongMode(), 0x1000, PageAccess.Read, out _, out _));
        }

        [Fact]
        public void ThirtyTwoBitPagingWith4KAnd4MPages()
        {
            var paging = new PagingContext(Cr0PePg, 0x1000, Cr4Pse, 0);
            Put32(0x1000 + 1 * 4, 0x2000 | (uint)(P | W));          // PDE[1] → PT
            Put32(0x2000 + 5 * 4, 0x7000 | (uint)(P | W));          // PTE[5]
            Put32(0x1000 + 2 * 4, 0x0040_0000 | (2u << 13) | (uint)(P | W | PS)); // PDE[2]: 4 MiB page, PSE-36 high bits 2
            Assert.Equal(TranslationStatus.Ok, Translate(paging, (1UL << 22) | (5UL << 12) | 0x10, PageAccess.Read, out ulong gpa, out _));
            Assert.Equal(0x7010UL, gpa);
            Assert.Equal(TranslationStatus.Ok, Translate(paging, (2UL << 22) | 0x12345, PageAccess.Read, out gpa, out _));
            Assert.Equal(0x2_0041_2345UL, gpa);
        }

        [Fact]
        public void PaePagingUsesTheFourPdptes()
        {
            var paging = new PagingContext(Cr0PePg, 0x1020, Cr4Pae, 0);
            Put64(0x1020 + 3 * 8, 0x2000 | P);                       // PDPTE[3]
            Put64(0x2000 + 1 * 8, 0x3000 | P | W);                   // PDE[1]
            Put64(0x3000 + 7 * 8, 0x9000 | P | W);                   // PTE[7]
            Put64(0x2000 + 2 * 8, 0x20_0000 | P | W | PS);           // PDE[2]: 2 MiB page
            Assert.Equal(TranslationStatus.Ok, Translate(paging, 0xC020_7004, PageAccess.Write, out ulong gpa, out _));
            Assert.Equal(0x9004UL, gpa);
            Assert.Equal(TranslationStatus.Ok, Translate(paging, 0xC040_0123, PageAccess.Read, out gpa, out _));
            Assert.Equal(0x20_0123UL, gpa);
            Assert.Equal(TranslationStatus.PageFault, Translate(paging, 0x0000_1000, PageAccess.Read, out _, out _)); // PDPTE[0] absent
        }

        [Fact]
        public void LinearCopiesCrossPagesMappedApart()
        {
            MapLongMode4K(P | W);
            Put64(0x4000 + 4 * 8, 0x5_6000 | P | W); // the next linear page sits elsewhere
            _ram.Ram[0x12_3FFF] = 0xAA;
            _ram.Ram[0x5_6000] = 0xBB;
            Span<byte> two = stackalloc byte[2];
            Assert.Equal(TranslationStatus.Ok, GuestLinearMemory.Read(_ram, LongMode(), Linear4K + 0xFFF, PageAccess.Read, two, out int done, out _));
            Assert.Equal(2, done);
            Assert.Equal(0xAA, two[0]);
            Assert.Equal(0xBB, two[1]);

            Put64(0x4000 + 4 * 8, 0); // next page absent: the first byte still comes back
            Assert.Equal(TranslationStatus.PageFault, GuestLinearMemory.Read(_ram, LongMode(), Linear4K + 0xFFF, PageAccess.Read, two, out done, out _));
            Assert.Equal(1, done);
        }
    }
}
