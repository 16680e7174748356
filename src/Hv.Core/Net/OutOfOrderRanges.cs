namespace Hv.Core.Net
{
    /// <summary>
    /// Which sequence ranges beyond RCV.NXT have arrived early (their bytes already sit in the receive buffer).
    /// A fixed number of disjoint, sorted ranges: when a new one would need more, the segment is dropped and the
    /// peer will send it again; that bounds the bookkeeping whatever order segments come in.
    /// </summary>
    public sealed class OutOfOrderRanges
    {
        private readonly uint[] _start;
        private readonly uint[] _end;
        private int _count;

        public OutOfOrderRanges(int capacity)
        {
            _start = new uint[capacity];
            _end = new uint[capacity];
        }

        public int Count { get { return _count; } }

        public void Clear()
        {
            _count = 0;
        }

        /// <summary>Records [start, end); merges with overlapping or touching ranges. False if there is no room.</summary>
        public bool Add(uint start, uint end)
        {
            int i = 0;
            while (i < _count && TcpSequence.Less(_end[i], start))
            {
                i++;
            }
            // Ranges i.. that overlap or touch [start, end) merge into one.
            int j = i;
            while (j < _count && TcpSequence.LessOrEqual(_start[j], end))
            {
                if (TcpSequence.Less(_start[j], start))
                {
                    start = _start[j];
                }
                if (TcpSequence.Greater(_end[j], end))
                {
                    end = _end[j];
                }
                j++;
            }
            int merged = j - i;
            if (merged == 0 && _count == _start.Length)
            {
                return false;
            }
            int shift = 1 - merged;
            if (shift > 0)
            {
                for (int k = _count - 1; k >= j; k--)
                {
                    _start[k + shift] = _start[k];
                    _end[k + shift] = _end[k];
                }
            }
            else if (shift < 0)
            {
                for (int k = j; k < _count; k++)
                {
                    _start[k + shift] = _start[k];
                    _end[k + shift] = _end[k];
                }
            }
            _start[i] = start;
            _end[i] = end;
            _count += shift;
            return true;
        }

        /// <summary>Removes the ranges that now join RCV.NXT and returns the new RCV.NXT past them.</summary>
        public uint Advance(uint receiveNext)
        {
            int used = 0;
            while (used < _count && TcpSequence.LessOrEqual(_start[used], receiveNext))
            {
                if (TcpSequence.Greater(_end[used], receiveNext))
                {
                    receiveNext = _end[used];
                }
                used++;
            }
            for (int k = used; k < _count; k++)
            {
                _start[k - used] = _start[k];
                _end[k - used] = _end[k];
            }
            _count -= used;
            return receiveNext;
        }
    }
}
