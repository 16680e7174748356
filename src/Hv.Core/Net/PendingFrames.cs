using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// Frames waiting for ARP: copies in fixed slots, each tagged with its next hop. Bounded, so traffic to an
    /// address that never answers costs at most these slots; frames leave in the order they came.
    /// </summary>
    internal sealed class PendingFrames
    {
        private readonly byte[][] _frames;
        private readonly int[] _lengths;
        private readonly uint[] _nextHops;
        private readonly ulong[] _order;
        private ulong _nextOrder = 1;
        private int _count;

        public PendingFrames(int slots)
        {
            _frames = new byte[slots][];
            _lengths = new int[slots];
            _nextHops = new uint[slots];
            _order = new ulong[slots];
            for (int i = 0; i < slots; i++)
            {
                _frames[i] = new byte[Ethernet.MaxFrameBytes];
            }
        }

        public int Count { get { return _count; } }

        public bool Add(ReadOnlySpan<byte> frame, uint nextHop)
        {
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_order[i] == 0)
                {
                    BigEndian.Copy(frame, _frames[i]);
                    _lengths[i] = frame.Length;
                    _nextHops[i] = nextHop;
                    _order[i] = _nextOrder++;
                    _count++;
                    return true;
                }
            }
            return false;
        }

        /// <summary>Sends every frame for nextHop, oldest first, to mac.</summary>
        public void Flush(uint nextHop, ulong mac, NetStack stack)
        {
            while (true)
            {
                int oldest = Oldest(nextHop);
                if (oldest < 0)
                {
                    return;
                }
                _order[oldest] = 0;
                _count--;
                BigEndian.WriteMac(_frames[oldest], 0, mac);
                stack.Transmit(_frames[oldest], _lengths[oldest]);
            }
        }

        /// <summary>Drops every frame for nextHop; returns how many.</summary>
        public int Discard(uint nextHop)
        {
            int dropped = 0;
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_order[i] != 0 && _nextHops[i] == nextHop)
                {
                    _order[i] = 0;
                    _count--;
                    dropped++;
                }
            }
            return dropped;
        }

        private int Oldest(uint nextHop)
        {
            int oldest = -1;
            for (int i = 0; i < _frames.Length; i++)
            {
                if (_order[i] != 0 && _nextHops[i] == nextHop && (oldest < 0 || _order[i] < _order[oldest]))
                {
                    oldest = i;
                }
            }
            return oldest;
        }
    }
}
