using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// A fixed circular byte buffer addressed by logical offset from its oldest byte. TCP keeps unacknowledged
    /// and unsent bytes in one (and reads them again to retransmit), and received bytes in another (out-of-order
    /// data is written ahead of <see cref="Count"/> and committed once the hole before it fills).
    /// </summary>
    public sealed class ByteRing
    {
        private readonly byte[] _data;
        private int _head;
        private int _count;

        public ByteRing(int capacity)
        {
            _data = new byte[capacity];
        }

        public int Capacity { get { return _data.Length; } }
        public int Count { get { return _count; } }
        public int Free { get { return _data.Length - _count; } }

        public void Clear()
        {
            _head = 0;
            _count = 0;
        }

        /// <summary>Writes data at logical offset (which may be past Count) without changing Count.</summary>
        public void CopyIn(int offset, ReadOnlySpan<byte> data)
        {
            int position = (_head + offset) % _data.Length;
            for (int i = 0; i < data.Length; i++)
            {
                _data[position] = data[i];
                position++;
                if (position == _data.Length)
                {
                    position = 0;
                }
            }
        }

        /// <summary>Copies destination.Length bytes from logical offset without consuming them.</summary>
        public void CopyOut(int offset, Span<byte> destination)
        {
            int position = (_head + offset) % _data.Length;
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = _data[position];
                position++;
                if (position == _data.Length)
                {
                    position = 0;
                }
            }
        }

        /// <summary>Appends as much of data as fits; returns the bytes taken.</summary>
        public int Append(ReadOnlySpan<byte> data)
        {
            int n = data.Length < Free ? data.Length : Free;
            CopyIn(_count, data.Slice(0, n));
            _count += n;
            return n;
        }

        /// <summary>Counts n more bytes (already written by CopyIn) as present.</summary>
        public void Extend(int n)
        {
            _count += n;
        }

        /// <summary>Drops the n oldest bytes.</summary>
        public void Consume(int n)
        {
            _head = (_head + n) % _data.Length;
            _count -= n;
        }
    }
}
