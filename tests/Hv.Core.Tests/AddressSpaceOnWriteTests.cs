using System;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>
    /// <see cref="AddressSpace.CreateOnWrite"/>: a big space costs its upper tables only, reads zeros, takes a page (and
    /// the tables on its path) at the first write to it, and shares the pool's two pinned zero pages with every other
    /// such space.
    /// </summary>
    public class AddressSpaceOnWriteTests
    {
        private const ulong MiB = 1UL << 20;

        [Fact]
        public void A_128_MiB_space_costs_its_upper_tables_and_the_two_zero_pages()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.CreateOnWrite(pages, sharing, 128 * MiB, out AddressSpace space));
            // PML4, one PDPT, one PD; the zero page and the zero table.
            Assert.Equal(5, pages.Outstanding);
            Assert.Equal(3UL, space.PrivatePages);
            var bytes = new byte[8192];
            bytes[100] = 1;
            Assert.True(space.Read(128 * MiB - 8192, bytes));
            Assert.All(bytes, b => Assert.Equal(0, b));
            Assert.True(space.Translate(64 * MiB, out _, out bool writable));
            Assert.False(writable);
            space.Free();
            Assert.Equal(2, pages.Outstanding);
        }

        [Fact]
        public void A_write_takes_one_page_and_one_table_and_reads_back()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            AddressSpace.CreateOnWrite(pages, sharing, 16 * MiB, out AddressSpace space);
            int before = pages.Outstanding;
            Assert.True(space.Write(5 * MiB + 10, new byte[] { 7, 8, 9 }));
            Assert.Equal(before + 2, pages.Outstanding);
            Assert.Equal(5UL, space.PrivatePages);
            var back = new byte[5];
            Assert.True(space.Read(5 * MiB + 9, back));
            Assert.Equal(new byte[] { 0, 7, 8, 9, 0 }, back);
            Assert.True(space.Translate(5 * MiB, out _, out bool writable));
            Assert.True(writable);
            // The rest of that 2 MiB still reads the zero page through the private table.
            Assert.True(space.Read(5 * MiB + 4096, back));
            Assert.All(back, b => Assert.Equal(0, b));
            // Another page under the same (now private) table costs that page only.
            Assert.Equal(EptFaultResult.Resolved, space.ResolveWrite(4 * MiB + 3 * 4096));
            Assert.Equal(before + 3, pages.Outstanding);
            space.Free();
            Assert.Equal(2, pages.Outstanding);
        }

        [Fact]
        public void Spaces_and_forks_share_the_zero_pages_and_keep_their_writes_apart()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            AddressSpace.CreateOnWrite(pages, sharing, 8 * MiB, out AddressSpace a);
            AddressSpace.CreateOnWrite(pages, sharing, 8 * MiB, out AddressSpace b);
            Assert.Equal(2 + 3 + 3, pages.Outstanding);
            Assert.True(a.Write(0x1000, new byte[] { 1 }));
            Assert.Equal(AddressSpaceStatus.Ok, a.Fork(out AddressSpace fork));
            Assert.True(fork.Write(0x1000, new byte[] { 2 }));
            var one = new byte[1];
            Assert.True(a.Read(0x1000, one));
            Assert.Equal(1, one[0]);
            Assert.True(fork.Read(0x1000, one));
            Assert.Equal(2, one[0]);
            Assert.True(b.Read(0x1000, one));
            Assert.Equal(0, one[0]);
            a.Free();
            b.Free();
            fork.Free();
            Assert.Equal(2, pages.Outstanding);
            Assert.Equal(PageSharing.Pinned, sharing.Count(LeafOf(pages, sharing)));
        }

        [Fact]
        public void A_size_that_is_not_whole_2_MiB_maps_nothing_past_its_end()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.CreateOnWrite(pages, sharing, 3 * MiB, out AddressSpace space));
            Assert.True(space.Translate(3 * MiB - 4096, out _, out _));
            Assert.False(space.Translate(3 * MiB, out _, out _));
            Assert.False(space.Write(3 * MiB - 1, new byte[2]));
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(3 * MiB));
            Assert.True(space.Write(3 * MiB - 1, new byte[1] { 5 }));
            space.Free();
        }

        [Fact]
        public void Running_dry_at_any_allocation_leaves_only_the_zero_pages()
        {
            // Zero page, zero table, PML4, PDPT, PD, and the PT of the last partial 2 MiB: six pages.
            for (long budget = 0; budget <= 6; budget++)
            {
                var pages = new CowPages();
                var sharing = pages.NewSharing();
                pages.Budget = budget;
                AddressSpaceStatus status = AddressSpace.CreateOnWrite(pages, sharing, 4 * MiB + 4096, out AddressSpace space);
                if (budget < 6)
                {
                    Assert.Equal(AddressSpaceStatus.OutOfMemory, status);
                    Assert.Null(space);
                    Assert.True(pages.Outstanding <= 2);
                }
                else
                {
                    Assert.Equal(AddressSpaceStatus.Ok, status);
                }
            }
        }

        [Fact]
        public void Pinned_bytes_are_mapped_in_place_read_only_and_their_partial_last_page_is_copied()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            AddressSpace.CreateOnWrite(pages, sharing, 8 * MiB, out AddressSpace space);
            var module = new HostPagesBytes(pages, 2 * 4096 + 100);
            int before = pages.Outstanding;
            Assert.True(space.Place(3 * MiB, module));
            // The PT of that 2 MiB and the copied tail page; the two whole pages are the module's own.
            Assert.Equal(before + 2, pages.Outstanding);
            Assert.True(space.Translate(3 * MiB + 4096, out ulong hpa, out bool writable));
            Assert.Equal(module.PinnedAddress + 4096, hpa);
            Assert.False(writable);
            Assert.Equal(PageSharing.Pinned, sharing.Count(module.PinnedAddress));
            var back = new byte[module.Length + 8];
            Assert.True(space.Read(3 * MiB, back));
            Assert.Equal(module.Span.ToArray(), back.AsSpan(0, module.Length).ToArray());
            Assert.All(back.AsSpan(module.Length).ToArray(), b => Assert.Equal(0, b));

            // A write copies the page; the module stays as it was.
            Assert.True(space.Write(3 * MiB + 5, new byte[] { 0xEE }));
            Assert.Equal((byte)5, pages.Page(module.PinnedAddress)[5]);
            Assert.True(space.Read(3 * MiB + 5, back.AsSpan(0, 1)));
            Assert.Equal(0xEE, back[0]);
            space.Free();
            Assert.True(pages.IsOutstanding(module.PinnedAddress));
        }

        [Fact]
        public void Bytes_that_are_not_pinned_or_not_aligned_are_written()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            AddressSpace.CreateOnWrite(pages, sharing, 8 * MiB, out AddressSpace space);
            var module = new HostPagesBytes(pages, 3 * 4096);
            Assert.True(space.Place(3 * MiB + 16, module));
            Assert.True(space.Translate(3 * MiB + 4096, out ulong hpa, out _));
            Assert.NotEqual(module.PinnedAddress + 4096, hpa);
            Assert.True(space.Place(5 * MiB, new byte[] { 1, 2, 3 }));
            var back = new byte[3];
            Assert.True(space.Read(5 * MiB, back));
            Assert.Equal(new byte[] { 1, 2, 3 }, back);
            Assert.False(space.Place(8 * MiB - 4096, module));
        }

        /// <summary>Bytes in consecutive pages the source handed out directly (as a boot module is outside the pool's use).</summary>
        private sealed class HostPagesBytes : ImageBytes
        {
            private readonly byte[] _bytes;
            private readonly ulong _first;

            public HostPagesBytes(CowPages pages, int length)
            {
                _bytes = new byte[length];
                for (int i = 0; i < length; i++) _bytes[i] = (byte)(i % 251);
                for (int at = 0; at < length; at += 4096)
                {
                    ulong page = pages.AllocatePage();
                    if (at == 0) _first = page;
                    Assert.Equal(_first + (ulong)at, page);
                    _bytes.AsSpan(at, Math.Min(4096, length - at)).CopyTo(pages.Page(page));
                }
            }

            public override ReadOnlySpan<byte> Span => _bytes;
            public override ulong PinnedAddress => _first;
            public override void Free() { }
        }

        private static ulong LeafOf(CowPages pages, PageSharing sharing)
        {
            sharing.ZeroPages(out ulong page, out _);
            return page;
        }
    }
}
