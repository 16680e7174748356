using System;
using Hv.Core.Memory;
using Hv.Core.Virtio;

namespace Hv.Core.Drivers.Virtio
{
    public enum UsedResult
    {
        /// <summary>The device has returned nothing new.</summary>
        None,

        /// <summary>A buffer came back: its id and the bytes the device wrote.</summary>
        Taken,

        /// <summary>The device returned something impossible (an id it does not hold, a length past the buffer): skipped.</summary>
        Bad,
    }

    /// <summary>
    /// A split virtqueue (virtio 1.1 §2.6) with one buffer per descriptor: descriptor i always points at buffer i, so
    /// a buffer's id is its descriptor's index and no chains are built. The descriptor table fills one page; the
    /// driver area (available ring) and the device area (used ring) share another. Buffer ids move between three
    /// owners: free (<see cref="Acquire"/>), the device (<see cref="Offer"/>) and the driver again
    /// (<see cref="TakeUsed"/>, then <see cref="Offer"/> or <see cref="Release"/>). Whatever the device writes is
    /// checked against that bookkeeping before it is believed.
    /// </summary>
    public sealed class SplitVirtqueue
    {
        /// <summary>At most 256 entries, so the table (16 bytes each) and both rings fit their pages.</summary>
        public const int MaxSize = 256;

        private const int UsedRingOffset = 1024; // after an available ring of at most 518 bytes; 4-byte aligned

        private readonly PageSource _pages;
        private readonly ulong _table;
        private readonly ulong _rings;
        private readonly DmaBuffers _buffers;
        private readonly int _size;
        private readonly bool[] _withDevice;
        private readonly int[] _free;
        private int _freeCount;
        private ushort _availableIndex;
        private ushort _usedSeen;

        private SplitVirtqueue(PageSource pages, ulong table, ulong rings, DmaBuffers buffers, int size, bool deviceWrites)
        {
            _pages = pages;
            _table = table;
            _rings = rings;
            _buffers = buffers;
            _size = size;
            _withDevice = new bool[size];
            _free = new int[size];
            Span<byte> descriptors = pages.Page(table);
            for (int i = 0; i < size; i++)
            {
                LittleEndian.WriteUInt64(descriptors, i * SplitRing.DescriptorBytes, buffers.Address(i));
                LittleEndian.WriteUInt16(descriptors, i * SplitRing.DescriptorBytes + SplitRing.DescriptorFlags, deviceWrites ? SplitRing.DescriptorWrite : (ushort)0);
                _free[i] = size - 1 - i;
            }
            _freeCount = size;
            // Polled: ask the device not to interrupt when it returns buffers (§2.6.7; a hint it may ignore).
            LittleEndian.WriteUInt16(pages.Page(rings), SplitRing.RingFlags, SplitRing.AvailNoInterrupt);
        }

        /// <summary>size (a power of two up to <see cref="MaxSize"/>) buffers of bufferBytes; null without memory.</summary>
        public static SplitVirtqueue Create(PageSource pages, int size, int bufferBytes, bool deviceWrites)
        {
            if (size < 1 || size > MaxSize || (size & (size - 1)) != 0)
            {
                return null;
            }
            ulong table = pages.AllocatePage();
            ulong rings = pages.AllocatePage();
            DmaBuffers buffers = DmaBuffers.Allocate(pages, size, bufferBytes);
            if (table == 0 || rings == 0 || buffers == null)
            {
                return null;
            }
            return new SplitVirtqueue(pages, table, rings, buffers, size, deviceWrites);
        }

        public int Size { get { return _size; } }
        public int BufferBytes { get { return _buffers.BufferBytes; } }
        public ulong DescriptorTable { get { return _table; } }
        public ulong DriverArea { get { return _rings; } }
        public ulong DeviceArea { get { return _rings + UsedRingOffset; } }

        /// <summary>Buffers neither with the device nor taken by the driver.</summary>
        public int FreeCount { get { return _freeCount; } }

        public Span<byte> Buffer(int id)
        {
            return _buffers.Span(id);
        }

        /// <summary>A free buffer id for the driver to fill; -1 when every buffer is in use.</summary>
        public int Acquire()
        {
            return _freeCount == 0 ? -1 : _free[--_freeCount];
        }

        /// <summary>Gives a buffer the driver holds back to the free pool.</summary>
        public void Release(int id)
        {
            _free[_freeCount++] = id;
        }

        /// <summary>
        /// Makes buffer id available to the device with length bytes (for a device-written buffer: the room it may
        /// fill). Does not notify: the caller does, once, after offering a batch.
        /// </summary>
        public void Offer(int id, int length)
        {
            LittleEndian.WriteUInt32(_pages.Page(_table), id * SplitRing.DescriptorBytes + SplitRing.DescriptorLength, (uint)length);
            Span<byte> available = _pages.Page(_rings);
            LittleEndian.WriteUInt16(available, SplitRing.RingEntries + 2 * (_availableIndex % _size), (ushort)id);
            _withDevice[id] = true;
            _availableIndex++;
            // §2.6.13.2: the entry must be visible before the index that publishes it. Both are plain stores, which
            // x86-64 and the compiler keep in program order.
            LittleEndian.WriteUInt16(available, SplitRing.RingIndex, _availableIndex);
        }

        /// <summary>The next buffer the device has returned, if any.</summary>
        public UsedResult TakeUsed(out int id, out int length)
        {
            id = -1;
            length = 0;
            Span<byte> used = _pages.Page(_rings).Slice(UsedRingOffset);
            ushort deviceIndex = LittleEndian.ReadUInt16(used, SplitRing.RingIndex);
            if (deviceIndex == _usedSeen)
            {
                return UsedResult.None;
            }
            // The entry is read only after the index that published it (§2.6.8.1).
            int entry = SplitRing.RingEntries + SplitRing.UsedEntryBytes * (_usedSeen % _size);
            uint usedId = LittleEndian.ReadUInt32(used, entry);
            uint usedLength = LittleEndian.ReadUInt32(used, entry + 4);
            _usedSeen++;
            if (usedId >= (uint)_size || !_withDevice[usedId] || usedLength > (uint)_buffers.BufferBytes)
            {
                return UsedResult.Bad;
            }
            _withDevice[usedId] = false;
            id = (int)usedId;
            length = (int)usedLength;
            return UsedResult.Taken;
        }
    }
}
