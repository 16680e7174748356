using L = Hv.Core.Devices.Virtio.VirtioPciLayout;
using Hv.Core.Virtio;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// The common configuration structure of a virtio PCI function (virtio 1.2, 4.1.4.3): feature negotiation,
    /// device status, the configuration generation and the per-queue registers selected by queue_select. The
    /// transport owns it and is called back for the three events that reach beyond the registers: a reset
    /// (status 0), DRIVER_OK, and a queue being enabled.
    /// </summary>
    internal sealed class VirtioCommonConfig
    {
        public const int StateSize = 4 + 4 + 8 + 8 + 1 + 1 + 1 + 2 + 2;
        private const byte ReadyBits = VirtioFeatures.StatusDriverOk | VirtioFeatures.StatusFeaturesOk;
        private const byte KnownStatusBits = VirtioFeatures.StatusAcknowledge | VirtioFeatures.StatusDriver
            | ReadyBits | VirtioFeatures.StatusNeedsReset | VirtioFeatures.StatusFailed;

        private readonly VirtioPciFunction _function;
        private readonly SplitVirtqueue[] _queues;
        private readonly ulong _offered;
        private readonly int _vectors;
        private uint _deviceFeatureSelect;
        private uint _driverFeatureSelect;
        private ulong _driverFeatures;
        private ulong _negotiated;
        private byte _status;
        private byte _generation;
        private bool _configChanged;
        private ushort _configVector;
        private ushort _queueSelect;

        public VirtioCommonConfig(VirtioPciFunction function, SplitVirtqueue[] queues, ulong offered, int vectors)
        {
            _function = function;
            _queues = queues;
            _offered = offered;
            _vectors = vectors;
            Reset();
        }

        public byte Status { get { return _status; } }
        public ulong Negotiated { get { return _negotiated; } }
        public ushort ConfigVector { get { return _configVector; } }

        /// <summary>FEATURES_OK and DRIVER_OK are set and neither NEEDS_RESET nor FAILED is.</summary>
        public bool Live
        {
            get
            {
                return (_status & ReadyBits) == ReadyBits
                    && (_status & (VirtioFeatures.StatusNeedsReset | VirtioFeatures.StatusFailed)) == 0;
            }
        }

        /// <summary>Device reset (status 0): features, status and selectors cleared, configuration changes unmapped.</summary>
        public void Reset()
        {
            _deviceFeatureSelect = _driverFeatureSelect = 0;
            _driverFeatures = _negotiated = 0;
            _status = 0;
            _configChanged = false;
            _configVector = VirtioPci.NoVector;
            _queueSelect = 0;
        }

        /// <summary>Sets DEVICE_NEEDS_RESET; true when it was not set before.</summary>
        public bool SetNeedsReset()
        {
            if ((_status & VirtioFeatures.StatusNeedsReset) != 0)
            {
                return false;
            }
            _status |= VirtioFeatures.StatusNeedsReset;
            return true;
        }

        /// <summary>The device configuration changed; the generation moves when the driver next reads it (4.1.4.3.1).</summary>
        public void MarkConfigChanged()
        {
            _configChanged = true;
        }

        /// <summary>The driver is reading the device configuration.</summary>
        public void ConfigRead()
        {
            if (_configChanged)
            {
                _generation++;
                _configChanged = false;
            }
        }

        /// <summary>The byte at <paramref name="offset"/> of the structure, whatever the access width.</summary>
        public byte Read(int offset)
        {
            SplitVirtqueue queue = SelectedQueue;
            ulong field;
            int start;
            if (offset >= VirtioPci.QueueDesc)
            {
                start = offset & ~7;
                field = queue == null ? 0
                    : start == VirtioPci.QueueDesc ? queue.DescriptorArea
                    : start == VirtioPci.QueueDriver ? queue.DriverArea
                    : queue.DeviceArea;
            }
            else if (offset < VirtioPci.ConfigMsixVector)
            {
                start = offset & ~3;
                switch (start)
                {
                    case VirtioPci.DeviceFeatureSelect: field = _deviceFeatureSelect; break;
                    case VirtioPci.DeviceFeature: field = FeatureWord(_offered, _deviceFeatureSelect); break;
                    case VirtioPci.DriverFeatureSelect: field = _driverFeatureSelect; break;
                    default: field = FeatureWord(_driverFeatures & _offered, _driverFeatureSelect); break;
                }
            }
            else if (offset == VirtioPci.DeviceStatus || offset == VirtioPci.ConfigGeneration)
            {
                start = offset;
                field = offset == VirtioPci.DeviceStatus ? _status : _generation;
            }
            else
            {
                start = offset & ~1;
                switch (start)
                {
                    case VirtioPci.ConfigMsixVector: field = _configVector; break;
                    case VirtioPci.NumQueues: field = (ulong)_queues.Length; break;
                    case VirtioPci.QueueSelect: field = _queueSelect; break;
                    // A queue that does not exist reads size 0 (4.1.4.3.1) and no vector.
                    case VirtioPci.QueueSize: field = queue == null ? 0u : queue.Size; break;
                    case VirtioPci.QueueMsixVector: field = queue == null ? VirtioPci.NoVector : queue.Vector; break;
                    case VirtioPci.QueueEnable: field = queue != null && queue.Enabled ? 1u : 0u; break;
                    default: field = _queueSelect; break; // queue_notify_off: queue n notifies at n × multiplier
                }
            }
            return (byte)(field >> ((offset - start) * 8));
        }

        /// <summary>A write of a field's natural width (64-bit fields also as two dwords, 4.1.3); other writes are ignored.</summary>
        public void Write(int offset, int size, ulong value)
        {
            SplitVirtqueue queue = SelectedQueue;
            if (offset >= VirtioPci.QueueDesc)
            {
                if (queue != null && (size == 4 || size == 8) && (offset & (size - 1)) == 0)
                {
                    WriteQueueAddress(queue, offset, size, value);
                }
                return;
            }
            int width = offset < VirtioPci.ConfigMsixVector ? 4 : offset == VirtioPci.DeviceStatus ? 1 : 2;
            if (size != width)
            {
                return;
            }
            switch (offset)
            {
                case VirtioPci.DeviceFeatureSelect: _deviceFeatureSelect = (uint)value; break;
                case VirtioPci.DriverFeatureSelect: _driverFeatureSelect = (uint)value; break;
                case VirtioPci.DriverFeature: WriteDriverFeatures((uint)value); break;
                case VirtioPci.ConfigMsixVector: _configVector = ValidVector((ushort)value); break;
                case VirtioPci.DeviceStatus: WriteStatus((byte)value); break;
                case VirtioPci.QueueSelect: _queueSelect = (ushort)value; break;
                case VirtioPci.QueueSize: if (queue != null) queue.Size = (ushort)value; break;
                case VirtioPci.QueueMsixVector: if (queue != null) queue.Vector = ValidVector((ushort)value); break;
                case VirtioPci.QueueEnable: if (queue != null && (ushort)value == 1 && !queue.Enabled) _function.EnableQueue(queue); break;
            }
        }

        public void Save(ref StateWriter writer)
        {
            writer.U32(_deviceFeatureSelect);
            writer.U32(_driverFeatureSelect);
            writer.U64(_driverFeatures);
            writer.U64(_negotiated);
            writer.U8(_status);
            writer.U8(_generation);
            writer.Bool(_configChanged);
            writer.U16(_configVector);
            writer.U16(_queueSelect);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _deviceFeatureSelect = reader.U32();
            _driverFeatureSelect = reader.U32();
            _driverFeatures = reader.U64();
            _negotiated = reader.U64();
            _status = reader.U8();
            _generation = reader.U8();
            _configChanged = reader.Bool(ref valid);
            _configVector = reader.U16();
            _queueSelect = reader.U16();
            if ((_negotiated & ~_offered) != 0 || (_status & ~KnownStatusBits) != 0 || ValidVector(_configVector) != _configVector)
            {
                valid = false;
            }
        }

        /// <summary>A vector the MSI-X table has, or NO_VECTOR: an unmappable vector reads back as NO_VECTOR (4.1.5.1.2.1).</summary>
        public ushort ValidVector(ushort vector)
        {
            return vector < _vectors ? vector : VirtioPci.NoVector;
        }

        private SplitVirtqueue SelectedQueue
        {
            get { return _queueSelect < _queues.Length ? _queues[_queueSelect] : null; }
        }

        private static void WriteQueueAddress(SplitVirtqueue queue, int offset, int size, ulong value)
        {
            int start = offset & ~7;
            ulong current = start == VirtioPci.QueueDesc ? queue.DescriptorArea : start == VirtioPci.QueueDriver ? queue.DriverArea : queue.DeviceArea;
            ulong updated = size == 8 ? value
                : (offset & 4) == 0 ? (current & 0xFFFFFFFF00000000UL) | (uint)value
                : (current & 0xFFFFFFFFUL) | ((ulong)(uint)value << 32);
            if (start == VirtioPci.QueueDesc)
            {
                queue.DescriptorArea = updated;
            }
            else if (start == VirtioPci.QueueDriver)
            {
                queue.DriverArea = updated;
            }
            else
            {
                queue.DeviceArea = updated;
            }
        }

        private void WriteDriverFeatures(uint value)
        {
            // Features are fixed once FEATURES_OK is set (3.1.1); only words 0 and 1 exist.
            if ((_status & VirtioFeatures.StatusFeaturesOk) != 0 || _driverFeatureSelect > 1)
            {
                return;
            }
            int shift = (int)_driverFeatureSelect * 32;
            _driverFeatures = (_driverFeatures & ~(0xFFFFFFFFUL << shift)) | ((ulong)value << shift);
        }

        private void WriteStatus(byte value)
        {
            if (value == 0)
            {
                _function.ResetDevice();
                return;
            }
            byte previous = _status;
            // DEVICE_NEEDS_RESET belongs to the device: the driver can neither set nor clear it.
            byte next = (byte)((value & KnownStatusBits & ~VirtioFeatures.StatusNeedsReset) | (previous & VirtioFeatures.StatusNeedsReset));
            if ((next & VirtioFeatures.StatusFeaturesOk) != 0 && (previous & VirtioFeatures.StatusFeaturesOk) == 0)
            {
                // 2.2.2: refuse FEATURES_OK for bits we did not offer, or without VERSION_1 (a legacy driver).
                if ((_driverFeatures & ~_offered) == 0 && (_driverFeatures & VirtioFeatures.Bit(VirtioFeatures.Version1)) != 0)
                {
                    _negotiated = _driverFeatures;
                }
                else
                {
                    next = (byte)(next & ~VirtioFeatures.StatusFeaturesOk);
                }
            }
            _status = next;
            if ((next & VirtioFeatures.StatusDriverOk) != 0 && (previous & VirtioFeatures.StatusDriverOk) == 0)
            {
                _function.DriverReady();
            }
        }

        private static ulong FeatureWord(ulong features, uint select)
        {
            return select == 0 ? (uint)features : select == 1 ? features >> 32 : 0;
        }
    }
}
