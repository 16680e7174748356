using System;
using Hv.Core.Memory;
using Hv.Core.Net;
using Hv.Core.Virtio;

namespace Hv.Core.Drivers.Virtio
{
    public enum VirtioStartStatus
    {
        Ok,
        ResetTimeout,
        NoVersion1,
        FeaturesRejected,
        NoMacAddress,
        NoQueue,
        NoMemory,
    }

    /// <summary>
    /// The driver for a virtio network device over the modern PCI transport (virtio 1.1 §4.1, §5.1): VERSION_1 with
    /// only MAC and STATUS negotiated (no offloads, no mergeable buffers), one receive and one transmit split
    /// virtqueue, polled with interrupts suppressed and no MSI-X vector. Registers come as three windows (common,
    /// notify, device configuration) and memory from a <see cref="PageSource"/>, so the same logic runs in the image
    /// and against a model of the device in the tests.
    /// </summary>
    public sealed class VirtioNetDriver : HostNic
    {
        public const int PreferredQueueSize = 64;
        public const int BufferBytes = 2048;
        private const int ResetPolls = 100000;
        private const int ConfigReadAttempts = 8;

        private readonly DeviceRegisters _notify;
        private readonly DeviceRegisters _device;
        private readonly SplitVirtqueue _receive;
        private readonly SplitVirtqueue _transmit;
        private readonly int _receiveNotify;
        private readonly int _transmitNotify;
        private readonly ulong _mac;
        private readonly bool _reportsStatus;

        private VirtioNetDriver(DeviceRegisters notify, DeviceRegisters device, SplitVirtqueue receive, int receiveNotify,
                                SplitVirtqueue transmit, int transmitNotify, ulong mac, bool reportsStatus)
        {
            _notify = notify;
            _device = device;
            _receive = receive;
            _receiveNotify = receiveNotify;
            _transmit = transmit;
            _transmitNotify = transmitNotify;
            _mac = mac;
            _reportsStatus = reportsStatus;
        }

        public override ulong MacAddress { get { return _mac; } }

        public override string Model { get { return "virtio-net"; } }

        /// <summary>The device's link bit (§5.1.4) when it offers STATUS; otherwise the link is presumed up.</summary>
        public override bool LinkUp
        {
            get { return !_reportsStatus || (_device.Read16(VirtioNetRegisters.ConfigStatus) & VirtioNetRegisters.StatusLinkUp) != 0; }
        }

        /// <summary>Initialises the device (§3.1.1) and starts both queues; null (and why) when it cannot.</summary>
        public static VirtioNetDriver Start(DeviceRegisters common, DeviceRegisters notify, uint notifyMultiplier,
                                            DeviceRegisters device, PageSource pages, out VirtioStartStatus status)
        {
            ulong features;
            status = Negotiate(common, out features);
            ulong mac = 0;
            if (status == VirtioStartStatus.Ok && ((features & VirtioNetRegisters.FeatureMac) == 0 || !ReadMac(common, device, out mac)))
            {
                status = VirtioStartStatus.NoMacAddress;
            }
            SplitVirtqueue receive = null, transmit = null;
            int receiveNotify = 0, transmitNotify = 0;
            if (status == VirtioStartStatus.Ok)
            {
                status = SetUpQueue(common, notify, notifyMultiplier, pages, VirtioNetRegisters.ReceiveQueue, true, out receive, out receiveNotify);
            }
            if (status == VirtioStartStatus.Ok)
            {
                status = SetUpQueue(common, notify, notifyMultiplier, pages, VirtioNetRegisters.TransmitQueue, false, out transmit, out transmitNotify);
            }
            if (status != VirtioStartStatus.Ok)
            {
                if (status != VirtioStartStatus.ResetTimeout)
                {
                    common.Write8(VirtioPci.DeviceStatus, (byte)(common.Read8(VirtioPci.DeviceStatus) | VirtioFeatures.StatusFailed));
                }
                return null;
            }
            var driver = new VirtioNetDriver(notify, device, receive, receiveNotify, transmit, transmitNotify, mac,
                                             (features & VirtioNetRegisters.FeatureStatus) != 0);
            for (int id = receive.Acquire(); id >= 0; id = receive.Acquire())
            {
                receive.Offer(id, receive.BufferBytes);
            }
            common.Write8(VirtioPci.DeviceStatus, (byte)(common.Read8(VirtioPci.DeviceStatus) | VirtioFeatures.StatusDriverOk));
            // §3.1.1: no notification before DRIVER_OK.
            notify.Write16(receiveNotify, VirtioNetRegisters.ReceiveQueue);
            return driver;
        }

        // §3.1.1 steps 1-6: reset (and wait for it, §4.1.4.3.2), ACKNOWLEDGE, DRIVER, accept VERSION_1 plus MAC and
        // STATUS if offered, FEATURES_OK, and check the device kept FEATURES_OK.
        private static VirtioStartStatus Negotiate(DeviceRegisters common, out ulong features)
        {
            features = 0;
            common.Write8(VirtioPci.DeviceStatus, 0);
            int polls = 0;
            while (common.Read8(VirtioPci.DeviceStatus) != 0)
            {
                if (++polls == ResetPolls)
                {
                    return VirtioStartStatus.ResetTimeout;
                }
            }
            byte status = VirtioFeatures.StatusAcknowledge;
            common.Write8(VirtioPci.DeviceStatus, status);
            status |= VirtioFeatures.StatusDriver;
            common.Write8(VirtioPci.DeviceStatus, status);
            ulong offered = ReadDeviceFeatures(common);
            if ((offered & VirtioFeatures.Bit(VirtioFeatures.Version1)) == 0)
            {
                return VirtioStartStatus.NoVersion1;
            }
            features = VirtioFeatures.Bit(VirtioFeatures.Version1) | (offered & (VirtioNetRegisters.FeatureMac | VirtioNetRegisters.FeatureStatus));
            common.Write32(VirtioPci.DriverFeatureSelect, 0);
            common.Write32(VirtioPci.DriverFeature, (uint)features);
            common.Write32(VirtioPci.DriverFeatureSelect, 1);
            common.Write32(VirtioPci.DriverFeature, (uint)(features >> 32));
            status |= VirtioFeatures.StatusFeaturesOk;
            common.Write8(VirtioPci.DeviceStatus, status);
            if ((common.Read8(VirtioPci.DeviceStatus) & VirtioFeatures.StatusFeaturesOk) == 0)
            {
                return VirtioStartStatus.FeaturesRejected;
            }
            return VirtioStartStatus.Ok;
        }

        private static ulong ReadDeviceFeatures(DeviceRegisters common)
        {
            common.Write32(VirtioPci.DeviceFeatureSelect, 0);
            ulong low = common.Read32(VirtioPci.DeviceFeature);
            common.Write32(VirtioPci.DeviceFeatureSelect, 1);
            return low | ((ulong)common.Read32(VirtioPci.DeviceFeature) << 32);
        }

        // The MAC is read again if config_generation changed meanwhile (§2.4.1: a torn read of a multi-byte field).
        private static bool ReadMac(DeviceRegisters common, DeviceRegisters device, out ulong mac)
        {
            mac = 0;
            for (int attempt = 0; attempt < ConfigReadAttempts; attempt++)
            {
                byte generation = common.Read8(VirtioPci.ConfigGeneration);
                mac = 0;
                for (int i = 0; i < 6; i++)
                {
                    mac = (mac << 8) | device.Read8(VirtioNetRegisters.ConfigMac + i);
                }
                if (common.Read8(VirtioPci.ConfigGeneration) == generation)
                {
                    return mac != 0 && !Ethernet.IsGroup(mac);
                }
            }
            return false;
        }

        // §4.1.5.1.3: select the queue, shrink its size to what we want (a power of two no larger than the device's
        // maximum), no MSI-X vector, the three areas' addresses, then enable it. The queue's doorbell is at
        // queue_notify_off × notify_off_multiplier in the notify window (§4.1.4.4).
        private static VirtioStartStatus SetUpQueue(DeviceRegisters common, DeviceRegisters notify, uint multiplier, PageSource pages,
                                                    int index, bool deviceWrites, out SplitVirtqueue queue, out int notifyOffset)
        {
            queue = null;
            notifyOffset = 0;
            common.Write16(VirtioPci.QueueSelect, (ushort)index);
            int max = common.Read16(VirtioPci.QueueSize);
            int size = PreferredQueueSize;
            while (size > max)
            {
                size >>= 1;
            }
            ulong offset = (ulong)common.Read16(VirtioPci.QueueNotifyOff) * multiplier;
            if (size == 0 || offset + 2 > (ulong)notify.Length)
            {
                return VirtioStartStatus.NoQueue;
            }
            queue = SplitVirtqueue.Create(pages, size, BufferBytes, deviceWrites);
            if (queue == null)
            {
                return VirtioStartStatus.NoMemory;
            }
            common.Write16(VirtioPci.QueueSize, (ushort)size);
            common.Write16(VirtioPci.QueueMsixVector, VirtioPci.NoVector);
            common.Write64(VirtioPci.QueueDesc, queue.DescriptorTable);
            common.Write64(VirtioPci.QueueDriver, queue.DriverArea);
            common.Write64(VirtioPci.QueueDevice, queue.DeviceArea);
            common.Write16(VirtioPci.QueueEnable, 1);
            notifyOffset = (int)offset;
            return VirtioStartStatus.Ok;
        }

        public override int Poll(NetStack stack, int budget)
        {
            int received = 0;
            bool refilled = false;
            for (int n = 0; n < budget; n++)
            {
                int id, length;
                UsedResult result = _receive.TakeUsed(out id, out length);
                if (result == UsedResult.None)
                {
                    break;
                }
                if (result == UsedResult.Bad)
                {
                    Counters.DeviceErrors++;
                    continue;
                }
                if (length < VirtioNetRegisters.HeaderBytes)
                {
                    Counters.ReceiveErrors++;
                }
                else
                {
                    Counters.FramesReceived++;
                    received++;
                    stack.Receive(_receive.Buffer(id).Slice(VirtioNetRegisters.HeaderBytes, length - VirtioNetRegisters.HeaderBytes));
                }
                _receive.Offer(id, _receive.BufferBytes);
                refilled = true;
            }
            if (refilled)
            {
                _notify.Write16(_receiveNotify, VirtioNetRegisters.ReceiveQueue);
            }
            ReclaimTransmitted();
            return received;
        }

        public override bool Transmit(ReadOnlySpan<byte> frame)
        {
            if (frame.Length > BufferBytes - VirtioNetRegisters.HeaderBytes)
            {
                Counters.TransmitBusy++;
                return false;
            }
            int id = _transmit.Acquire();
            if (id < 0)
            {
                ReclaimTransmitted();
                id = _transmit.Acquire();
            }
            if (id < 0)
            {
                Counters.TransmitBusy++;
                return false;
            }
            Span<byte> buffer = _transmit.Buffer(id);
            for (int i = 0; i < VirtioNetRegisters.HeaderBytes; i++)
            {
                buffer[i] = 0;
            }
            for (int i = 0; i < frame.Length; i++)
            {
                buffer[VirtioNetRegisters.HeaderBytes + i] = frame[i];
            }
            _transmit.Offer(id, VirtioNetRegisters.HeaderBytes + frame.Length);
            _notify.Write16(_transmitNotify, VirtioNetRegisters.TransmitQueue);
            Counters.FramesSent++;
            return true;
        }

        // Bounded by the queue size: at most that many buffers can be with the device, the rest would be bad entries.
        private void ReclaimTransmitted()
        {
            for (int n = 0; n < _transmit.Size; n++)
            {
                int id, length;
                UsedResult result = _transmit.TakeUsed(out id, out length);
                if (result == UsedResult.None)
                {
                    return;
                }
                if (result == UsedResult.Taken)
                {
                    _transmit.Release(id);
                }
                else
                {
                    Counters.DeviceErrors++;
                }
            }
        }
    }
}
