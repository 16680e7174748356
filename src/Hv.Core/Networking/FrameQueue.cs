using System;

namespace Hv.Core.Networking
{
    /// <summary>
    /// A bounded FIFO of Ethernet frames, its storage allocated once: a switch port's receive queue. When it is
    /// full new frames are refused (the switch counts them as dropped), so a guest that never reads cannot make
    /// the host hold more than <see cref="Capacity"/> frames for it.
    /// </summary>
    public sealed class FrameQueue
    {
        private readonly byte[] _data;
        private readonly int[] _lengths;
        private int _head;
        private int _count;

        public FrameQueue(int capacity)
        {
            _data = new byte[capacity * EthernetFrame.MaxLength];
            _lengths = new int[capacity];
        }

        public int Capacity { get { return _lengths.Length; } }
        public int Count { get { return _count; } }

        /// <summary>Copies <paramref name="frame"/> in; false when the queue is full or the frame too long.</summary>
        public bool Enqueue(ReadOnlySpan<byte> frame)
        {
            if (_count == _lengths.Length || frame.Length > EthernetFrame.MaxLength)
            {
                return false;
            }
            int slot = (_head + _count) % _lengths.Length;
            int at = slot * EthernetFrame.MaxLength;
            for (int i = 0; i < frame.Length; i++)
            {
                _data[at + i] = frame[i];
            }
            _lengths[slot] = frame.Length;
            _count++;
            return true;
        }

        /// <summary>The oldest frame (valid until the next <see cref="Dequeue"/>), or an empty span.</summary>
        public ReadOnlySpan<byte> Peek()
        {
            if (_count == 0)
            {
                return new ReadOnlySpan<byte>(_data, 0, 0);
            }
            return new ReadOnlySpan<byte>(_data, _head * EthernetFrame.MaxLength, _lengths[_head]);
        }

        /// <summary>Drops the oldest frame.</summary>
        public void Dequeue()
        {
            if (_count == 0)
            {
                return;
            }
            _head = (_head + 1) % _lengths.Length;
            _count--;
        }

        public void Clear()
        {
            _head = 0;
            _count = 0;
        }

        /// <summary>Gives back the frame storage and the queue (its switch was removed).</summary>
        public void Free()
        {
            Owned.Free(_data);
            Owned.Free(_lengths);
            Owned.Free(this);
        }
    }
}
