using System.Linq;
using Hv.Core.Drivers.E1000;
using Hv.Core.Net;
using Hv.Core.Tests.Net;

namespace Hv.Core.Tests.Drivers
{
    public class E1000DriverTests
    {
        private const ulong Mac = 0x525400123456;

        private static (FakeE1000 Device, E1000Driver Driver, NetStack Stack, CowPages Memory) Start()
        {
            var memory = new CowPages();
            var device = new FakeE1000(memory, Mac);
            E1000Driver driver = E1000Driver.Start(device, memory, out E1000StartStatus status);
            Assert.Equal(E1000StartStatus.Ok, status);
            var stack = new NetStack(driver, new NetConfig(), Packets.TicksPerMs, Packets.Secret);
            stack.ConfigureStatic(Packets.OurIp, 24, Packets.GatewayIp);
            stack.Poll(1);
            return (device, driver, stack, memory);
        }

        private static byte[] ArpRequestForUs() =>
            Packets.Arp(1, Packets.PeerMac, Packets.PeerIp, 0, Packets.OurIp, Ethernet.BroadcastMac);

        // A frame the stack drops at once (unknown EtherType), for ring tests that need no replies.
        private static byte[] Filler(int n) => Packets.EthernetFrame(Mac, Packets.PeerMac, 0x88B5, new byte[] { (byte)n, (byte)(n >> 8) });

        [Fact]
        public void Start_reads_the_mac_from_the_eeprom_and_programs_the_device_as_the_manual_says()
        {
            var (device, driver, _, _) = Start();

            Assert.Equal(Mac, driver.MacAddress);
            Assert.Equal("e1000 82540EM", driver.Model);
            Assert.Equal(0x12005452u, device[E1000Registers.Ral0]); // 52:54:00:12, first octet in the low byte
            Assert.Equal(0x5634u | E1000Registers.RahAddressValid, device[E1000Registers.Rah0]);
            Assert.All(Enumerable.Range(0, E1000Registers.MtaEntries), i => Assert.Equal(0u, device[E1000Registers.Mta + 4 * i]));
            Assert.Contains((E1000Registers.Imc, E1000Registers.InterruptsAll), device.Writes);
            Assert.Equal(0u, device[E1000Registers.Ims]);

            uint ctrl = device[E1000Registers.Ctrl];
            Assert.Equal(E1000Registers.CtrlSetLinkUp, ctrl & E1000Registers.CtrlSetLinkUp);
            Assert.Equal(0u, ctrl & (E1000Registers.CtrlReset | E1000Registers.CtrlLinkReset | E1000Registers.CtrlPhyReset));

            uint rctl = device[E1000Registers.Rctl];
            Assert.Equal(E1000Registers.RctlEnable | E1000Registers.RctlBroadcastAccept | E1000Registers.RctlStripCrc, rctl);
            Assert.Equal(0u, rctl & E1000Registers.RctlBufferSizeMask); // 2048-byte buffers
            Assert.Equal(0u, device[E1000Registers.Rdbal] % 16);
            Assert.Equal(0u, device[E1000Registers.Rdlen] % E1000Registers.RingLengthGranule);
            Assert.Equal(32u * 16, device[E1000Registers.Rdlen]);
            Assert.Equal((0u, 31u), (device[E1000Registers.Rdh], device[E1000Registers.Rdt]));

            uint tctl = device[E1000Registers.Tctl];
            Assert.Equal(E1000Registers.TctlEnable | E1000Registers.TctlPadShortPackets, tctl & 0xF);
            Assert.Equal(0x10u, (tctl >> 4) & 0xFF);
            Assert.Equal(0x40u, (tctl >> 12) & 0x3FF);
            Assert.Equal(0x0060200Au, device[E1000Registers.Tipg]);
            Assert.Equal((0u, 0u), (device[E1000Registers.Tdh], device[E1000Registers.Tdt]));
            Assert.Equal(0u, device[E1000Registers.Tdlen] % E1000Registers.RingLengthGranule);
        }

        [Fact]
        public void A_reset_that_never_finishes_is_reported()
        {
            var memory = new CowPages();
            var device = new FakeE1000(memory, Mac) { ResetReads = -1 };
            Assert.Null(E1000Driver.Start(device, memory, out E1000StartStatus status));
            Assert.Equal(E1000StartStatus.ResetTimeout, status);
        }

        [Fact]
        public void Without_an_eeprom_answer_the_preloaded_receive_address_is_used_and_without_both_start_fails()
        {
            var memory = new CowPages();
            var device = new FakeE1000(memory, Mac) { EepromAnswers = false };
            device[E1000Registers.Ral0] = 0x33221102;
            device[E1000Registers.Rah0] = 0x5544 | E1000Registers.RahAddressValid;
            E1000Driver driver = E1000Driver.Start(device, memory, out E1000StartStatus status);
            Assert.Equal(E1000StartStatus.Ok, status);
            Assert.Equal(0x021122334455UL, driver.MacAddress);

            var bare = new FakeE1000(new CowPages(), Mac) { EepromAnswers = false };
            Assert.Null(E1000Driver.Start(bare, memory, out status));
            Assert.Equal(E1000StartStatus.NoMacAddress, status);
        }

        [Fact]
        public void Running_out_of_pages_is_reported()
        {
            var memory = new CowPages { Budget = 5 };
            Assert.Null(E1000Driver.Start(new FakeE1000(memory, Mac), memory, out E1000StartStatus status));
            Assert.Equal(E1000StartStatus.NoMemory, status);
        }

        [Fact]
        public void Answers_arp_and_ping_through_the_device()
        {
            var (device, driver, stack, _) = Start();

            Assert.True(device.Deliver(ArpRequestForUs()));
            Assert.Equal(1, driver.Poll(stack, 64));
            byte[] reply = Assert.Single(device.Sent);
            Assert.Equal(Packets.PeerMac, Packets.GetMac(reply, 0));
            Assert.Equal(Mac, Packets.GetMac(reply, 6));
            Assert.Equal(0x0806, Packets.Get16(reply, 12));
            Assert.Equal(2, Packets.Get16(reply, 20)); // ARP reply

            device.Sent.Clear();
            byte[] ping = Packets.IpFrame(Packets.PeerIp, Packets.OurIp, 1, Packets.Icmp(8, 0, 7, 1, new byte[56]), to: Mac);
            Assert.True(device.Deliver(ping));
            driver.Poll(stack, 64);
            byte[] pong = Assert.Single(device.Sent);
            Assert.Equal(0, pong[34]); // ICMP echo reply
            Assert.Equal(ping.Length, pong.Length);
            Assert.Equal(2UL, driver.Counters.FramesReceived);
            Assert.Equal(2UL, driver.Counters.FramesSent);
        }

        [Fact]
        public void Keeps_receiving_across_many_ring_wraps_and_gives_the_device_all_but_one_descriptor()
        {
            var (device, driver, stack, _) = Start();
            for (int round = 0; round < 20; round++)
            {
                for (int i = 0; i < E1000Driver.ReceiveDescriptors - 1; i++)
                    Assert.True(device.Deliver(Filler(i)), $"round {round} frame {i}");
                Assert.False(device.Deliver(Filler(99)));  // the ring is full: one slot always stays with the driver
                Assert.Equal(E1000Driver.ReceiveDescriptors - 1, driver.Poll(stack, 1000));
            }
            Assert.Equal(20UL * 31, driver.Counters.FramesReceived);
            Assert.Equal(20UL * 31, stack.Counters.Dropped(NetDrop.EthernetUnknownType));
            Assert.Equal(20, device.Missed);
        }

        [Fact]
        public void Poll_takes_at_most_its_budget_and_leaves_the_rest_for_the_next_round()
        {
            var (device, driver, stack, _) = Start();
            for (int i = 0; i < 10; i++)
                device.Deliver(Filler(i));
            Assert.Equal(4, driver.Poll(stack, 4));
            Assert.Equal(6, driver.Poll(stack, 100));
            Assert.Equal(0, driver.Poll(stack, 100));
        }

        [Fact]
        public void Frames_with_errors_split_over_descriptors_or_with_an_impossible_length_are_dropped_and_counted()
        {
            var (device, driver, stack, _) = Start();
            device.Deliver(Filler(1), errors: 0x01);              // CRC error
            device.Deliver(new byte[3000]);                       // two descriptors: only the second has EOP
            device.Deliver(Filler(2), reportedLength: 4000);      // longer than the buffer
            device.Deliver(Filler(3), errors: 0x20);              // TCP checksum error bit: not a frame error
            Assert.Equal(1, driver.Poll(stack, 64));
            Assert.Equal(4UL, driver.Counters.ReceiveErrors);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.FramesReceived));

            Assert.True(device.Deliver(ArpRequestForUs()));       // and the ring still works
            Assert.Equal(1, driver.Poll(stack, 64));
            Assert.Single(device.Sent);
        }

        [Fact]
        public void Transmit_refuses_when_every_descriptor_is_in_flight_and_recovers_once_the_device_finishes()
        {
            var (device, driver, _, _) = Start();
            device.HoldTransmit = true;
            for (int i = 0; i < E1000Driver.TransmitDescriptors - 1; i++)
                Assert.True(driver.Transmit(Filler(i)));
            Assert.False(driver.Transmit(Filler(99)));
            Assert.Equal(1UL, driver.Counters.TransmitBusy);
            Assert.Equal(31u, device[E1000Registers.Tdt]);

            device.Flush();
            Assert.Equal(31, device.Sent.Count);
            Assert.Equal(Filler(30), device.Sent[30]);
            for (int i = 0; i < 100; i++)
                Assert.True(driver.Transmit(Filler(i)));
            Assert.Equal(131, device.Sent.Count);
            Assert.False(driver.Transmit(new byte[2049]));
        }

        [Fact]
        public void Link_state_follows_the_status_register()
        {
            var (device, driver, _, _) = Start();
            Assert.True(driver.LinkUp);
            device[E1000Registers.Status] = E1000Registers.StatusFullDuplex;
            Assert.False(driver.LinkUp);
        }
    }
}
