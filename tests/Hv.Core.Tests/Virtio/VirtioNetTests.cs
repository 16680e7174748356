using System;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Networking;
using Hv.Core.Tests.Switching;
using Hv.Testing;
using L = Hv.Core.Devices.Virtio.VirtioPciLayout;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>virtio-net (virtio 1.2, 5.1) plugged into a virtual switch, two guests' drivers talking through it.</summary>
    public class VirtioNetTests
    {
        private const ulong MacA = 0x02_11_22_33_44_0A, MacB = 0x02_11_22_33_44_0B;
        private const int RxBuffer = VirtioNet.HeaderLength + EthernetFrame.MaxLength; // what Linux posts without MRG_RXBUF
        private readonly VirtualSwitch _switch = new VirtualSwitch(8, 8, 16, 1000);
        private readonly VirtioNet _a = new VirtioNet(MacA), _b = new VirtioNet(MacB);
        private readonly VirtioDriver _da, _db;

        /// <summary>What the VM does: while it runs, frames go into the guest as they arrive.</summary>
        private sealed class Delivering : PortListener
        {
            private readonly VirtioNet _net;
            public Delivering(VirtioNet net) => _net = net;
            public override void FramesArrived(SwitchPort port) => _net.DeliverReceived();
        }

        public VirtioNetTests()
        {
            _da = new VirtioDriver(_a);
            _db = new VirtioDriver(_b);
            Plug(_a);
            Plug(_b);
            _da.Start();
            _db.Start();
        }

        private void Plug(VirtioNet net)
        {
            Assert.Equal(SwitchStatus.Ok, _switch.Connect(7, net.Mac, out SwitchPort port));
            port.Listener = new Delivering(net);
            Assert.True(net.Connect(port));
        }

        private static ulong[] PostReceive(VirtioDriver driver, int count, int size = RxBuffer)
        {
            var addresses = new ulong[count];
            for (int i = 0; i < count; i++)
            {
                addresses[i] = driver.Allocate(size);
                driver.Post(VirtioNet.ReceiveQueue, new[] { (addresses[i], (uint)size, true) });
            }
            return addresses;
        }

        private static void Transmit(VirtioDriver driver, byte[] frame, byte gsoType = 0)
        {
            ulong header = driver.Allocate(VirtioNet.HeaderLength), data = driver.Allocate(frame.Length);
            driver.Memory.Ram[header + 1] = gsoType;
            driver.Fill(data, frame);
            driver.Post(VirtioNet.TransmitQueue, new[] { (header, (uint)VirtioNet.HeaderLength, false), (data, (uint)frame.Length, false) });
        }

        [Fact]
        public void Configuration_holds_the_MAC_in_wire_order_and_the_link_state()
        {
            Assert.Equal(0x1041, _a.DeviceId);
            Assert.Equal(0x020000u, _a.ReadConfig(0x08, 4) >> 8);
            Assert.Equal(new byte[] { 0x02, 0x11, 0x22, 0x33, 0x44, 0x0A },
                BitConverter.GetBytes(_da.Read((int)L.DeviceConfigOffset, 8)).AsSpan(0, 6).ToArray());
            Assert.Equal(1UL, _da.Read((int)L.DeviceConfigOffset + 6, 2));
            ulong features = _da.DeviceFeatures;
            Assert.NotEqual(0UL, features & (1UL << VirtioNet.FeatureMac));
            Assert.NotEqual(0UL, features & (1UL << VirtioNet.FeatureStatus));
            // No checksum (bit 0) or segmentation offloads, no mergeable buffers (15), no control queue (17).
            Assert.Equal(0UL, features & ((1UL << 0) | (1UL << 1) | (1UL << 7) | (1UL << 11) | (1UL << 15) | (1UL << 17)));
        }

        [Fact]
        public void Unplugging_takes_the_link_down_and_tells_the_driver()
        {
            _da.Read((int)L.IsrOffset, 1);
            _a.Disconnect();
            Assert.Equal(0UL, _da.Read((int)L.DeviceConfigOffset + 6, 2));
            Assert.Equal(2UL, _da.Read((int)L.IsrOffset, 1));
            Assert.False(_a.LinkUp);
        }

        [Fact]
        public void A_frame_sent_by_one_guest_lands_in_the_other_with_a_one_buffer_header()
        {
            ulong[] buffers = PostReceive(_db, 4);
            byte[] frame = VirtualSwitchTests.Frame(MacB, MacA, 98, 0x77);
            Transmit(_da, frame);
            Rings rx = _db.Queues[VirtioNet.ReceiveQueue];
            Assert.Equal(1, rx.UsedIndex);
            Assert.Equal((0u, (uint)(12 + frame.Length)), rx.UsedElement(0));
            byte[] header = _db.Bytes(buffers[0], 12);
            Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 }, header);
            Assert.Equal(frame, _db.Bytes(buffers[0] + 12, frame.Length));
            Assert.Equal(1, _da.Queues[VirtioNet.TransmitQueue].UsedIndex);
            Assert.Equal((1UL, 98UL, 1UL, 98UL), (_a.TransmittedFrames, _a.TransmittedBytes, _b.ReceivedFrames, _b.ReceivedBytes));
            Assert.True(_db.Sink.Intx);
        }

        [Fact]
        public void Frames_wait_in_the_port_until_the_guest_posts_receive_buffers()
        {
            Transmit(_da, VirtualSwitchTests.Frame(MacB, MacA));
            Transmit(_da, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(2, _b.Port.PendingFrames);
            PostReceive(_db, 1);
            Assert.Equal(1, _b.Port.PendingFrames);
            PostReceive(_db, 1);
            Assert.Equal(0, _b.Port.PendingFrames);
            Assert.Equal(2, _db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
        }

        [Fact]
        public void A_guest_sending_with_another_MAC_is_stopped_at_the_switch()
        {
            PostReceive(_db, 2);
            Transmit(_da, VirtualSwitchTests.Frame(EthernetFrame.Broadcast, MacB));
            Assert.Equal(0, _db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.Equal(1UL, _a.Port.DroppedSpoofed);
        }

        [Fact]
        public void A_receive_buffer_too_small_for_the_frame_drops_it()
        {
            PostReceive(_db, 1, size: 60);
            Transmit(_da, VirtualSwitchTests.Frame(MacB, MacA, 100));
            Assert.Equal((0u, 0u), _db.Queues[VirtioNet.ReceiveQueue].UsedElement(0));
            Assert.Equal((1UL, 0UL), (_b.ReceiveDrops, _b.ReceivedFrames));
        }

        [Theory]
        [InlineData(13, 0)]                               // shorter than an Ethernet header
        [InlineData(EthernetFrame.MaxLength + 1, 0)]      // longer than the maximum
        [InlineData(100, 1)]                              // GSO (TCPv4) was never offered
        public void Malformed_transmissions_are_dropped_and_counted(int length, byte gso)
        {
            PostReceive(_db, 1);
            Transmit(_da, VirtualSwitchTests.Frame(MacB, MacA, Math.Max(length, 14)).AsSpan(0, length).ToArray(), gso);
            Assert.Equal(1UL, _a.TransmitDrops);
            Assert.Equal(1, _da.Queues[VirtioNet.TransmitQueue].UsedIndex);
            Assert.Equal(0, _db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.False(_a.NeedsReset);
        }

        [Fact]
        public void Without_a_cable_frames_are_dropped()
        {
            _a.Disconnect();
            Transmit(_da, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(1UL, _a.TransmitDrops);
        }

        [Fact]
        public void The_adapter_only_plugs_into_a_port_with_its_own_MAC_and_keeps_it_while_plugged()
        {
            var c = new VirtioNet(0x02_00_00_00_00_0C);
            Assert.False(c.Connect(_a.Port));
            Assert.False(_a.SetMac(0x02_00_00_00_00_0D));
            Assert.True(c.SetMac(0x02_00_00_00_00_0D));
            Assert.Equal(0x02_00_00_00_00_0DUL, c.Mac);
        }

        [Fact]
        public void A_broadcast_reaches_every_other_adapter()
        {
            var c = new VirtioNet(0x02_11_22_33_44_0C);
            var dc = new VirtioDriver(c);
            Plug(c);
            dc.Start();
            PostReceive(_db, 1);
            PostReceive(dc, 1);
            PostReceive(_da, 1);
            Transmit(_da, VirtualSwitchTests.Frame(EthernetFrame.Broadcast, MacA));
            Assert.Equal((0, 1, 1), (_da.Queues[0].UsedIndex, _db.Queues[0].UsedIndex, dc.Queues[0].UsedIndex));
        }

        [Fact]
        public void Frames_allocate_nothing()
        {
            byte[] frame = VirtualSwitchTests.Frame(MacB, MacA, 1000);
            ulong header = _da.Allocate(12), data = _da.Allocate(frame.Length), rx = _db.Allocate(RxBuffer);
            _da.Fill(data, frame);
            var send = new[] { (header, 12u, false), (data, (uint)frame.Length, false) };
            var receive = new[] { (rx, (uint)RxBuffer, true) };
            _db.Post(VirtioNet.ReceiveQueue, receive);
            _da.Post(VirtioNet.TransmitQueue, send);
            long fewest = AllocationRounds.Fewest(3, () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    _db.Post(VirtioNet.ReceiveQueue, receive);
                    _da.Post(VirtioNet.TransmitQueue, send);
                }
            });
            Assert.Equal(0, fewest);
            Assert.Equal(1501UL, _b.ReceivedFrames);
        }
    }
}
