using System;
using System.Collections.Generic;
using Hv.Core.Memory;

namespace Hv.Testing
{
    /// <summary>Host "physical" pages as managed arrays, with a limit so out-of-memory paths can be tested.</summary>
    public sealed class HeapPageSource : PageSource
    {
        private readonly Dictionary<ulong, byte[]> _pages = new Dictionary<ulong, byte[]>();
        private readonly object _lock = new object();
        public const ulong FirstAddress = 0x100000;
        private ulong _next = FirstAddress;

        public HeapPageSource(int limitPages = 1 << 18) { LimitPages = limitPages; }

        public int LimitPages { get; set; }
        public int Outstanding { get { lock (_lock) return _pages.Count; } }

        public override ulong AllocatePage()
        {
            lock (_lock)
            {
                if (_pages.Count >= LimitPages) return 0;
                ulong address = _next;
                _next += 0x1000;
                _pages[address] = new byte[4096];
                return address;
            }
        }

        public override void FreePage(ulong physical)
        {
            lock (_lock)
                if (!_pages.Remove(physical)) throw new InvalidOperationException($"free of a page not allocated: 0x{physical:X}");
        }

        public override Span<byte> Page(ulong physical)
        {
            lock (_lock) return _pages[physical];
        }
    }
}
