using Hv.Core.Devices.Pci;
using Hv.Core.Memory;
using L = Hv.Core.Devices.Virtio.VirtioPciLayout;
using Hv.Core.Virtio;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// The modern virtio-over-PCI transport (virtio 1.2, 4.1) shared by Hv's virtio devices: the vendor
    /// capabilities that point at the register structures (<see cref="VirtioPciLayout"/>), the common
    /// configuration (<see cref="VirtioCommonConfig"/>: features with VIRTIO_F_VERSION_1 required, device status,
    /// reset), split virtqueues, MSI-X with the INTx/ISR fallback, and the PCI configuration access capability.
    ///
    /// Only the modern interface is offered. Linux has driven modern devices since 4.0 (Debian 12's 6.1 probes
    /// 0x1040+ IDs with virtio_pci_modern), and the legacy interface would add a second register layout in an
    /// I/O BAR, guest-endian rings at fixed 4 KiB alignment and no FEATURES_OK handshake: more surface for a
    /// hostile guest and nothing an OS Hv runs needs.
    ///
    /// Requests are served synchronously: a notification runs the device's <see cref="ProcessQueue"/> inside the
    /// exit that wrote it. A driver error in a ring (<see cref="VirtqueueStatus"/>) sets DEVICE_NEEDS_RESET, is
    /// counted, and stops all queue processing until the driver resets the device (2.1.2). Queues are used only
    /// while bus mastering is enabled, as a real function may not reach memory without it (PCI 3.0 6.2.2).
    /// </summary>
    public abstract class VirtioPciFunction : PciFunction
    {
        private const byte StateVersion = 1;

        private readonly SplitVirtqueue[] _queues;
        private readonly VirtioCommonConfig _common;
        private readonly int _deviceConfigLength;
        private readonly int _pciConfigCapability;
        private GuestMemoryAccess _memory;
        private byte _isr;
        private ulong _queueErrors;
        private VirtqueueStatus _lastQueueError;

        /// <param name="deviceType">The virtio device ID (1 network, 2 block).</param>
        /// <param name="deviceFeatures">Device-specific feature bits offered; VERSION_1, INDIRECT_DESC and EVENT_IDX are added.</param>
        /// <param name="maxChainBytes">The most bytes one request may describe (bounds the work per request).</param>
        protected VirtioPciFunction(ushort deviceType, uint classCode, ulong deviceFeatures, int queueCount,
                                    ushort queueSize, ulong maxChainBytes, int deviceConfigLength)
            : base(VirtioPci.VendorId, (ushort)(VirtioPci.ModernDeviceIdBase + deviceType), L.Revision, classCode,
                   VirtioPci.VendorId, (ushort)(VirtioPci.ModernDeviceIdBase + deviceType), 1)
        {
            ulong offered = deviceFeatures | VirtioFeatures.Bit(VirtioFeatures.Version1)
                | VirtioFeatures.Bit(VirtioFeatures.IndirectDescriptors) | VirtioFeatures.Bit(VirtioFeatures.EventIndex);
            _deviceConfigLength = deviceConfigLength;
            _queues = new SplitVirtqueue[queueCount];
            for (int i = 0; i < queueCount; i++)
            {
                _queues[i] = new SplitVirtqueue(queueSize, maxChainBytes);
            }
            DeclareBar(L.RegistersBar, PciBarKind.Memory64, L.RegistersBarSize, false);
            DeclareBar(L.MsixBar, PciBarKind.Memory32, L.MsixBarSize, false);
            // One vector per queue plus one for configuration changes, so Linux can give each its own.
            AddMsix(queueCount + 1, L.MsixBar, L.MsixTableOffset, L.MsixPbaOffset);
            _common = new VirtioCommonConfig(this, _queues, offered, queueCount + 1);
            AddStructure(VirtioPci.CommonConfigType, VirtioPci.CapBytes, L.CommonConfigOffset, L.CommonConfigLength);
            int notify = AddStructure(VirtioPci.NotifyConfigType, VirtioPci.CapNotifyBytes, L.NotifyOffset,
                                      (uint)queueCount * L.NotifyMultiplier);
            Config.Set32(notify + 16, L.NotifyMultiplier);
            AddStructure(VirtioPci.IsrConfigType, VirtioPci.CapBytes, L.IsrOffset, L.IsrLength);
            if (deviceConfigLength > 0)
            {
                AddStructure(VirtioPci.DeviceConfigType, VirtioPci.CapBytes, L.DeviceConfigOffset, (uint)deviceConfigLength);
            }
            // The PCI configuration access capability (4.1.4.9): bar, offset, length and data are the driver's.
            _pciConfigCapability = AddStructure(VirtioPci.PciConfigType, VirtioPci.CapNotifyBytes, 0, 0);
            Config.SetWritable(_pciConfigCapability + 4, 0xFF);
            for (int i = 8; i < VirtioPci.CapNotifyBytes; i++)
            {
                Config.SetWritable(_pciConfigCapability + i, 0xFF);
            }
        }

        /// <summary>The guest memory the device's queues live in (set by the VM; null leaves the device idle).</summary>
        public GuestMemoryAccess Memory
        {
            get { return _memory; }
            set { _memory = value; }
        }

        public byte Status { get { return _common.Status; } }
        /// <summary>The features the driver accepted when it set FEATURES_OK.</summary>
        public ulong NegotiatedFeatures { get { return _common.Negotiated; } }
        public bool NeedsReset { get { return (_common.Status & VirtioFeatures.StatusNeedsReset) != 0; } }
        public int QueueCount { get { return _queues.Length; } }
        public SplitVirtqueue Queue(int index) { return _queues[index]; }

        protected override void FreeParts()
        {
            for (int i = 0; i < _queues.Length; i++) _queues[i].Free();
            Owned.Free(_queues);
            Owned.Free(_common);
        }

        /// <summary>Driver errors in the rings since the counters were cleared (each one set DEVICE_NEEDS_RESET).</summary>
        public ulong QueueErrors { get { return _queueErrors; } }
        public VirtqueueStatus LastQueueError { get { return _lastQueueError; } }

        /// <summary>Power-on: the PCI function and the virtio device both reset.</summary>
        public override void Reset()
        {
            base.Reset();
            ResetDevice();
        }

        public virtual void ClearCounters()
        {
            _queueErrors = 0;
            _lastQueueError = VirtqueueStatus.Ok;
        }

        /// <summary>The transport's part of the saved state: a version, the common configuration, ISR, queues, then the device's part.</summary>
        protected override int FunctionStateSize
        {
            get { return 1 + VirtioCommonConfig.StateSize + 1 + _queues.Length * SplitVirtqueue.StateSize + DeviceStateSize; }
        }

        protected override void SaveFunctionState(ref StateWriter writer)
        {
            writer.U8(StateVersion);
            _common.Save(ref writer);
            writer.U8(_isr);
            for (int i = 0; i < _queues.Length; i++)
            {
                _queues[i].Save(ref writer);
            }
            SaveDeviceState(ref writer);
        }

        protected override void LoadFunctionState(ref StateReader reader, ref bool valid)
        {
            if (reader.U8() != StateVersion)
            {
                valid = false;
            }
            _common.Load(ref reader, ref valid);
            _isr = reader.U8();
            if ((_isr & ~(VirtioPci.IsrQueue | VirtioPci.IsrConfig)) != 0)
            {
                valid = false;
            }
            for (int i = 0; i < _queues.Length; i++)
            {
                _queues[i].Load(ref reader, ref valid);
                if (_common.ValidVector(_queues[i].Vector) != _queues[i].Vector)
                {
                    valid = false;
                }
            }
            LoadDeviceState(ref reader, ref valid);
        }

        protected bool Negotiated(int feature)
        {
            return (_common.Negotiated & VirtioFeatures.Bit(feature)) != 0;
        }

        /// <summary>True when the driver has finished set-up and the device may use queue <paramref name="index"/>.</summary>
        protected bool QueueReady(int index)
        {
            return _memory != null && BusMasterEnabled && _common.Live
                && index >= 0 && index < _queues.Length && _queues[index].Enabled;
        }

        /// <summary>The next request of queue <paramref name="index"/>, or null when none is waiting or the ring is broken (then the device needs reset).</summary>
        protected DescriptorChain TakeChain(int index)
        {
            DescriptorChain chain;
            VirtqueueStatus status = _queues[index].Pop(_memory, out chain);
            if (status != VirtqueueStatus.Ok && status != VirtqueueStatus.Empty)
            {
                Fail(status);
            }
            return chain;
        }

        /// <summary>Returns a request to the driver; false when the used ring could not be written (the device then needs reset).</summary>
        protected bool ReturnChain(int index, DescriptorChain chain, uint written)
        {
            VirtqueueStatus status = _queues[index].Push(_memory, chain.Head, written);
            if (status != VirtqueueStatus.Ok)
            {
                Fail(status);
                return false;
            }
            return true;
        }

        /// <summary>After returning requests: interrupts the driver if it asked for it (2.7.10).</summary>
        protected void NotifyUsed(int index)
        {
            if (_queues[index].NeedsNotification(_memory))
            {
                Interrupt(_queues[index].Vector, VirtioPci.IsrQueue);
            }
        }

        /// <summary>The device-specific configuration changed: the driver is told to re-read it (4.1.5.3).</summary>
        protected void DeviceConfigChanged()
        {
            _common.MarkConfigChanged();
            if ((_common.Status & VirtioFeatures.StatusDriverOk) != 0)
            {
                Interrupt(_common.ConfigVector, VirtioPci.IsrConfig);
            }
        }

        /// <summary>The driver notified queue <paramref name="index"/>, or set DRIVER_OK; called only while <see cref="QueueReady"/>.</summary>
        protected abstract void ProcessQueue(int index);

        /// <summary>Byte <paramref name="offset"/> of the device-specific configuration (within the length given at construction).</summary>
        protected abstract byte DeviceConfigByte(int offset);

        /// <summary>The driver reset the device (status 0) or the function was reset: device-specific state to power-on values.</summary>
        protected abstract void OnDeviceReset();

        protected virtual int DeviceStateSize { get { return 0; } }

        protected virtual void SaveDeviceState(ref StateWriter writer)
        {
        }

        protected virtual void LoadDeviceState(ref StateReader reader, ref bool valid)
        {
        }

        /// <summary>Status 0 written, or power-on: transport and device back to their reset values.</summary>
        internal void ResetDevice()
        {
            _common.Reset();
            for (int i = 0; i < _queues.Length; i++)
            {
                _queues[i].Reset();
            }
            _isr = 0;
            SetIntxRequest(false);
            OnDeviceReset();
        }

        /// <summary>DRIVER_OK set: buffers made available before it were not used (2.1.2), so every queue is looked at now.</summary>
        internal void DriverReady()
        {
            for (int i = 0; i < _queues.Length; i++)
            {
                if (QueueReady(i))
                {
                    ProcessQueue(i);
                }
            }
        }

        /// <summary>The driver wrote 1 to queue_enable: a layout the queue refuses is a device error.</summary>
        internal void EnableQueue(SplitVirtqueue queue)
        {
            VirtqueueStatus status = queue.Enable(_memory, Negotiated(VirtioFeatures.IndirectDescriptors),
                                                  Negotiated(VirtioFeatures.EventIndex));
            if (status != VirtqueueStatus.Ok)
            {
                Fail(status);
            }
        }

        protected override ulong OnBarRead(int bar, ulong offset, int size)
        {
            if (bar != L.RegistersBar)
            {
                return ulong.MaxValue;
            }
            if (offset >= L.IsrOffset && offset < L.IsrOffset + L.IsrLength)
            {
                // Reading ISR status clears it and releases INTx (4.1.4.5).
                byte isr = _isr;
                _isr = 0;
                SetIntxRequest(false);
                return isr;
            }
            bool common = offset < L.CommonConfigLength;
            bool device = offset >= L.DeviceConfigOffset && offset < L.DeviceConfigOffset + (ulong)_deviceConfigLength;
            if (!common && !device)
            {
                return 0;
            }
            if (device)
            {
                _common.ConfigRead();
            }
            ulong value = 0;
            for (int i = 0; i < size; i++)
            {
                int at = (int)offset + i;
                byte b = common ? (at < L.CommonConfigLength ? _common.Read(at) : (byte)0)
                    : at - (int)L.DeviceConfigOffset < _deviceConfigLength ? DeviceConfigByte(at - (int)L.DeviceConfigOffset) : (byte)0;
                value |= (ulong)b << (i * 8);
            }
            return value;
        }

        protected override void OnBarWrite(int bar, ulong offset, int size, ulong value)
        {
            if (bar != L.RegistersBar)
            {
                return;
            }
            if (offset < L.CommonConfigLength)
            {
                _common.Write((int)offset, size, value);
            }
            else if (offset >= L.NotifyOffset && offset < L.NotifyOffset + (ulong)_queues.Length * L.NotifyMultiplier)
            {
                int index = (int)((offset - L.NotifyOffset) / L.NotifyMultiplier);
                if (QueueReady(index))
                {
                    ProcessQueue(index);
                }
            }
        }

        protected override void BeforeConfigRead(int dword)
        {
            int bar;
            ulong offset;
            int length;
            if (ConfigWindow(dword, out bar, out offset, out length))
            {
                ulong value = ReadBar(bar, offset, length);
                for (int i = 0; i < length; i++)
                {
                    Config.Set8(dword + i, (byte)(value >> (i * 8)));
                }
            }
        }

        protected override void AfterConfigWrite(int dword)
        {
            int bar;
            ulong offset;
            int length;
            if (ConfigWindow(dword, out bar, out offset, out length))
            {
                WriteBar(bar, offset, length, Config.Read32(dword) & (length == 4 ? 0xFFFFFFFFu : (1u << (length * 8)) - 1));
            }
        }

        /// <summary>A driver error in a ring: counted, and the device stops until reset (2.1.2).</summary>
        private void Fail(VirtqueueStatus error)
        {
            _queueErrors++;
            _lastQueueError = error;
            if (_common.SetNeedsReset() && (_common.Status & VirtioFeatures.StatusDriverOk) != 0)
            {
                Interrupt(_common.ConfigVector, VirtioPci.IsrConfig);
            }
        }

        /// <summary>
        /// A used-buffer or configuration-change notification (4.1.5.2-4.1.5.3): the mapped MSI-X vector when MSI-X
        /// is on (none for NO_VECTOR), otherwise the ISR bit and INTx. The configuration bit is set either way.
        /// </summary>
        private void Interrupt(ushort vector, byte isrBit)
        {
            if (isrBit == VirtioPci.IsrConfig || !MsixEnabled)
            {
                _isr |= isrBit;
                SetIntxRequest(true);
            }
            if (MsixEnabled && vector != VirtioPci.NoVector)
            {
                SignalMsix(vector);
            }
        }

        /// <summary>
        /// True when <paramref name="dword"/> is pci_cfg_data and the driver set a valid window (4.1.4.9): a length of
        /// 1, 2 or 4, an offset aligned to it, inside one of the function's BARs.
        /// </summary>
        private bool ConfigWindow(int dword, out int bar, out ulong offset, out int length)
        {
            bar = Config.Read8(_pciConfigCapability + 4);
            offset = Config.Read32(_pciConfigCapability + 8);
            uint size = Config.Read32(_pciConfigCapability + 12);
            length = (int)size;
            return dword == _pciConfigCapability + 16 && (size == 1 || size == 2 || size == 4) && (offset & (size - 1)) == 0
                && (bar == L.RegistersBar || bar == L.MsixBar) && offset + size <= BarSize(bar);
        }

        /// <summary>A virtio_pci_cap (4.1.4) pointing at [offset, offset + length) of the registers BAR.</summary>
        private int AddStructure(byte type, int capabilityLength, uint offset, uint length)
        {
            int cap = Config.AddCapability(VirtioPci.VendorCapabilityId, capabilityLength);
            Config.Set8(cap + 2, (byte)capabilityLength);
            Config.Set8(cap + 3, type);
            Config.Set8(cap + 4, L.RegistersBar);
            Config.Set32(cap + 8, offset);
            Config.Set32(cap + 12, length);
            return cap;
        }
    }
}
