using System;
using Hv.Core.Memory;
using Hv.Core.Networking;
using Hv.Core.Virtio;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// A virtio network adapter (virtio 1.2, 5.1) with one receive and one transmit queue, plugged into a
    /// <see cref="SwitchPort"/>. It offers VIRTIO_NET_F_MAC (the address is in the configuration) and
    /// VIRTIO_NET_F_STATUS (link up while connected to a switch) and no offloads: no checksum or segmentation
    /// features, so every frame is a complete Ethernet frame of at most <see cref="EthernetFrame.MaxLength"/>
    /// bytes behind the 12-byte virtio_net_hdr (VERSION_1 always includes num_buffers, 5.1.6).
    ///
    /// Transmit runs when the driver notifies the transmit queue: each frame is checked (length, no GSO) and
    /// handed to the switch. Receive moves frames from the port's bounded queue into receive buffers when the
    /// driver adds buffers and whenever <see cref="DeliverReceived"/> is called (the VM's
    /// <see cref="PortListener"/> does that when frames arrive). Without MRG_RXBUF a frame takes one buffer
    /// (5.1.6.3.2), so a buffer too small for it drops the frame. Nothing is allocated per frame.
    /// </summary>
    public sealed class VirtioNet : VirtioPciFunction
    {
        public const ushort DeviceType = 1;
        public const ushort QueueSize = 256;
        public const int ReceiveQueue = 0;
        public const int TransmitQueue = 1;
        public const int FeatureMac = 5;
        public const int FeatureStatus = 16;
        public const ushort StatusLinkUp = 1;
        /// <summary>struct virtio_net_hdr with num_buffers: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers.</summary>
        public const int HeaderLength = 12;
        /// <summary>Network controller, Ethernet (class 02h subclass 00h).</summary>
        public const uint ClassCode = 0x020000;
        private const int GsoTypeOffset = 1;
        private const int NumBuffersOffset = 10;
        private const int ConfigMac = 0;
        private const int ConfigStatus = 6;
        private const int ConfigLength = 8;
        // A chain may carry at most one frame and its header; 64 KiB leaves room for drivers that over-post.
        private const ulong MaxChainBytes = 64 * 1024;

        private readonly byte[] _header = new byte[HeaderLength];
        private readonly byte[] _receiveHeader = new byte[HeaderLength];
        private readonly byte[] _frame = new byte[EthernetFrame.MaxLength];
        private ulong _mac;
        private SwitchPort _port;

        public VirtioNet(ulong mac)
            : base(DeviceType, ClassCode, VirtioFeatures.Bit(FeatureMac) | VirtioFeatures.Bit(FeatureStatus),
                   2, QueueSize, MaxChainBytes, ConfigLength)
        {
            _mac = mac;
            // No MRG_RXBUF: every received frame is one buffer (5.1.6.4.1), and no offload flags are ever set.
            LittleEndian.WriteUInt16(_receiveHeader, NumBuffersOffset, 1);
        }

        public ulong Mac { get { return _mac; } }
        public SwitchPort Port { get { return _port; } }
        public bool LinkUp { get { return _port != null; } }

        public ulong TransmittedFrames { get; private set; }
        public ulong TransmittedBytes { get; private set; }
        public ulong ReceivedFrames { get; private set; }
        public ulong ReceivedBytes { get; private set; }
        /// <summary>Frames the guest sent that were malformed (bad length, GSO, writable buffers) or sent with no cable.</summary>
        public ulong TransmitDrops { get; private set; }
        /// <summary>Frames that arrived for a receive buffer too small to hold them.</summary>
        public ulong ReceiveDrops { get; private set; }

        /// <summary>Gives the adapter a new address; refused (false) while it is plugged into a switch, whose port checks it.</summary>
        public bool SetMac(ulong mac)
        {
            if (_port != null)
            {
                return false;
            }
            _mac = mac;
            DeviceConfigChanged();
            return true;
        }

        /// <summary>
        /// Plugs the adapter into <paramref name="port"/>: link up. Refused (false) unless the port was connected with
        /// this adapter's MAC, since the switch accepts no other source address from it.
        /// </summary>
        public bool Connect(SwitchPort port)
        {
            if (port == null || !port.Connected || port.Mac != _mac)
            {
                return false;
            }
            _port = port;
            DeviceConfigChanged();
            DeliverReceived();
            return true;
        }

        /// <summary>Unplugs the adapter: link down. The caller disconnects the port from its switch.</summary>
        public void Disconnect()
        {
            _port = null;
            DeviceConfigChanged();
        }

        /// <summary>Moves waiting frames from the port into the guest's receive buffers, while it has some.</summary>
        public void DeliverReceived()
        {
            if (_port == null || !QueueReady(ReceiveQueue))
            {
                return;
            }
            bool delivered = false;
            while (_port.PendingFrames > 0)
            {
                DescriptorChain chain = TakeChain(ReceiveQueue);
                if (chain == null)
                {
                    break;
                }
                uint written = Receive(chain, _port.PeekFrame());
                _port.DequeueFrame();
                delivered = true;
                if (!ReturnChain(ReceiveQueue, chain, written))
                {
                    return;
                }
            }
            if (delivered)
            {
                NotifyUsed(ReceiveQueue);
            }
        }

        // The switch port is not the adapter's: its switch gives it back.
        protected override void FreeParts()
        {
            Owned.Free(_header);
            Owned.Free(_receiveHeader);
            Owned.Free(_frame);
            base.FreeParts();
        }

        public override void ClearCounters()
        {
            base.ClearCounters();
            TransmittedFrames = TransmittedBytes = ReceivedFrames = ReceivedBytes = TransmitDrops = ReceiveDrops = 0;
        }

        protected override void OnDeviceReset()
        {
        }

        protected override byte DeviceConfigByte(int offset)
        {
            if (offset < ConfigStatus)
            {
                return EthernetFrame.MacOctet(_mac, offset - ConfigMac);
            }
            ushort status = LinkUp ? StatusLinkUp : (ushort)0;
            return (byte)(status >> ((offset - ConfigStatus) * 8));
        }

        protected override void ProcessQueue(int index)
        {
            if (index == ReceiveQueue)
            {
                DeliverReceived();
                return;
            }
            DescriptorChain chain;
            while ((chain = TakeChain(TransmitQueue)) != null)
            {
                Transmit(chain);
                if (!ReturnChain(TransmitQueue, chain, 0))
                {
                    return;
                }
            }
            NotifyUsed(TransmitQueue);
        }

        /// <summary>One transmit request: header then frame, all device-readable (5.1.6.2).</summary>
        private void Transmit(DescriptorChain chain)
        {
            GuestMemoryAccess memory = Memory;
            ulong total = chain.ReadableBytes;
            if (chain.WritableCount != 0 || total < HeaderLength + EthernetFrame.HeaderLength
                || total > HeaderLength + EthernetFrame.MaxLength || !chain.Read(memory, 0, _header)
                || _header[GsoTypeOffset] != 0 || _port == null)
            {
                TransmitDrops++;
                return;
            }
            Span<byte> frame = new Span<byte>(_frame, 0, (int)total - HeaderLength);
            if (!chain.Read(memory, HeaderLength, frame))
            {
                TransmitDrops++;
                return;
            }
            TransmittedFrames++;
            TransmittedBytes += (ulong)frame.Length;
            _port.Send(frame);
        }

        /// <summary>Copies one frame into a receive buffer; returns the bytes written (0 when it did not fit and was dropped).</summary>
        private uint Receive(DescriptorChain chain, ReadOnlySpan<byte> frame)
        {
            GuestMemoryAccess memory = Memory;
            if (chain.WritableBytes < (ulong)(HeaderLength + frame.Length)
                || !chain.Write(memory, 0, _receiveHeader) || !chain.Write(memory, HeaderLength, frame))
            {
                ReceiveDrops++;
                return 0;
            }
            ReceivedFrames++;
            ReceivedBytes += (ulong)frame.Length;
            return (uint)(HeaderLength + frame.Length);
        }
    }
}
