using System;
using Hv.Core.Memory;
using Hv.Core.Virtio;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// The device side of one split virtqueue (virtio 1.2, 2.7): the descriptor table, the available ring the
    /// driver fills and the used ring the device fills, all in guest memory.
    ///
    /// The guest is hostile. Each descriptor is read once into a local copy and only that copy is validated and
    /// used; every index is bounded by its table; a chain may visit at most as many descriptors as its table holds
    /// (so a loop ends as <see cref="VirtqueueStatus.DescriptorLoop"/>), hold at most the queue maximum of buffers,
    /// and add up to at most the device's byte limit; every buffer must lie inside guest memory before the chain
    /// is handed out. The work of one <see cref="Pop"/> is therefore bounded by the queue maximum whatever the
    /// guest writes. A chain through an indirect table may be longer than the driver's queue size (Linux does
    /// that when it shrank the ring); the device's limit is the maximum size it offered. The device keeps its own copies of the ring indices and never trusts the guest's used index.
    /// </summary>
    public sealed class SplitVirtqueue
    {


        private readonly ushort _maxSize;
        private readonly ulong _maxChainBytes;
        private readonly DescriptorChain _chain;
        private readonly byte[] _descriptor = new byte[SplitRing.DescriptorBytes];
        private readonly byte[] _scratch = new byte[8];

        /// <summary>Gives the queue back (its function is being freed).</summary>
        public void Free()
        {
            _chain.Free();
            Owned.Free(_descriptor);
            Owned.Free(_scratch);
            Owned.Free(this);
        }

        private ushort _size;
        private ulong _descriptorArea;
        private ulong _driverArea;
        private ulong _deviceArea;
        private ushort _vector;
        private bool _enabled;
        private bool _indirect;
        private bool _eventIndex;
        private ushort _nextAvail;
        private ushort _nextUsed;
        private ushort _signalledUsed;

        /// <param name="maxSize">The queue size offered to the driver (a power of two up to 32768); also the most buffers one chain may hold.</param>
        /// <param name="maxChainBytes">The most bytes one request may describe.</param>
        public SplitVirtqueue(ushort maxSize, ulong maxChainBytes)
        {
            _maxSize = maxSize;
            _maxChainBytes = maxChainBytes;
            _chain = new DescriptorChain(maxSize);
            Reset();
        }

        public ushort MaxSize { get { return _maxSize; } }

        /// <summary>queue_size: the maximum until the driver writes a smaller one; fixed once enabled.</summary>
        public ushort Size
        {
            get { return _size; }
            set { if (!_enabled) _size = value; }
        }

        public ulong DescriptorArea
        {
            get { return _descriptorArea; }
            set { if (!_enabled) _descriptorArea = value; }
        }

        public ulong DriverArea
        {
            get { return _driverArea; }
            set { if (!_enabled) _driverArea = value; }
        }

        public ulong DeviceArea
        {
            get { return _deviceArea; }
            set { if (!_enabled) _deviceArea = value; }
        }

        /// <summary>The MSI-X vector for used-buffer notifications, or <see cref="VirtioPci.NoVector"/>.</summary>
        public ushort Vector
        {
            get { return _vector; }
            set { _vector = value; }
        }

        public bool Enabled { get { return _enabled; } }

        /// <summary>The device's next available-ring position (free-running).</summary>
        public ushort NextAvail { get { return _nextAvail; } }

        /// <summary>The device's used index (free-running): the value last written to the used ring's idx.</summary>
        public ushort NextUsed { get { return _nextUsed; } }

        /// <summary>Reset state (4.1.4.3): maximum size, addresses 0, no vector, disabled, indices 0.</summary>
        public void Reset()
        {
            _size = _maxSize;
            _descriptorArea = _driverArea = _deviceArea = 0;
            _vector = VirtioPci.NoVector;
            _enabled = false;
            _indirect = _eventIndex = false;
            _nextAvail = _nextUsed = _signalledUsed = 0;
        }

        /// <summary>
        /// The driver wrote 1 to queue_enable. Checks the size and alignments of 2.7 and that all three areas are
        /// inside guest memory; on failure the queue stays disabled.
        /// </summary>
        public VirtqueueStatus Enable(GuestMemoryAccess memory, bool indirect, bool eventIndex)
        {
            if (_size == 0 || _size > _maxSize || (_size & (_size - 1)) != 0
                || (_descriptorArea & 15) != 0 || (_driverArea & 1) != 0 || (_deviceArea & 3) != 0)
            {
                return VirtqueueStatus.BadLayout;
            }
            ulong extra = eventIndex ? 2u : 0u;
            if (memory == null
                || !GuestRange.Present(memory, _descriptorArea, (ulong)_size * SplitRing.DescriptorBytes)
                || !GuestRange.Present(memory, _driverArea, 4 + 2 * (ulong)_size + extra)
                || !GuestRange.Present(memory, _deviceArea, 4 + 8 * (ulong)_size + extra))
            {
                return VirtqueueStatus.RingOutsideMemory;
            }
            _indirect = indirect;
            _eventIndex = eventIndex;
            _enabled = true;
            return VirtqueueStatus.Ok;
        }

        /// <summary>
        /// Takes the next available request. <see cref="VirtqueueStatus.Ok"/> gives the validated chain (valid until
        /// the next call); <see cref="VirtqueueStatus.Empty"/> means nothing is waiting; anything else is a driver
        /// error that leaves the queue unusable until the device is reset.
        /// </summary>
        public VirtqueueStatus Pop(GuestMemoryAccess memory, out DescriptorChain chain)
        {
            chain = null;
            if (!_enabled)
            {
                return VirtqueueStatus.Empty;
            }
            ushort availIndex;
            if (!Read16(memory, _driverArea + 2, out availIndex))
            {
                return VirtqueueStatus.RingOutsideMemory;
            }
            if (availIndex == _nextAvail && _eventIndex)
            {
                // VIRTIO_F_EVENT_IDX (2.7.10): ask for a notification at the very next buffer, then look once more
                // in case the driver added one before it could see the request.
                if (!Write16(memory, AvailEventAddress, _nextAvail) || !Read16(memory, _driverArea + 2, out availIndex))
                {
                    return VirtqueueStatus.RingOutsideMemory;
                }
            }
            ushort waiting = (ushort)(availIndex - _nextAvail);
            if (waiting == 0)
            {
                return VirtqueueStatus.Empty;
            }
            if (waiting > _size)
            {
                return VirtqueueStatus.AvailIndexJump;
            }
            ushort head;
            if (!Read16(memory, _driverArea + 4 + 2 * (ulong)(_nextAvail & (_size - 1)), out head))
            {
                return VirtqueueStatus.RingOutsideMemory;
            }
            _nextAvail++;
            if (head >= _size)
            {
                return VirtqueueStatus.HeadOutOfRange;
            }
            VirtqueueStatus status = Walk(memory, head);
            if (status == VirtqueueStatus.Ok)
            {
                chain = _chain;
            }
            return status;
        }

        /// <summary>Returns the request at <paramref name="head"/> to the driver with <paramref name="written"/> bytes written (2.7.8).</summary>
        public VirtqueueStatus Push(GuestMemoryAccess memory, ushort head, uint written)
        {
            Span<byte> element = _scratch;
            LittleEndian.WriteUInt32(element, 0, head);
            LittleEndian.WriteUInt32(element, 4, written);
            ulong slot = _deviceArea + 4 + 8 * (ulong)(_nextUsed & (_size - 1));
            // The element must be in place before idx publishes it.
            if (!memory.Write(slot, element) || !Write16(memory, _deviceArea + 2, (ushort)(_nextUsed + 1)))
            {
                return VirtqueueStatus.UsedRingWriteFailed;
            }
            _nextUsed++;
            return VirtqueueStatus.Ok;
        }

        /// <summary>
        /// After a batch of <see cref="Push"/>es: whether the driver wants a used-buffer notification (2.7.10). With
        /// VIRTIO_F_EVENT_IDX, when the used index passed used_event during the batch; otherwise unless the driver
        /// set VIRTQ_AVAIL_F_NO_INTERRUPT. An unreadable ring answers yes: a spurious interrupt is harmless.
        /// </summary>
        public bool NeedsNotification(GuestMemoryAccess memory)
        {
            ushort previous = _signalledUsed;
            _signalledUsed = _nextUsed;
            if (previous == _nextUsed)
            {
                return false;
            }
            ushort value;
            if (_eventIndex)
            {
                if (!Read16(memory, _driverArea + 4 + 2 * (ulong)_size, out value))
                {
                    return true;
                }
                return (ushort)(_nextUsed - value - 1) < (ushort)(_nextUsed - previous);
            }
            if (!Read16(memory, _driverArea, out value))
            {
                return true;
            }
            return (value & SplitRing.AvailNoInterrupt) == 0;
        }

        /// <summary>Bytes <see cref="Save"/> writes.</summary>
        public const int StateSize = 2 + 8 * 3 + 2 + 1 + 1 + 1 + 2 * 3;

        public void Save(ref StateWriter writer)
        {
            writer.U16(_size);
            writer.U64(_descriptorArea);
            writer.U64(_driverArea);
            writer.U64(_deviceArea);
            writer.U16(_vector);
            writer.Bool(_enabled);
            writer.Bool(_indirect);
            writer.Bool(_eventIndex);
            writer.U16(_nextAvail);
            writer.U16(_nextUsed);
            writer.U16(_signalledUsed);
        }

        /// <summary>
        /// Restores what <see cref="Save"/> wrote; <paramref name="valid"/> turns false for a size the queue could not
        /// have accepted. Addresses need no check: every access through them is bounded at use.
        /// </summary>
        public void Load(ref StateReader reader, ref bool valid)
        {
            ushort size = reader.U16();
            _descriptorArea = reader.U64();
            _driverArea = reader.U64();
            _deviceArea = reader.U64();
            _vector = reader.U16();
            _enabled = reader.Bool(ref valid);
            _indirect = reader.Bool(ref valid);
            _eventIndex = reader.Bool(ref valid);
            _nextAvail = reader.U16();
            _nextUsed = reader.U16();
            _signalledUsed = reader.U16();
            if (size > _maxSize || (_enabled && (size == 0 || (size & (size - 1)) != 0)))
            {
                valid = false;
                size = _maxSize;
                _enabled = false;
            }
            _size = size;
        }

        private ulong AvailEventAddress { get { return _deviceArea + 4 + 8 * (ulong)_size; } }

        private VirtqueueStatus Walk(GuestMemoryAccess memory, ushort head)
        {
            _chain.Begin(head);
            ulong table = _descriptorArea;
            uint tableEntries = _size;
            bool inIndirect = false;
            uint index = head;
            uint visited = 0;
            Span<byte> descriptor = _descriptor;
            while (true)
            {
                if (visited == tableEntries)
                {
                    return VirtqueueStatus.DescriptorLoop;
                }
                visited++;
                // Read once; from here on only the local copy is used.
                if (!memory.Read(table + (ulong)index * SplitRing.DescriptorBytes, descriptor))
                {
                    return inIndirect ? VirtqueueStatus.DescriptorOutsideMemory : VirtqueueStatus.RingOutsideMemory;
                }
                ulong address = LittleEndian.ReadUInt64(descriptor, 0);
                uint length = LittleEndian.ReadUInt32(descriptor, 8);
                ushort flags = LittleEndian.ReadUInt16(descriptor, 12);
                ushort next = LittleEndian.ReadUInt16(descriptor, 14);

                if ((flags & SplitRing.DescriptorIndirect) != 0)
                {
                    if (!_indirect)
                    {
                        return VirtqueueStatus.IndirectNotNegotiated;
                    }
                    if (inIndirect || (flags & SplitRing.DescriptorNext) != 0)
                    {
                        return VirtqueueStatus.BadIndirect;
                    }
                    if (length == 0 || length % SplitRing.DescriptorBytes != 0 || length / SplitRing.DescriptorBytes > _maxSize
                        || address > ulong.MaxValue - length)
                    {
                        return VirtqueueStatus.BadIndirectLength;
                    }
                    // 2.7.5.3.2: the write flag of the descriptor naming the table is ignored.
                    table = address;
                    tableEntries = length / SplitRing.DescriptorBytes;
                    inIndirect = true;
                    index = 0;
                    visited = 0;
                    continue;
                }

                // A zero-length buffer has no bytes to check or copy: it is left out, wherever it points.
                if (length != 0)
                {
                    VirtqueueStatus refused = Append(memory, address, length, (flags & SplitRing.DescriptorWrite) != 0);
                    if (refused != VirtqueueStatus.Ok)
                    {
                        return refused;
                    }
                }
                if ((flags & SplitRing.DescriptorNext) == 0)
                {
                    return VirtqueueStatus.Ok;
                }
                index = next;
                if (index >= tableEntries)
                {
                    return VirtqueueStatus.NextOutOfRange;
                }
            }
        }

        /// <summary>Adds one buffer to the chain after the checks of 2.7.4 and the device's limits.</summary>
        private VirtqueueStatus Append(GuestMemoryAccess memory, ulong address, uint length, bool writable)
        {
            if (!writable && _chain.WritableCount > 0)
            {
                return VirtqueueStatus.ReadableAfterWritable;
            }
            if (_chain.Count == _chain.Capacity)
            {
                return VirtqueueStatus.ChainTooLong;
            }
            if (length > _maxChainBytes - _chain.TotalBytes)
            {
                return VirtqueueStatus.ChainTooLarge;
            }
            if (!GuestRange.Present(memory, address, length))
            {
                return VirtqueueStatus.BufferOutsideMemory;
            }
            _chain.Add(address, length, writable);
            return VirtqueueStatus.Ok;
        }

        private bool Read16(GuestMemoryAccess memory, ulong gpa, out ushort value)
        {
            Span<byte> bytes = new Span<byte>(_scratch, 0, 2);
            if (!memory.Read(gpa, bytes))
            {
                value = 0;
                return false;
            }
            value = LittleEndian.ReadUInt16(bytes, 0);
            return true;
        }

        private bool Write16(GuestMemoryAccess memory, ulong gpa, ushort value)
        {
            Span<byte> bytes = new Span<byte>(_scratch, 0, 2);
            LittleEndian.WriteUInt16(bytes, 0, value);
            return memory.Write(gpa, bytes);
        }
    }
}
