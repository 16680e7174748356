using System;
using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    public class EthernetArpTests
    {
        [Fact]
        public void InternetChecksum_Rfc1071Example()
        {
            // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum (ones' complement) to ddf2.
            byte[] data = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
            Assert.Equal(0xDDF2u, InternetChecksum.Add(0, data));
            Assert.Equal((ushort)0x220D, InternetChecksum.Finish(InternetChecksum.Add(0, data)));
            // An odd length pads with a zero byte (§4.1).
            Assert.Equal(InternetChecksum.Add(0, new byte[] { 1, 2, 3, 0 }), InternetChecksum.Add(0, new byte[] { 1, 2, 3 }));
        }

        [Fact]
        public void InternetChecksum_OfAnIpv4Header()
        {
            byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
            Assert.Equal((ushort)0xB861, InternetChecksum.Finish(InternetChecksum.Add(0, header)));
            header[10] = 0xB8;
            header[11] = 0x61;
            Assert.True(InternetChecksum.Verify(InternetChecksum.Add(0, header)));
        }

        [Fact]
        public void Ethernet_DropsWhatIsNotForUs_WithAReasonEach()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            byte[] arp = P.Arp(1, P.PeerMac, P.PeerIp, 0, P.OurIp, Ethernet.BroadcastMac);
            stack.Receive(arp.AsSpan(0, 13));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.EthernetTruncated));
            stack.Receive(new byte[1515]);
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.EthernetTooLong));
            stack.Receive(P.EthernetFrame(0x020000000099, P.PeerMac, 0x0806, arp.AsSpan(14).ToArray()));
            stack.Receive(P.EthernetFrame(0x01005E000001, P.PeerMac, 0x0800, new byte[46])); // IPv4 multicast group
            Assert.Equal(2UL, stack.Counters.Dropped(NetDrop.EthernetNotForUs));
            stack.Receive(P.EthernetFrame(P.OurMac, 0x010000000002, 0x0806, arp.AsSpan(14).ToArray()));
            stack.Receive(P.EthernetFrame(P.OurMac, 0, 0x0806, arp.AsSpan(14).ToArray()));
            Assert.Equal(2UL, stack.Counters.Dropped(NetDrop.EthernetBadSource));
            stack.Receive(P.EthernetFrame(P.OurMac, P.PeerMac, 0x86DD, new byte[46])); // IPv6
            stack.Receive(P.EthernetFrame(P.OurMac, P.PeerMac, 0x8100, new byte[46])); // 802.1Q tag
            stack.Receive(P.EthernetFrame(P.OurMac, P.PeerMac, 0x0040, new byte[46])); // an 802.3 length field
            Assert.Equal(3UL, stack.Counters.Dropped(NetDrop.EthernetUnknownType));
            Assert.Empty(device.Sent);
            Assert.Equal(9UL, stack.Counters.TotalDrops);
        }

        [Fact]
        public void ArpRequestForOurAddress_IsAnswered_AndTheSenderLearnt()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            stack.Receive(P.Arp(1, P.PeerMac, P.PeerIp, 0, P.OurIp, Ethernet.BroadcastMac));
            byte[] reply = Assert.Single(device.Take());
            Assert.Equal(60, reply.Length); // padded to the Ethernet minimum
            Assert.Equal(P.PeerMac, P.GetMac(reply, 0));
            Assert.Equal(P.OurMac, P.GetMac(reply, 6));
            Assert.Equal(0x0806, P.Get16(reply, 12));
            Assert.Equal("0001080006040002", Convert.ToHexString(reply, 14, 8));
            Assert.Equal(P.OurMac, P.GetMac(reply, 22));
            Assert.Equal(P.OurIp, P.Get32(reply, 28));
            Assert.Equal(P.PeerMac, P.GetMac(reply, 32));
            Assert.Equal(P.PeerIp, P.Get32(reply, 38));
            Assert.True(stack.Arp.TryLookup(P.PeerIp, out ulong mac));
            Assert.Equal(P.PeerMac, mac);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.ArpRepliesSent));
        }

        [Fact]
        public void ArpForOthers_IsNotCached_ButUpdatesAKnownEntry()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            uint other = Ipv4Address.Make(10, 0, 2, 77);
            stack.Receive(P.Arp(1, P.PeerMac, P.PeerIp, 0, other, Ethernet.BroadcastMac));
            Assert.False(stack.Arp.TryLookup(P.PeerIp, out _));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.ArpNotForUs));
            P.Introduce(stack, device);
            // RFC 826 merge: a packet for someone else still refreshes a sender we know (a moved NIC).
            stack.Receive(P.Arp(1, 0x020000000033, P.PeerIp, 0, other, Ethernet.BroadcastMac));
            Assert.True(stack.Arp.TryLookup(P.PeerIp, out ulong mac));
            Assert.Equal(0x020000000033UL, mac);
            Assert.Empty(device.Sent);
        }

        [Fact]
        public void ArpFramesThatCannotBeRight_AreDropped()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            byte[] good = P.Arp(1, P.PeerMac, P.PeerIp, 0, P.OurIp, Ethernet.BroadcastMac);
            stack.Receive(good.AsSpan(0, 14 + 27));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.ArpTruncated));
            foreach (int index in new[] { 15, 17, 18, 19, 21 })
            {
                byte[] bad = (byte[])good.Clone();
                bad[index] ^= 0x04;
                stack.Receive(bad);
            }
            Assert.Equal(5UL, stack.Counters.Dropped(NetDrop.ArpUnsupported));
            stack.Receive(P.Arp(1, P.PeerMac, P.OurIp, 0, P.OurIp, Ethernet.BroadcastMac));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.ArpAddressConflict));
            stack.Receive(P.Arp(1, P.PeerMac, Ipv4Address.Make(224, 0, 0, 1), 0, P.OurIp, Ethernet.BroadcastMac));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.ArpBadSender));
            Assert.Empty(device.Sent);
        }

        [Fact]
        public void UnknownNextHop_IsAskedFor_AndTheWaitingFrameGoesOutOnTheReply()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            Assert.True(stack.Udp.Send(1000, P.PeerIp, 2000, new byte[] { 1, 2, 3 }));
            byte[] request = Assert.Single(device.Take());
            Assert.Equal(Ethernet.BroadcastMac, P.GetMac(request, 0));
            Assert.Equal("0001080006040001", Convert.ToHexString(request, 14, 8));
            Assert.Equal(P.OurMac, P.GetMac(request, 22));
            Assert.Equal(P.OurIp, P.Get32(request, 28));
            Assert.Equal(0UL, P.GetMac(request, 32));
            Assert.Equal(P.PeerIp, P.Get32(request, 38));
            Assert.Equal(1, stack.Arp.PendingCount);

            stack.Receive(P.Arp(2, P.PeerMac, P.PeerIp, P.OurMac, P.OurIp, P.OurMac));
            byte[] datagram = Assert.Single(device.Take());
            P.Sent sent = P.View(datagram);
            Assert.Equal(P.PeerMac, sent.Destination);
            Assert.Equal(P.PeerIp, sent.IpDestination);
            Assert.True(sent.ChecksumsValid);
            Assert.Equal(0, stack.Arp.PendingCount);
        }

        [Fact]
        public void OffLinkDestinations_GoThroughTheGateway()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            stack.Udp.Send(1000, Ipv4Address.Make(192, 0, 2, 1), 2000, new byte[] { 1 });
            byte[] request = Assert.Single(device.Take());
            Assert.Equal(P.GatewayIp, P.Get32(request, 38));
            stack.Receive(P.Arp(2, P.GatewayMac, P.GatewayIp, P.OurMac, P.OurIp, P.OurMac));
            P.Sent sent = P.View(Assert.Single(device.Take()));
            Assert.Equal(P.GatewayMac, sent.Destination);
            Assert.Equal(Ipv4Address.Make(192, 0, 2, 1), sent.IpDestination);
        }

        [Fact]
        public void WaitingQueue_IsBounded()
        {
            var config = new NetConfig { ArpPendingFrames = 2 };
            NetStack stack = P.Stack(out CapturingDevice device, config);
            for (int i = 0; i < 3; i++)
            {
                stack.Udp.Send(1000, P.PeerIp, 2000, new byte[] { (byte)i });
            }
            Assert.Equal(2, stack.Arp.PendingCount);
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.ArpQueueFull));
            Assert.Single(device.Take()); // one request, not one per frame
            stack.Receive(P.Arp(2, P.PeerMac, P.PeerIp, P.OurMac, P.OurIp, P.OurMac));
            var frames = device.Take();
            Assert.Equal(new byte[] { 0, 1 }, frames.Select(f => P.View(f).IpPayload[8]).ToArray()); // in order
        }

        [Fact]
        public void UnansweredRequests_AreRetriedEverySecond_ThenTheFramesAreDropped()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            stack.Udp.Send(1000, P.PeerIp, 2000, new byte[] { 1 });
            stack.Udp.Send(1000, P.PeerIp, 2000, new byte[] { 2 });
            Assert.Single(device.Take());
            stack.Poll(1 + 999_000);
            Assert.Empty(device.Take());
            stack.Poll(1 + 1_000_000);
            Assert.Single(device.Take());
            stack.Poll(1 + 2_000_000);
            Assert.Single(device.Take());
            Assert.Equal(3UL, stack.Counters.Get(NetStat.ArpRequestsSent));
            stack.Poll(1 + 3_000_000);
            Assert.Empty(device.Take());
            Assert.Equal(2UL, stack.Counters.Dropped(NetDrop.ArpUnresolved));
            Assert.Equal(0, stack.Arp.PendingCount);
        }

        [Fact]
        public void LearntEntries_AgeOut()
        {
            var config = new NetConfig { ArpLifetimeMs = 60_000 };
            NetStack stack = P.Stack(out CapturingDevice device, config);
            P.Introduce(stack, device);
            stack.Poll(59_000_000);
            Assert.True(stack.Arp.TryLookup(P.PeerIp, out _));
            stack.Poll(60_000_001);
            Assert.False(stack.Arp.TryLookup(P.PeerIp, out _));
            stack.Udp.Send(1000, P.PeerIp, 2000, new byte[] { 1 });
            Assert.Equal(0x0806, P.Get16(Assert.Single(device.Take()), 12)); // asks again
        }

        [Fact]
        public void FullCache_ReplacesTheLeastRecentlyConfirmedEntry()
        {
            var config = new NetConfig { ArpEntries = 2 };
            NetStack stack = P.Stack(out CapturingDevice device, config);
            uint a = Ipv4Address.Make(10, 0, 2, 20), b = Ipv4Address.Make(10, 0, 2, 21), c = Ipv4Address.Make(10, 0, 2, 22);
            P.Introduce(stack, device, a, 0x02000000000A);
            stack.Poll(10);
            P.Introduce(stack, device, b, 0x02000000000B);
            stack.Poll(20);
            P.Introduce(stack, device, c, 0x02000000000C);
            Assert.False(stack.Arp.TryLookup(a, out _));
            Assert.True(stack.Arp.TryLookup(b, out _));
            Assert.True(stack.Arp.TryLookup(c, out _));
        }

        [Fact]
        public void DeviceThatRefusesAFrame_IsCounted()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            device.Busy = true;
            stack.Receive(P.Arp(1, P.PeerMac, P.PeerIp, 0, P.OurIp, Ethernet.BroadcastMac));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.DeviceBusy));
            Assert.Equal(0UL, stack.Counters.Get(NetStat.FramesSent));
        }
    }
}
