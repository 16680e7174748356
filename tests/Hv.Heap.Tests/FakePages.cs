using System;
using System.Runtime.InteropServices;
using Internal.Runtime;

namespace Hv.Heap.Tests
{
    /// <summary>
    /// Stands in for the kernel's page allocator: first-fit runs of 4 KiB pages from one aligned native region.
    /// Pages are handed out filled with <see cref="FreshByte"/> (so a heap that forgets to zero shows it) and
    /// poisoned when given back; giving back a page that is not out fails the test at once.
    /// </summary>
    internal sealed unsafe class FakePages : HeapPageProvider, IDisposable
    {
        public const int PageSize = 4096;
        public const byte FreshByte = 0xA5;
        private const byte PoisonByte = 0x5A;
        private readonly bool[] _out;
        private int _lowestFree;

        public FakePages(int pages)
        {
            _out = new bool[pages];
            Base = (byte*)NativeMemory.AlignedAlloc((nuint)pages * PageSize, PageSize);
        }

        public byte* Base { get; }
        public ulong Start => (ulong)Base;
        public ulong End => Start + (ulong)_out.Length * PageSize;
        /// <summary>Most pages that may be out at once; more is refused as exhaustion.</summary>
        public int Limit { get; set; } = int.MaxValue;
        public int Outstanding { get; private set; }

        public override ulong AvailablePages => (ulong)Math.Max(0, Math.Min(Limit, _out.Length) - Outstanding);

        public bool IsOut(byte* page) => _out[(int)((page - Base) / PageSize)];

        public override byte* AllocatePages(int count)
        {
            if (count <= 0 || count > Limit - Outstanding) return null;
            for (int first = _lowestFree; first + count <= _out.Length; first++)
            {
                int run = 0;
                while (run < count && !_out[first + run]) run++;
                if (run < count)
                {
                    first += run;
                    continue;
                }
                for (int i = 0; i < count; i++) _out[first + i] = true;
                Outstanding += count;
                while (_lowestFree < _out.Length && _out[_lowestFree]) _lowestFree++;
                byte* start = Base + (long)first * PageSize;
                new Span<byte>(start, count * PageSize).Fill(FreshByte);
                return start;
            }
            return null;
        }

        public override void FreePages(byte* first, int count)
        {
            long offset = first - Base;
            Assert.True(offset >= 0 && offset % PageSize == 0 && count > 0, "pages given back that were never lent");
            int index = (int)(offset / PageSize);
            for (int i = 0; i < count; i++)
            {
                Assert.True(_out[index + i], "a page given back that is not out");
                _out[index + i] = false;
            }
            Outstanding -= count;
            _lowestFree = Math.Min(_lowestFree, index);
            new Span<byte>(first, count * PageSize).Fill(PoisonByte);
        }

        public void Dispose() => NativeMemory.AlignedFree(Base);
    }
}
