using System;
using System.Collections.Generic;
using System.Reflection;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Host pages for copy-on-write tests: addresses from <see cref="Base"/> upward, never reused (so a stale
    /// reference to a freed page is always caught), the 4 KiB array of a page made only when it is first looked
    /// at (a 256 MiB space costs little), a budget to make the source run dry at any chosen allocation, and
    /// assertions on double and foreign frees and on access to pages not outstanding.
    /// </summary>
    internal sealed class CowPages : PageSource
    {
        public const ulong Base = 0x100000;
        /// <summary>Window handed to <see cref="PageSharing"/>: 2^20 pages (4 GiB of addresses).</summary>
        public const ulong Limit = Base + (1UL << 32);

        private readonly Dictionary<ulong, byte[]> _pages = new Dictionary<ulong, byte[]>();
        private ulong _next = Base;

        /// <summary>Allocations still allowed; AllocatePage returns 0 once it reaches 0.</summary>
        public long Budget = long.MaxValue;
        public int Outstanding => _pages.Count;
        public long Allocations;
        public long Frees;
        /// <summary>Calls of <see cref="Page"/>: how a test sees that guest memory was (not) read.</summary>
        public long PageAccesses;
        /// <summary>When set, the next allocation returns this address instead (to test the window check).</summary>
        public ulong Override;

        /// <summary>Hand freed addresses out again (long runs that create and drop many VMs stay inside the window).</summary>
        public bool ReuseFreed;
        private readonly Stack<ulong> _freed = new Stack<ulong>();

        public override ulong AllocatePage()
        {
            if (Budget <= 0)
                return 0;
            Budget--;
            Allocations++;
            ulong page;
            if (Override != 0)
            {
                page = Override;
                Override = 0;
            }
            else if (ReuseFreed && _freed.Count > 0)
            {
                page = _freed.Pop();
            }
            else
            {
                page = _next;
                _next += PageSize;
            }
            _pages.Add(page, null);
            return page;
        }

        public override void FreePage(ulong physical)
        {
            if (!_pages.Remove(physical))
                throw new InvalidOperationException($"free of a page not outstanding: 0x{physical:X}");
            Frees++;
            if (ReuseFreed) _freed.Push(physical);
        }

        public override Span<byte> Page(ulong physical)
        {
            PageAccesses++;
            if (!_pages.TryGetValue(physical, out byte[] data))
                throw new InvalidOperationException($"access to a page not outstanding: 0x{physical:X}");
            if (data == null)
                _pages[physical] = data = new byte[PageSize];
            return data;
        }

        public bool IsOutstanding(ulong physical) => _pages.ContainsKey(physical);
        public IEnumerable<ulong> OutstandingPages => _pages.Keys;

        public PageSharing NewSharing() => new PageSharing(this, Base, Limit);
    }

    public class PageSharingTests
    {
        [Fact]
        public void A_pinned_page_is_never_freed_and_only_unshared_pages_in_the_window_pin()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong mine = sharing.Allocate();
            ulong module = pages.AllocatePage();      // a page the pool never handed out (a boot module's)
            ulong shared = sharing.Allocate();
            sharing.Share(shared);
            Assert.True(sharing.Pin(mine));
            Assert.True(sharing.Pin(module));
            Assert.True(sharing.Pin(module));
            Assert.False(sharing.Pin(shared));
            Assert.False(sharing.Pin(CowPages.Limit));
            Assert.Equal(PageSharing.Pinned, sharing.Count(module));
            Assert.False(sharing.Release(mine));
            Assert.False(sharing.Release(module));
            Assert.True(pages.IsOutstanding(mine));
            Assert.True(sharing.ZeroPages(out ulong zero, out ulong table));
            Assert.True(sharing.IsZeroPage(zero));
            Assert.False(sharing.IsZeroPage(table));
            Assert.True(sharing.ZeroPages(out ulong again, out _));
            Assert.Equal(zero, again);
        }

        [Fact]
        public void Allocate_starts_at_one_share_adds_release_frees_at_zero()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong page = sharing.Allocate();
            Assert.NotEqual(0UL, page);
            Assert.Equal(1u, sharing.Count(page));
            Assert.Equal(1UL, sharing.LivePages);

            Assert.True(sharing.Share(page));
            Assert.True(sharing.Share(page));
            Assert.Equal(3u, sharing.Count(page));

            Assert.False(sharing.Release(page));
            Assert.False(sharing.Release(page));
            Assert.Equal(1u, sharing.Count(page));
            Assert.True(pages.IsOutstanding(page));

            Assert.True(sharing.Release(page));
            Assert.Equal(0u, sharing.Count(page));
            Assert.False(pages.IsOutstanding(page));
            Assert.Equal(0, pages.Outstanding);
            Assert.Equal(0UL, sharing.LivePages);
        }

        [Fact]
        public void Release_or_share_of_a_page_without_count_does_nothing()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong page = sharing.Allocate();
            Assert.True(sharing.Release(page));
            // A second release must not free again (CowPages would throw).
            Assert.False(sharing.Release(page));
            Assert.False(sharing.Share(page));
            Assert.Equal(0u, sharing.Count(page));
            // Outside the window, misaligned, zero: no count, no effect.
            Assert.Equal(0u, sharing.Count(0x1000));
            Assert.False(sharing.Share(CowPages.Limit));
            Assert.False(sharing.Release(CowPages.Base + 8));
            Assert.Equal(0u, sharing.Count(0));
        }

        [Fact]
        public void A_page_outside_the_window_is_given_back_and_reported_as_out_of_memory()
        {
            var pages = new CowPages();
            var sharing = new PageSharing(pages, CowPages.Base, CowPages.Base + 16 * 4096UL);
            pages.Override = CowPages.Base + 16 * 4096UL; // first page past the limit
            Assert.Equal(0UL, sharing.Allocate());
            Assert.Equal(0, pages.Outstanding);
            Assert.NotEqual(0UL, sharing.Allocate());
        }

        [Fact]
        public void Allocate_returns_zero_when_the_source_is_dry()
        {
            var pages = new CowPages { Budget = 1 };
            var sharing = pages.NewSharing();
            Assert.NotEqual(0UL, sharing.Allocate());
            Assert.Equal(0UL, sharing.Allocate());
        }

        [Fact]
        public void Counts_go_past_ushort_and_saturate_instead_of_wrapping()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong page = sharing.Allocate();
            for (int i = 0; i < 70_000; i++)
                Assert.True(sharing.Share(page));
            Assert.Equal(70_001u, sharing.Count(page));

            // Walking 4 billion shares is too slow: put the count one below saturation directly.
            var counts = (uint[])typeof(PageSharing).GetField("_counts", BindingFlags.NonPublic | BindingFlags.Instance).GetValue(sharing);
            counts[(int)((page - CowPages.Base) >> 12)] = PageSharing.Pinned - 1;
            Assert.True(sharing.Share(page));
            Assert.Equal(PageSharing.Pinned, sharing.Count(page));
            Assert.True(sharing.Share(page));
            Assert.Equal(PageSharing.Pinned, sharing.Count(page));
            // A pinned page is never freed: releases do not count it down.
            Assert.False(sharing.Release(page));
            Assert.Equal(PageSharing.Pinned, sharing.Count(page));
            Assert.True(pages.IsOutstanding(page));
        }
    }
}
