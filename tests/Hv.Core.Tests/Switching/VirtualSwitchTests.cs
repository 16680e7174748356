using System;
using System.Collections.Generic;
using Hv.Core.Networking;

using Hv.Testing;

namespace Hv.Core.Tests.Switching
{
    /// <summary>The learning switch (IEEE 802.1D forwarding) with Hv's rules: no spoofing, no reflection, bounded queues, separate switches.</summary>
    public class VirtualSwitchTests
    {
        private const ulong MacA = 0x02_00_00_00_00_0A, MacB = 0x02_00_00_00_00_0B, MacC = 0x02_00_00_00_00_0C;
        private const ulong Aging = 300;
        private readonly VirtualSwitch _switch = new VirtualSwitch(8, 4, 16, Aging);
        private readonly SwitchPort _a, _b, _c;

        public VirtualSwitchTests()
        {
            _a = Connect(_switch, 1, MacA);
            _b = Connect(_switch, 2, MacB);
            _c = Connect(_switch, 3, MacC);
        }

        private static SwitchPort Connect(VirtualSwitch sw, ulong owner, ulong mac)
        {
            Assert.Equal(SwitchStatus.Ok, sw.Connect(owner, mac, out SwitchPort port));
            return port;
        }

        internal static byte[] Frame(ulong destination, ulong source, int length = 60, byte fill = 0x5A)
        {
            var frame = new byte[length];
            for (int i = 0; i < 6; i++)
            {
                frame[i] = EthernetFrame.MacOctet(destination, i);
                frame[6 + i] = EthernetFrame.MacOctet(source, i);
            }
            frame[12] = 0x08;
            for (int i = 14; i < length; i++)
                frame[i] = fill;
            return frame;
        }

        private static byte[] Take(SwitchPort port)
        {
            byte[] frame = port.PeekFrame().ToArray();
            port.DequeueFrame();
            return frame;
        }

        [Fact]
        public void Unknown_destinations_flood_then_learned_ones_go_to_one_port()
        {
            Assert.Equal(ForwardResult.Flooded, _a.Send(Frame(MacB, MacA)));
            Assert.Equal((0, 1, 1), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
            Take(_b);
            Take(_c);
            // B answers: A was learned from its first frame.
            Assert.Equal(ForwardResult.Forwarded, _b.Send(Frame(MacA, MacB, fill: 1)));
            Assert.Equal((1, 0, 0), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
            Assert.Equal(Frame(MacA, MacB, fill: 1), Take(_a));
            Assert.Equal(ForwardResult.Forwarded, _a.Send(Frame(MacB, MacA)));
            Assert.Equal((0, 1, 0), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
            Assert.Equal((1UL, 2UL), (_switch.FloodedFrames, _switch.ForwardedFrames));
        }

        [Theory]
        [InlineData(EthernetFrame.Broadcast)]
        [InlineData(0x01_00_5E_00_00_01UL)] // IPv4 multicast
        [InlineData(0x33_33_00_00_00_01UL)] // IPv6 multicast
        public void Group_addresses_flood_to_every_other_port(ulong destination)
        {
            _b.Send(Frame(MacA, MacB)); // even with something learned
            Take(_a); Take(_c);
            Assert.Equal(ForwardResult.Flooded, _a.Send(Frame(destination, MacA)));
            Assert.Equal((0, 1, 1), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
        }

        [Fact]
        public void A_spoofed_source_is_dropped_counted_and_not_learned()
        {
            Assert.Equal(ForwardResult.DroppedSpoofed, _c.Send(Frame(EthernetFrame.Broadcast, MacA)));
            Assert.Equal((0, 0, 0), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
            Assert.Equal((1UL, 0UL), (_c.DroppedSpoofed, _c.SentFrames));
            Assert.Equal(-1, _switch.Macs.Lookup(MacA, 0));
            // A group source address is never anyone's own either.
            Assert.Equal(ForwardResult.DroppedSpoofed, _c.Send(Frame(MacA, EthernetFrame.Broadcast)));
        }

        [Fact]
        public void A_frame_never_goes_back_to_its_sender()
        {
            Assert.Equal(ForwardResult.Filtered, _a.Send(Frame(MacA, MacA)));
            Assert.Equal((0, 0, 0), (_a.PendingFrames, _b.PendingFrames, _c.PendingFrames));
            Assert.Equal(1UL, _switch.FilteredFrames);
        }

        [Theory]
        [InlineData(13)]
        [InlineData(EthernetFrame.MaxLength + 1)]
        public void Frames_shorter_than_a_header_or_longer_than_the_maximum_are_dropped(int length)
        {
            Assert.Equal(ForwardResult.DroppedMalformed, _a.Send(Frame(MacB, MacA, Math.Max(length, 12)).AsSpan(0, length)));
            Assert.Equal(1UL, _a.DroppedMalformed);
            Assert.Equal(0, _b.PendingFrames);
        }

        [Fact]
        public void Learned_addresses_age_out_and_are_flooded_to_again()
        {
            _switch.AdvanceClock(1000);
            _b.Send(Frame(MacA, MacB));
            Take(_a); Take(_c);
            _switch.AdvanceClock(1000 + Aging);
            Assert.Equal(ForwardResult.Forwarded, _a.Send(Frame(MacB, MacA)));
            Take(_b);
            _switch.AdvanceClock(1000 + Aging + 1);
            Assert.Equal(ForwardResult.Flooded, _a.Send(Frame(MacB, MacA)));
        }

        [Fact]
        public void A_port_that_does_not_read_holds_at_most_its_queue_and_the_rest_is_counted()
        {
            _b.Send(Frame(MacA, MacB));
            Take(_a); Take(_c);
            for (int i = 0; i < 10; i++)
                _c.Send(Frame(MacA, MacC, fill: (byte)i));
            Assert.Equal(4, _a.PendingFrames);
            Assert.Equal((1UL + 4, 6UL), (_a.ReceivedFrames, _a.DroppedQueueFull));
            Assert.Equal(0, Take(_a)[20]); // the oldest frames were kept
        }

        [Fact]
        public void Forwarding_allocates_nothing()
        {
            byte[] toB = Frame(MacB, MacA), broadcast = Frame(EthernetFrame.Broadcast, MacB);
            _b.Send(broadcast);
            Assert.Equal(0, AllocationRounds.Fewest(3, () => Exchange(toB, broadcast)));
        }

        private void Exchange(byte[] toB, byte[] broadcast)
        {
            for (int i = 0; i < 1000; i++)
            {
                _a.Send(toB);
                _b.Send(broadcast);
                while (_a.PendingFrames > 0) _a.DequeueFrame();
                while (_b.PendingFrames > 0) _b.DequeueFrame();
                while (_c.PendingFrames > 0) _c.DequeueFrame();
            }
        }

        [Fact]
        public void Two_switches_never_exchange_frames()
        {
            var other = new VirtualSwitch(8, 4, 16, Aging);
            SwitchPort d = Connect(other, 4, 0x02_00_00_00_00_0D);
            // The same MAC may exist on another switch: it is another network.
            SwitchPort a2 = Connect(other, 5, MacA);
            Assert.Equal(ForwardResult.Flooded, _a.Send(Frame(EthernetFrame.Broadcast, MacA)));
            Assert.Equal((0, 0), (d.PendingFrames, a2.PendingFrames));
            Assert.Equal(ForwardResult.NotConnected, _switch.Send(d, Frame(EthernetFrame.Broadcast, d.Mac)));
            Assert.Equal(ForwardResult.Flooded, d.Send(Frame(EthernetFrame.Broadcast, d.Mac)));
            Assert.Equal((0, 0, 1), (_b.PendingFrames - 1, _c.PendingFrames - 1, a2.PendingFrames));
        }

        [Fact]
        public void Connect_refuses_group_zero_and_duplicate_addresses_and_a_full_switch()
        {
            Assert.Equal(SwitchStatus.InvalidMac, _switch.Connect(9, 0, out _));
            Assert.Equal(SwitchStatus.InvalidMac, _switch.Connect(9, 0x01_00_00_00_00_01, out _));
            Assert.Equal(SwitchStatus.InvalidMac, _switch.Connect(9, 1UL << 48, out _));
            Assert.Equal(SwitchStatus.DuplicateMac, _switch.Connect(9, MacA, out _));
            for (int i = 0; i < 5; i++)
                Connect(_switch, 9, 0x02_00_00_00_01_00UL + (ulong)i);
            Assert.Equal(SwitchStatus.Full, _switch.Connect(9, 0x02_00_00_00_02_00, out _));
        }

        [Fact]
        public void Disconnect_drops_waiting_frames_and_learned_addresses_and_frees_the_slot_for_reuse()
        {
            _b.Send(Frame(MacA, MacB));
            _switch.Disconnect(_b);
            Assert.False(_b.Connected);
            Assert.Equal(-1, _switch.Macs.Lookup(MacB, 0));
            Assert.Equal(ForwardResult.NotConnected, _b.Send(Frame(MacA, MacB)));
            Assert.Equal(ForwardResult.Flooded, _a.Send(Frame(MacB, MacA)));
            SwitchPort again = Connect(_switch, 7, 0x02_00_00_00_00_0E);
            Assert.Same(_b, again);
            Assert.Equal((7UL, 0, 0UL), (again.Owner, again.PendingFrames, again.ReceivedFrames));
        }

        [Fact]
        public void DisconnectOwner_removes_every_port_of_a_VM()
        {
            SwitchPort second = Connect(_switch, 1, 0x02_00_00_00_00_1A);
            _switch.DisconnectOwner(1);
            Assert.False(_a.Connected);
            Assert.False(second.Connected);
            Assert.True(_b.Connected);
        }

        private sealed class CountingListener : PortListener
        {
            public readonly List<int> Calls = new List<int>();
            public override void FramesArrived(SwitchPort port) => Calls.Add(port.PendingFrames);
        }

        [Fact]
        public void The_listener_hears_of_each_frame_queued_for_its_port()
        {
            var listener = new CountingListener();
            _b.Listener = listener;
            _a.Send(Frame(EthernetFrame.Broadcast, MacA));
            _c.Send(Frame(EthernetFrame.Broadcast, MacC));
            Assert.Equal(new[] { 1, 2 }, listener.Calls);
        }
    }
}
