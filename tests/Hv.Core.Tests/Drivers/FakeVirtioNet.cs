using System;
using System.Collections.Generic;
using Hv.Core.Drivers;
using Hv.Core.Drivers.Virtio;
using Hv.Core.Memory;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Drivers
{
    /// <summary>
    /// A model of a virtio 1.1 network device on the modern PCI transport: the common configuration (feature
    /// windows, status with the FEATURES_OK check of §3.1.1, per-queue registers), the notify window (a queue index
    /// written at queue_notify_off × multiplier), the device configuration (MAC, status) and split virtqueues read
    /// and written in the page source as the device would by DMA. Knobs make it misbehave for the tests.
    /// </summary>
    internal sealed class FakeVirtioNet
    {
        public const uint NotifyMultiplier = 4;
        private readonly PageSource _memory;

        public readonly Window Common, Notify, Device;
        public ulong Offered = VirtioFeatures.Bit(VirtioFeatures.Version1) | VirtioNetRegisters.FeatureMac | VirtioNetRegisters.FeatureStatus
                               | (1UL << 0) | (1UL << 15) | (1UL << 17) | (1UL << 7); // CSUM, MRG_RXBUF, CTRL_VQ, GUEST_TSO4
        public ulong Accepted;
        public bool RefuseFeatures;
        public readonly List<byte> StatusWrites = new();
        public readonly List<byte[]> Sent = new();
        public readonly Queue[] Queues = { new Queue(256), new Queue(256) };
        public int NotifiesBeforeDriverOk;
        public bool HoldTransmit;
        public ulong ChangedMac;    // when set, the MAC becomes this halfway through the first read (a config change)

        internal sealed class Queue
        {
            public int Max, Size, NotifyOff, Notifies;
            public ushort Vector = 0;
            public bool Enabled;
            public ulong Desc, Driver, Device;
            public ushort AvailSeen, UsedIndex;
            public Queue(int max) { Max = max; Size = max; }
        }

        private uint _deviceSelect, _driverSelect;
        private ushort _queueSelect;
        private byte _status, _generation;

        public FakeVirtioNet(PageSource memory, ulong mac)
        {
            _memory = memory;
            Queues[1].NotifyOff = 1;
            Common = new Window(this, 0x38, ReadCommon, WriteCommon);
            Notify = new Window(this, 0x1000, _ => 0, (offset, size, value) => Kick(offset, size, value));
            Device = new Window(this, 0x10, ReadDevice, (_, _, _) => throw new InvalidOperationException("device config is read-only"));
            Mac = mac;
            LinkUp = true;
        }

        public ulong Mac;
        public bool LinkUp;
        public byte Status => _status;

        /// <summary>A register window whose accesses land in the model.</summary>
        internal sealed class Window : DeviceRegisters
        {
            private readonly FakeVirtioNet _device;
            private readonly int _length;
            private readonly Func<int, ulong> _read;
            private readonly Action<int, int, ulong> _write;
            public Window(FakeVirtioNet device, int length, Func<int, ulong> read, Action<int, int, ulong> write)
            {
                _device = device;
                _length = length;
                _read = read;
                _write = write;
            }
            public override int Length => _length;
            private void Check(int offset, int size) => Assert.True(offset % size == 0 && Contains(offset, size), $"bad access {offset:X}/{size}");
            public override uint Read32(int offset) { Check(offset, 4); return (uint)_read(offset); }
            public override ushort Read16(int offset) { Check(offset, 2); return (ushort)_read(offset); }
            public override byte Read8(int offset) { Check(offset, 1); return (byte)_read(offset); }
            public override void Write32(int offset, uint value) { Check(offset, 4); _write(offset, 4, value); }
            public override void Write16(int offset, ushort value) { Check(offset, 2); _write(offset, 2, value); }
            public override void Write8(int offset, byte value) { Check(offset, 1); _write(offset, 1, value); }
        }

        private Queue Selected => Queues[_queueSelect];

        private ulong ReadCommon(int offset) => offset switch
        {
            VirtioPci.DeviceFeature => _deviceSelect == 0 ? (uint)Offered : _deviceSelect == 1 ? (uint)(Offered >> 32) : 0,
            VirtioPci.NumQueues => (ulong)Queues.Length,
            VirtioPci.DeviceStatus => _status,
            VirtioPci.ConfigGeneration => _generation,
            VirtioPci.QueueSelect => _queueSelect,
            VirtioPci.QueueSize => (ulong)Selected.Size,
            VirtioPci.QueueMsixVector => Selected.Vector,
            VirtioPci.QueueEnable => Selected.Enabled ? 1UL : 0,
            VirtioPci.QueueNotifyOff => (ulong)Selected.NotifyOff,
            _ => throw new InvalidOperationException($"unexpected common config read at {offset:X}"),
        };

        private void WriteCommon(int offset, int size, ulong value)
        {
            switch (offset)
            {
                case VirtioPci.DeviceFeatureSelect: _deviceSelect = (uint)value; return;
                case VirtioPci.DriverFeatureSelect: _driverSelect = (uint)value; return;
                case VirtioPci.DriverFeature:
                    Assert.Equal(0, _status & VirtioFeatures.StatusFeaturesOk); // features are fixed once FEATURES_OK is set
                    int shift = _driverSelect == 0 ? 0 : 32;
                    Accepted = (Accepted & ~(0xFFFFFFFFUL << shift)) | (value << shift);
                    return;
                case VirtioPci.DeviceStatus:
                    StatusWrites.Add((byte)value);
                    if (value == 0)
                    {
                        _status = 0;
                        Accepted = 0;
                        foreach (var q in Queues) { q.Enabled = false; q.Size = q.Max; q.AvailSeen = 0; q.UsedIndex = 0; }
                        return;
                    }
                    if ((value & VirtioFeatures.StatusFeaturesOk) != 0 && (_status & VirtioFeatures.StatusFeaturesOk) == 0
                        && (RefuseFeatures || (Accepted & ~Offered) != 0 || (Accepted & VirtioFeatures.Bit(VirtioFeatures.Version1)) == 0))
                        value &= ~(ulong)VirtioFeatures.StatusFeaturesOk; // §3.1.1 step 6: the device leaves the bit clear
                    _status = (byte)value;
                    return;
                case VirtioPci.QueueSelect: _queueSelect = (ushort)value; return;
                case VirtioPci.QueueSize:
                    Assert.True(value <= (ulong)Selected.Max && value != 0 && (value & (value - 1)) == 0, $"queue size {value}");
                    Selected.Size = (int)value;
                    return;
                case VirtioPci.QueueMsixVector: Selected.Vector = (ushort)value; return;
                case VirtioPci.QueueEnable: Selected.Enabled = value == 1; return;
                case VirtioPci.QueueDesc: Selected.Desc = (Selected.Desc & ~0xFFFFFFFFUL) | value; return;
                case VirtioPci.QueueDesc + 4: Selected.Desc = (Selected.Desc & 0xFFFFFFFF) | (value << 32); return;
                case VirtioPci.QueueDriver: Selected.Driver = (Selected.Driver & ~0xFFFFFFFFUL) | value; return;
                case VirtioPci.QueueDriver + 4: Selected.Driver = (Selected.Driver & 0xFFFFFFFF) | (value << 32); return;
                case VirtioPci.QueueDevice: Selected.Device = (Selected.Device & ~0xFFFFFFFFUL) | value; return;
                case VirtioPci.QueueDevice + 4: Selected.Device = (Selected.Device & 0xFFFFFFFF) | (value << 32); return;
                default: throw new InvalidOperationException($"unexpected common config write at {offset:X}");
            }
        }

        private ulong ReadDevice(int offset)
        {
            if (offset < 6)
            {
                if (ChangedMac != 0 && offset == 3)
                {
                    Mac = ChangedMac;
                    ChangedMac = 0;
                    _generation++;
                }
                return (Mac >> (40 - 8 * offset)) & 0xFF;
            }
            Assert.Equal(VirtioNetRegisters.ConfigStatus, offset);
            return LinkUp ? VirtioNetRegisters.StatusLinkUp : 0u;
        }

        private void Kick(int offset, int size, ulong value)
        {
            Assert.Equal(2, size);
            Assert.True(value < (ulong)Queues.Length, "notify names no queue");
            Queue q = Queues[value];
            Assert.Equal((int)(q.NotifyOff * NotifyMultiplier), offset);
            if ((_status & VirtioFeatures.StatusDriverOk) == 0)
                NotifiesBeforeDriverOk++;
            q.Notifies++;
            if (value == VirtioNetRegisters.TransmitQueue)
                Transmit();
        }

        private Span<byte> Dma(ulong physical, int length) => _memory.Page(physical & ~0xFFFUL).Slice((int)(physical & 0xFFF), length);

        private ushort AvailIndex(Queue q) => LittleEndian.ReadUInt16(Dma(q.Driver, 4), 2);

        public ushort AvailFlags(int queue) => LittleEndian.ReadUInt16(Dma(Queues[queue].Driver, 2), 0);

        /// <summary>The descriptor the driver made available next: its id, buffer address, length and flags.</summary>
        private (int Id, ulong Address, int Length, ushort Flags) TakeAvailable(Queue q)
        {
            int id = LittleEndian.ReadUInt16(Dma(q.Driver + 4 + (ulong)(2 * (q.AvailSeen % q.Size)), 2), 0);
            q.AvailSeen++;
            Assert.InRange(id, 0, q.Size - 1);
            Span<byte> d = Dma(q.Desc + (ulong)(16 * id), 16);
            return (id, LittleEndian.ReadUInt64(d, 0), (int)LittleEndian.ReadUInt32(d, 8), LittleEndian.ReadUInt16(d, 12));
        }

        /// <summary>Writes a used entry as the device does: entry first, then the index.</summary>
        public void PutUsed(int queue, uint id, uint length)
        {
            Queue q = Queues[queue];
            Span<byte> entry = Dma(q.Device + 4 + (ulong)(8 * (q.UsedIndex % q.Size)), 8);
            LittleEndian.WriteUInt32(entry, 0, id);
            LittleEndian.WriteUInt32(entry, 4, length);
            q.UsedIndex++;
            LittleEndian.WriteUInt16(Dma(q.Device, 4), 2, q.UsedIndex);
        }

        /// <summary>Receives a frame: false when the driver has no receive buffer available.</summary>
        public bool Deliver(byte[] frame)
        {
            Queue q = Queues[VirtioNetRegisters.ReceiveQueue];
            Assert.True(q.Enabled && (_status & VirtioFeatures.StatusDriverOk) != 0);
            if (q.AvailSeen == AvailIndex(q))
                return false;
            var (id, address, length, flags) = TakeAvailable(q);
            Assert.Equal(2, flags & 3); // device-writable, not chained
            Assert.True(length >= VirtioNetRegisters.HeaderBytes + frame.Length, "receive buffer too small");
            Span<byte> buffer = Dma(address, VirtioNetRegisters.HeaderBytes + frame.Length);
            buffer.Slice(0, VirtioNetRegisters.HeaderBytes).Clear();
            buffer[10] = 1; // num_buffers
            frame.CopyTo(buffer.Slice(VirtioNetRegisters.HeaderBytes));
            PutUsed(VirtioNetRegisters.ReceiveQueue, (uint)id, (uint)buffer.Length);
            return true;
        }

        public void Flush()
        {
            HoldTransmit = false;
            Transmit();
        }

        private void Transmit()
        {
            Queue q = Queues[VirtioNetRegisters.TransmitQueue];
            while (!HoldTransmit && q.AvailSeen != AvailIndex(q))
            {
                var (id, address, length, flags) = TakeAvailable(q);
                Assert.Equal(0, flags); // read-only for the device, not chained
                Span<byte> buffer = Dma(address, length);
                Assert.All(buffer.Slice(0, VirtioNetRegisters.HeaderBytes).ToArray(), b => Assert.Equal(0, b));
                Sent.Add(buffer.Slice(VirtioNetRegisters.HeaderBytes).ToArray());
                PutUsed(VirtioNetRegisters.TransmitQueue, (uint)id, 0);
            }
        }
    }
}
