using System;
using System.Collections.Generic;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>
    /// A page source over managed arrays that counts what is outstanding, refuses double and foreign frees,
    /// and can be told to run dry after a number of allocations.
    /// </summary>
    internal sealed class EptTestPages : PageSource
    {
        private readonly Dictionary<ulong, byte[]> _pages = new Dictionary<ulong, byte[]>();
        private ulong _next = 0x4000_0000;

        /// <summary>Allocations still allowed; AllocatePage returns 0 once it reaches 0.</summary>
        public int Budget = int.MaxValue;
        public int Outstanding => _pages.Count;
        public int Allocations;

        public override ulong AllocatePage()
        {
            if (Budget == 0)
                return 0;
            Budget--;
            Allocations++;
            ulong page = _next;
            _next += PageSize;
            _pages.Add(page, new byte[PageSize]);
            return page;
        }

        public override void FreePage(ulong physical)
        {
            Assert.True(_pages.Remove(physical), $"free of a page not outstanding: {physical:X}");
        }

        public override Span<byte> Page(ulong physical)
        {
            Assert.True(_pages.ContainsKey(physical), $"access to a page not outstanding: {physical:X}");
            return _pages[physical];
        }

        public bool IsOutstanding(ulong physical) => _pages.ContainsKey(physical);

        public ulong Entry(ulong table, int index) => LittleEndian.ReadUInt64(Page(table), index * 8);
    }

    public class EptBuilderTests
    {
        private const ulong MiB = 0x100000;

        /// <summary>Every present leaf of the tree: (gpa, entry, size), found by walking it as the CPU would.</summary>
        internal static List<(ulong Gpa, ulong Entry, ulong Size)> Leaves(EptTestPages pages, EptBuilder ept)
        {
            var leaves = new List<(ulong, ulong, ulong)>();
            Walk(pages, ept.Eptp & EptEntry.AddressMask, 0, 0, leaves);
            return leaves;
        }

        private static void Walk(EptTestPages pages, ulong table, int level, ulong gpaBase, List<(ulong, ulong, ulong)> leaves)
        {
            for (int i = 0; i < 512; i++)
            {
                ulong entry = pages.Entry(table, i);
                if ((entry & 7) == 0)
                {
                    Assert.Equal(0UL, entry); // a non-present entry is fully zero, never a stale pointer
                    continue;
                }
                ulong gpa = gpaBase | ((ulong)i << (39 - 9 * level));
                if (level == 3 || (level == 2 && (entry & EptEntry.LargePage) != 0))
                {
                    leaves.Add((gpa, entry, level == 3 ? 0x1000UL : 0x200000UL));
                    continue;
                }
                // Non-leaf: RWX, bits 7:3 zero (SDM 28.3.2), pointing at an outstanding table.
                Assert.Equal(7UL, entry & 0xFF);
                Assert.True(pages.IsOutstanding(entry & EptEntry.AddressMask));
                Walk(pages, entry & EptEntry.AddressMask, level + 1, gpa, leaves);
            }
        }

        [Fact]
        public void EptpPointsAtPml4WithWriteBackAndFourLevelWalk()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(1, pages.Outstanding);
            Assert.Equal(0x1EUL, ept.Eptp & 0xFFF); // WB (6) | (4 - 1) << 3, A/D bit 6 clear
            Assert.True(pages.IsOutstanding(ept.Eptp & ~0xFFFUL));
        }

        [Fact]
        public void CreateReturnsNullWhenNoPage()
        {
            Assert.Null(EptBuilder.Create(new EptTestPages { Budget = 0 }));
        }

        [Fact]
        public void FourKiBLeafHasPermissionsWriteBackAndIgnorePat()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(EptStatus.Ok, ept.Map(0x7000, 0x1234_5000, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack));
            var leaves = Leaves(pages, ept);
            Assert.Single(leaves);
            Assert.Equal(0x7000UL, leaves[0].Gpa);
            Assert.Equal(0x1234_5000UL | 7 | (6 << 3) | (1 << 6), leaves[0].Entry);
            Assert.Equal(4, pages.Outstanding); // PML4, PDPT, PD, PT
        }

        [Fact]
        public void UncachedLeafLeavesGuestPatInPlay()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(EptStatus.Ok, ept.Map(0xFEE0_0000, 0x2000_0000, EptPermissions.ReadWrite, EptMemoryType.Uncacheable));
            ulong entry = Leaves(pages, ept)[0].Entry;
            Assert.Equal(0x2000_0000UL | 3, entry);
            Assert.Equal(EptMemoryType.Uncacheable, EptEntry.MemoryType(entry));
        }

        [Fact]
        public void LargePageUsesOnePdeAndTranslatesOffsets()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(EptStatus.Ok, ept.MapLarge(4 * MiB, 0x8000_0000, EptPermissions.ReadExecute, EptMemoryType.WriteBack));
            Assert.Equal(3, pages.Outstanding); // no page table
            var leaf = Assert.Single(Leaves(pages, ept));
            Assert.Equal(0x200000UL, leaf.Size);
            Assert.Equal(0x8000_0000UL | 5 | (6 << 3) | (1 << 6) | (1 << 7), leaf.Entry);
            Assert.True(ept.Translate(4 * MiB + 0x12345, out ulong hpa, out EptPermissions perms));
            Assert.Equal(0x8001_2345UL, hpa);
            Assert.Equal(EptPermissions.ReadExecute, perms);
            Assert.False(ept.Translate(6 * MiB, out _, out _));
        }

        [Fact]
        public void TranslateFollowsSmallPagesAndRefusesHoles()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x1_0000_0000, 0x5555_5000, EptPermissions.Read, EptMemoryType.WriteBack);
            Assert.True(ept.Translate(0x1_0000_0ABC, out ulong hpa, out EptPermissions perms));
            Assert.Equal(0x5555_5ABCUL, hpa);
            Assert.Equal(EptPermissions.Read, perms);
            Assert.False(ept.Translate(0x1_0000_1000, out hpa, out perms));
            Assert.Equal(0UL, hpa);
            Assert.Equal(EptPermissions.None, perms);
            Assert.False(ept.Translate(0, out _, out _));
            Assert.False(ept.Translate(1UL << 48, out _, out _));
        }

        [Fact]
        public void RefusesBadArgumentsWithoutTouchingTables()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(EptStatus.Misaligned, ept.Map(0x1001, 0x2000, EptPermissions.Read, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.Misaligned, ept.Map(0x1000, 0x2800, EptPermissions.Read, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.Misaligned, ept.MapLarge(0x1000, 0x200000, EptPermissions.Read, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AddressOutOfRange, ept.Map(1UL << 48, 0x2000, EptPermissions.Read, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AddressOutOfRange, ept.Map(0x1000, 1UL << 52, EptPermissions.Read, EptMemoryType.WriteBack));
            // Write without read is an EPT misconfiguration; execute-only needs a capability; none is no mapping.
            Assert.Equal(EptStatus.InvalidAttributes, ept.Map(0x1000, 0x2000, EptPermissions.Write, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.InvalidAttributes, ept.Map(0x1000, 0x2000, EptPermissions.Execute, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.InvalidAttributes, ept.Map(0x1000, 0x2000, EptPermissions.None, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.InvalidAttributes, ept.Map(0x1000, 0x2000, EptPermissions.Read, (EptMemoryType)2));
            Assert.Equal(EptStatus.InvalidAttributes, ept.Map(0x1000, 0x2000, EptPermissions.Read, (EptMemoryType)7));
            Assert.Equal(1, pages.Outstanding);
            Assert.Empty(Leaves(pages, ept));
        }

        [Fact]
        public void RefusesOverlappingMappings()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            Assert.Equal(EptStatus.Ok, ept.Map(0x3000, 0xA000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AlreadyMapped, ept.Map(0x3000, 0xB000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AlreadyMapped, ept.MapLarge(0, 0x200000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.Ok, ept.MapLarge(2 * MiB, 0x400000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AlreadyMapped, ept.Map(2 * MiB + 0x5000, 0xC000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(EptStatus.AlreadyMapped, ept.MapLarge(2 * MiB, 0x600000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.True(ept.Translate(0x3000, out ulong hpa, out _));
            Assert.Equal(0xA000UL, hpa);
        }

        [Fact]
        public void LargePageMayReplaceAnEmptiedPageTable()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x5000, 0xA000, EptPermissions.ReadWrite, EptMemoryType.WriteBack);
            Assert.Equal(4, pages.Outstanding);
            Assert.Equal(EptStatus.Ok, ept.Unmap(0x5000));
            Assert.Equal(EptStatus.Ok, ept.MapLarge(0, 0x200000, EptPermissions.ReadWrite, EptMemoryType.WriteBack));
            Assert.Equal(3, pages.Outstanding); // the empty page table went back
            Assert.Equal(0x200000UL, Assert.Single(Leaves(pages, ept)).Size);
        }

        [Fact]
        public void UnmapRemovesExactlyOneLeaf()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x1000, 0xA000, EptPermissions.ReadWrite, EptMemoryType.WriteBack);
            ept.Map(0x2000, 0xB000, EptPermissions.ReadWrite, EptMemoryType.WriteBack);
            ept.MapLarge(0x40000000, 0x200000, EptPermissions.ReadWrite, EptMemoryType.WriteBack);
            Assert.Equal(EptStatus.Ok, ept.Unmap(0x1000));
            Assert.False(ept.Translate(0x1000, out _, out _));
            Assert.True(ept.Translate(0x2000, out _, out _));
            Assert.Equal(EptStatus.NotMapped, ept.Unmap(0x1000));
            Assert.Equal(EptStatus.NotMapped, ept.Unmap(0x7000_0000));
            Assert.Equal(EptStatus.Misaligned, ept.Unmap(0x40001000)); // inside the 2 MiB page
            Assert.Equal(EptStatus.Ok, ept.Unmap(0x40000000));
            Assert.Single(Leaves(pages, ept));
            Assert.Equal(EptStatus.AddressOutOfRange, ept.Unmap(1UL << 48));
        }

        [Fact]
        public void SetPermissionsKeepsAddressAndType()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x9000, 0xA000, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack);
            ept.MapLarge(0x600000, 0x800000, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack);
            Assert.Equal(EptStatus.Ok, ept.SetPermissions(0x9000, EptPermissions.ReadExecute));
            Assert.Equal(EptStatus.Ok, ept.SetPermissions(0x600000 + 0x3000, EptPermissions.Read)); // any address inside
            Assert.Equal(EptStatus.NotMapped, ept.SetPermissions(0xB000, EptPermissions.Read));
            Assert.Equal(EptStatus.InvalidAttributes, ept.SetPermissions(0x9000, EptPermissions.Write));
            var leaves = Leaves(pages, ept);
            Assert.Equal(0xA000UL | 5 | (6 << 3) | (1 << 6), leaves[0].Entry);
            Assert.Equal(0x800000UL | 1 | (6 << 3) | (1 << 6) | (1 << 7), leaves[1].Entry);
        }

        [Fact]
        public void DestroyFreesEveryTablePage()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ulong[] gpas = { 0, 0x1000, 0x20_0000_0000, 0x7F_FFFF_F000, 0xFFFF_FFFF_F000, 0x4000_0000 };
            foreach (ulong gpa in gpas)
                Assert.Equal(EptStatus.Ok, ept.Map(gpa, 0x1000, EptPermissions.Read, EptMemoryType.WriteBack));
            ept.MapLarge(0x8000_0000, 0x200000, EptPermissions.Read, EptMemoryType.WriteBack);
            Assert.True(pages.Outstanding > 10);
            ept.Destroy();
            Assert.Equal(0, pages.Outstanding);
            Assert.Equal(0UL, ept.Eptp);
            Assert.Equal(EptStatus.AddressOutOfRange, ept.Map(0, 0x1000, EptPermissions.Read, EptMemoryType.WriteBack));
            ept.Destroy(); // harmless twice
        }

        [Theory]
        [InlineData(0)] // PDPT missing
        [InlineData(1)] // PD missing
        [InlineData(2)] // PT missing
        public void RunningDryChangesNothing(int pagesLeft)
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x1000, 0xA000, EptPermissions.Read, EptMemoryType.WriteBack);
            int before = pages.Outstanding;
            pages.Budget = pagesLeft;
            // 512 GiB away: needs a new PDPT, PD and PT.
            Assert.Equal(EptStatus.OutOfMemory, ept.Map(0x80_0000_0000, 0xB000, EptPermissions.Read, EptMemoryType.WriteBack));
            Assert.Equal(before, pages.Outstanding);
            Assert.Single(Leaves(pages, ept));
            Assert.False(ept.Translate(0x80_0000_0000, out _, out _));
            pages.Budget = int.MaxValue;
            Assert.Equal(EptStatus.Ok, ept.Map(0x80_0000_0000, 0xB000, EptPermissions.Read, EptMemoryType.WriteBack));
            ept.Destroy();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void MapNeedsNoPagesWhenTablesExist()
        {
            var pages = new EptTestPages();
            var ept = EptBuilder.Create(pages);
            ept.Map(0x1000, 0xA000, EptPermissions.Read, EptMemoryType.WriteBack);
            pages.Budget = 0;
            Assert.Equal(EptStatus.Ok, ept.Map(0x2000, 0xB000, EptPermissions.Read, EptMemoryType.WriteBack));
        }
    }
}
