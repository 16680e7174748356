using System.Linq;
using Hv.Core.Drivers.Virtio;
using Hv.Core.Net;
using Hv.Core.Tests.Net;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Drivers
{
    public class VirtioNetDriverTests
    {
        private const ulong Mac = 0x525400123457;

        private static VirtioNetDriver StartDriver(FakeVirtioNet device, CowPages memory, out VirtioStartStatus status) =>
            VirtioNetDriver.Start(device.Common, device.Notify, FakeVirtioNet.NotifyMultiplier, device.Device, memory, out status);

        private static (FakeVirtioNet Device, VirtioNetDriver Driver, NetStack Stack) Start()
        {
            var memory = new CowPages();
            var device = new FakeVirtioNet(memory, Mac);
            VirtioNetDriver driver = StartDriver(device, memory, out VirtioStartStatus status);
            Assert.Equal(VirtioStartStatus.Ok, status);
            var stack = new NetStack(driver, new NetConfig(), Packets.TicksPerMs, Packets.Secret);
            stack.ConfigureStatic(Packets.OurIp, 24, Packets.GatewayIp);
            stack.Poll(1);
            return (device, driver, stack);
        }

        private static byte[] Filler(int n) => Packets.EthernetFrame(Mac, Packets.PeerMac, 0x88B5, new byte[] { (byte)n, (byte)(n >> 8) });

        [Fact]
        public void Start_follows_the_initialisation_sequence_and_accepts_no_offloads()
        {
            var (device, driver, _) = Start();
            const byte ack = VirtioFeatures.StatusAcknowledge, drv = VirtioFeatures.StatusDriver;
            const byte featuresOk = VirtioFeatures.StatusFeaturesOk, ok = VirtioFeatures.StatusDriverOk;
            Assert.Equal(new byte[] { 0, ack, ack | drv, ack | drv | featuresOk, ack | drv | featuresOk | ok }, device.StatusWrites);
            Assert.Equal(VirtioFeatures.Bit(VirtioFeatures.Version1) | VirtioNetRegisters.FeatureMac | VirtioNetRegisters.FeatureStatus, device.Accepted);
            Assert.Equal(Mac, driver.MacAddress);
            Assert.Equal("virtio-net", driver.Model);
            foreach (var q in device.Queues)
            {
                Assert.True(q.Enabled);
                Assert.Equal(VirtioNetDriver.PreferredQueueSize, q.Size);
                Assert.Equal(VirtioPci.NoVector, q.Vector);
                Assert.Equal(0UL, q.Desc % 16);
                Assert.Equal(0UL, q.Driver % 2);
                Assert.Equal(0UL, q.Device % 4);
            }
            Assert.Equal(1, device.AvailFlags(0)); // VIRTQ_AVAIL_F_NO_INTERRUPT
            Assert.Equal(0, device.NotifiesBeforeDriverOk);
            Assert.Equal(1, device.Queues[0].Notifies);
            Assert.True(driver.LinkUp);
            device.LinkUp = false;
            Assert.False(driver.LinkUp);
        }

        [Theory]
        [InlineData(256, 64)]
        [InlineData(100, 64)]
        [InlineData(48, 32)]
        [InlineData(1, 1)]
        public void Queue_size_is_a_power_of_two_no_larger_than_the_device_allows(int max, int expected)
        {
            var memory = new CowPages();
            var device = new FakeVirtioNet(memory, Mac);
            device.Queues[0].Max = device.Queues[1].Max = max;
            Assert.NotNull(StartDriver(device, memory, out _));
            Assert.Equal(expected, device.Queues[0].Size);
        }

        [Fact]
        public void A_device_without_version_1_or_refusing_the_features_or_a_queue_is_failed()
        {
            var memory = new CowPages();
            var legacy = new FakeVirtioNet(memory, Mac) { Offered = VirtioNetRegisters.FeatureMac };
            Assert.Null(StartDriver(legacy, memory, out VirtioStartStatus status));
            Assert.Equal(VirtioStartStatus.NoVersion1, status);
            Assert.Equal(VirtioFeatures.StatusFailed, legacy.Status & VirtioFeatures.StatusFailed);

            var refusing = new FakeVirtioNet(memory, Mac) { RefuseFeatures = true };
            Assert.Null(StartDriver(refusing, memory, out status));
            Assert.Equal(VirtioStartStatus.FeaturesRejected, status);

            var noMac = new FakeVirtioNet(memory, Mac) { Offered = VirtioFeatures.Bit(VirtioFeatures.Version1) };
            Assert.Null(StartDriver(noMac, memory, out status));
            Assert.Equal(VirtioStartStatus.NoMacAddress, status);

            var noQueue = new FakeVirtioNet(memory, Mac);
            noQueue.Queues[1].Max = 0;
            Assert.Null(StartDriver(noQueue, memory, out status));
            Assert.Equal(VirtioStartStatus.NoQueue, status);
            Assert.Equal(0, noQueue.Status & VirtioFeatures.StatusDriverOk);
        }

        [Fact]
        public void The_mac_is_read_again_when_the_configuration_changes_meanwhile()
        {
            var memory = new CowPages();
            // The first read gets 02:00:00 of the old MAC and bb:bb:02 of the new one: torn, so it must be read again.
            var device = new FakeVirtioNet(memory, 0x020000000001) { ChangedMac = 0x06AAAABBBB02 };
            VirtioNetDriver driver = StartDriver(device, memory, out _);
            Assert.Equal(0x06AAAABBBB02UL, driver.MacAddress);
        }

        [Fact]
        public void Answers_arp_and_ping_through_the_device()
        {
            var (device, driver, stack) = Start();
            Assert.True(device.Deliver(Packets.Arp(1, Packets.PeerMac, Packets.PeerIp, 0, Packets.OurIp, Ethernet.BroadcastMac)));
            Assert.Equal(1, driver.Poll(stack, 64));
            byte[] reply = Assert.Single(device.Sent);
            Assert.Equal(2, Packets.Get16(reply, 20));
            Assert.Equal(Mac, Packets.GetMac(reply, 6));

            device.Sent.Clear();
            byte[] ping = Packets.IpFrame(Packets.PeerIp, Packets.OurIp, 1, Packets.Icmp(8, 0, 7, 1, new byte[56]), to: Mac);
            device.Deliver(ping);
            driver.Poll(stack, 64);
            Assert.Equal(0, Assert.Single(device.Sent)[34]);
        }

        [Fact]
        public void Receives_and_sends_past_the_16_bit_ring_index_wrap()
        {
            var (device, driver, stack) = Start();
            const int frames = 70000;
            for (int i = 0; i < frames; i++)
            {
                Assert.True(device.Deliver(Filler(i)), $"frame {i}");
                if (i % 50 == 49)
                    Assert.Equal(50, driver.Poll(stack, 64));
            }
            Assert.Equal(frames % 50, driver.Poll(stack, 64));
            Assert.Equal((ulong)frames, stack.Counters.Dropped(NetDrop.EthernetUnknownType));
            for (int i = 0; i < frames; i++)
                Assert.True(driver.Transmit(Filler(i)));
            Assert.Equal(frames, device.Sent.Count);
            Assert.Equal(Filler(frames - 1), device.Sent[^1]);
            Assert.Equal(0UL, driver.Counters.DeviceErrors);
        }

        [Fact]
        public void Receive_stops_when_no_buffer_is_posted_until_the_driver_polls()
        {
            var (device, driver, stack) = Start();
            for (int i = 0; i < VirtioNetDriver.PreferredQueueSize; i++)
                Assert.True(device.Deliver(Filler(i)));
            Assert.False(device.Deliver(Filler(99)));
            Assert.Equal(VirtioNetDriver.PreferredQueueSize, driver.Poll(stack, 1000));
            Assert.True(device.Deliver(Filler(100)));
        }

        [Fact]
        public void Impossible_completions_are_counted_and_ignored()
        {
            var (device, driver, stack) = Start();
            device.PutUsed(0, 500, 60);    // no such buffer
            device.Deliver(Filler(1));     // a real frame
            device.PutUsed(0, 1, 5000);    // longer than the buffer
            Assert.Equal(1, driver.Poll(stack, 64));
            Assert.Equal(2UL, driver.Counters.DeviceErrors);

            device.PutUsed(1, 7, 0);       // a transmit completion for a buffer never sent
            Assert.True(driver.Transmit(Filler(2)));
            Assert.Single(device.Sent);
            driver.Poll(stack, 64);        // takes the real completion back, skips the bogus one
            Assert.Equal(3UL, driver.Counters.DeviceErrors);
            device.PutUsed(1, 0, 0);       // the same buffer completed twice
            driver.Poll(stack, 64);
            Assert.Equal(4UL, driver.Counters.DeviceErrors);
            Assert.True(driver.Transmit(Filler(3)));
            Assert.Equal(2, device.Sent.Count);
        }

        [Fact]
        public void A_completion_shorter_than_the_header_is_a_receive_error()
        {
            var (device, driver, stack) = Start();
            Assert.True(device.Deliver(Filler(1)));
            // Rewrite that completion's length in place: the device claims 4 bytes.
            device.Queues[0].UsedIndex--;
            device.PutUsed(0, 0, 4);
            Assert.Equal(0, driver.Poll(stack, 64));
            Assert.Equal(1UL, driver.Counters.ReceiveErrors);
        }

        [Fact]
        public void Transmit_refuses_when_every_buffer_is_in_flight_and_recovers_afterwards()
        {
            var (device, driver, _) = Start();
            device.HoldTransmit = true;
            for (int i = 0; i < VirtioNetDriver.PreferredQueueSize; i++)
                Assert.True(driver.Transmit(Filler(i)));
            Assert.False(driver.Transmit(Filler(99)));
            Assert.Equal(1UL, driver.Counters.TransmitBusy);
            device.Flush();
            Assert.Equal(Enumerable.Range(0, 64).Select(Filler), device.Sent);
            Assert.True(driver.Transmit(Filler(100)));
            Assert.False(driver.Transmit(new byte[VirtioNetDriver.BufferBytes]));
        }
    }
}
