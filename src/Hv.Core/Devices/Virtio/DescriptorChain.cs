using System;
using Hv.Core.Memory;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// One request taken from a virtqueue: the validated list of its guest buffers, device-readable ones first,
    /// then device-writable ones (virtio 1.2, 2.7.4). The device sees the readable buffers as one byte stream and
    /// the writable ones as another, whatever the driver's split into descriptors (2.6.4: the device must not
    /// assume a framing). Every buffer was checked to lie inside guest memory when the chain was taken, and the
    /// copies go through <see cref="GuestMemoryAccess"/> only. Reused for every request of its queue: nothing here
    /// allocates.
    /// </summary>
    public sealed class DescriptorChain
    {
        private readonly ulong[] _address;
        private readonly uint[] _length;

        /// <summary>Gives the chain's buffers back (its queue is being freed).</summary>
        public void Free()
        {
            Owned.Free(_address);
            Owned.Free(_length);
            Owned.Free(this);
        }
        private int _count;
        private int _readable;
        private ulong _readableBytes;
        private ulong _writableBytes;
        private ushort _head;
        // Where the last copy ended in each stream: sequential copies resume there instead of rescanning.
        private int _readSegment;
        private ulong _readSegmentStart;
        private int _writeSegment;
        private ulong _writeSegmentStart;

        public DescriptorChain(int capacity)
        {
            _address = new ulong[capacity];
            _length = new uint[capacity];
        }

        /// <summary>Most buffers one chain may hold.</summary>
        public int Capacity { get { return _address.Length; } }

        /// <summary>The descriptor index the driver made available: what the used ring must name.</summary>
        public ushort Head { get { return _head; } }

        public int Count { get { return _count; } }
        public int ReadableCount { get { return _readable; } }
        public int WritableCount { get { return _count - _readable; } }
        public ulong ReadableBytes { get { return _readableBytes; } }
        public ulong WritableBytes { get { return _writableBytes; } }
        public ulong TotalBytes { get { return _readableBytes + _writableBytes; } }

        public ulong Address(int index)
        {
            return _address[index];
        }

        public uint Length(int index)
        {
            return _length[index];
        }

        public bool IsWritable(int index)
        {
            return index >= _readable;
        }

        /// <summary>Copies readable bytes [offset, offset + destination.Length) of the request; false if they are not all there.</summary>
        public bool Read(GuestMemoryAccess memory, ulong offset, Span<byte> destination)
        {
            if (offset > _readableBytes || (ulong)destination.Length > _readableBytes - offset)
            {
                return false;
            }
            int done = 0;
            while (done < destination.Length)
            {
                ulong gpa;
                int chunk = Piece(false, offset + (ulong)done, destination.Length - done, out gpa);
                if (!memory.Read(gpa, destination.Slice(done, chunk)))
                {
                    return false;
                }
                done += chunk;
            }
            return true;
        }

        /// <summary>Copies <paramref name="source"/> to writable bytes [offset, offset + source.Length); false if they do not fit.</summary>
        public bool Write(GuestMemoryAccess memory, ulong offset, ReadOnlySpan<byte> source)
        {
            if (offset > _writableBytes || (ulong)source.Length > _writableBytes - offset)
            {
                return false;
            }
            int done = 0;
            while (done < source.Length)
            {
                ulong gpa;
                int chunk = Piece(true, offset + (ulong)done, source.Length - done, out gpa);
                if (!memory.Write(gpa, source.Slice(done, chunk)))
                {
                    return false;
                }
                done += chunk;
            }
            return true;
        }

        /// <summary>
        /// The guest address of byte <paramref name="position"/> of the readable or writable stream (which the caller
        /// has bounds-checked) and how many of the <paramref name="wanted"/> bytes follow it in the same buffer.
        /// Resumes from where the previous piece of that stream ended, so a sequential copy is O(buffers).
        /// </summary>
        private int Piece(bool writable, ulong position, int wanted, out ulong gpa)
        {
            int segment = writable ? _writeSegment : _readSegment;
            ulong start = writable ? _writeSegmentStart : _readSegmentStart;
            if (position < start)
            {
                segment = writable ? _readable : 0;
                start = 0;
            }
            while (position - start >= _length[segment])
            {
                start += _length[segment];
                segment++;
            }
            if (writable)
            {
                _writeSegment = segment;
                _writeSegmentStart = start;
            }
            else
            {
                _readSegment = segment;
                _readSegmentStart = start;
            }
            ulong inSegment = position - start;
            gpa = _address[segment] + inSegment;
            return (int)Math.Min((ulong)wanted, _length[segment] - inSegment);
        }

        /// <summary>Starts an empty chain for the request at <paramref name="head"/>.</summary>
        internal void Begin(ushort head)
        {
            _head = head;
            _count = 0;
            _readable = 0;
            _readableBytes = 0;
            _writableBytes = 0;
            _readSegment = 0;
            _readSegmentStart = 0;
            _writeSegment = 0;
            _writeSegmentStart = 0;
        }

        /// <summary>Appends a buffer; the queue has checked order, capacity and that the range is in guest memory.</summary>
        internal void Add(ulong address, uint length, bool writable)
        {
            _address[_count] = address;
            _length[_count] = length;
            _count++;
            if (writable)
            {
                _writableBytes += length;
            }
            else
            {
                _readable++;
                _readableBytes += length;
                _writeSegment = _readable;
            }
        }
    }
}
