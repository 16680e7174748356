using System;
using System.Collections.Generic;
using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    /// <summary>The DHCP client against a scripted server (RFC 2131 exchanges, RFC 2132 options).</summary>
    public class DhcpTests
    {
        private static readonly uint Server = Ipv4Address.Make(10, 0, 2, 2);
        private static readonly uint Offered = Ipv4Address.Make(10, 0, 2, 15);
        private const ulong ServerMac = 0x525400123502;
        private const ulong Second = 1_000_000; // ticks

        /// <summary>A DHCP client message as the test reads it.</summary>
        private sealed class ClientMessage
        {
            public P.Sent Frame;
            public byte[] Dhcp;
            public uint Xid => P.Get32(Dhcp, 4);
            public uint ClientAddress => P.Get32(Dhcp, 12);
            public int Type => Option(53)[0];

            public byte[] Option(int code)
            {
                for (int p = 240; p < Dhcp.Length && Dhcp[p] != 255;)
                {
                    if (Dhcp[p] == 0)
                    {
                        p++;
                        continue;
                    }
                    if (Dhcp[p] == code)
                    {
                        return Dhcp.AsSpan(p + 2, Dhcp[p + 1]).ToArray();
                    }
                    p += 2 + Dhcp[p + 1];
                }
                return null;
            }
        }

        private static ClientMessage Read(byte[] frame)
        {
            P.Sent sent = P.View(frame);
            Assert.Equal(17, sent.Protocol);
            Assert.True(sent.ChecksumsValid);
            byte[] udp = sent.IpPayload;
            Assert.Equal(68, P.Get16(udp, 0));
            Assert.Equal(67, P.Get16(udp, 2));
            return new ClientMessage { Frame = sent, Dhcp = udp.AsSpan(8).ToArray() };
        }

        private static byte[] Option(int code, params byte[] value) => new[] { (byte)code, (byte)value.Length }.Concat(value).ToArray();

        private static byte[] Address(uint a) => new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a };

        private static byte[] Reply(int type, uint xid, uint yiaddr, IEnumerable<byte[]> extra = null, ulong mac = P.OurMac,
                                    bool serverId = true, uint lease = 3600)
        {
            var m = new byte[240];
            m[0] = 2;
            m[1] = 1;
            m[2] = 6;
            m[4] = (byte)(xid >> 24);
            m[5] = (byte)(xid >> 16);
            m[6] = (byte)(xid >> 8);
            m[7] = (byte)xid;
            Address(yiaddr).CopyTo(m, 16);
            for (int i = 0; i < 6; i++)
            {
                m[28 + i] = (byte)(mac >> (40 - 8 * i));
            }
            new byte[] { 99, 130, 83, 99 }.CopyTo(m, 236);
            var options = new List<byte[]> { Option(53, (byte)type) };
            if (serverId)
            {
                options.Add(Option(54, Address(Server)));
            }
            if (type != 6)
            {
                options.Add(Option(51, Address(lease)));
                options.Add(Option(1, 255, 255, 255, 0));
                options.Add(Option(3, Address(Ipv4Address.Make(10, 0, 2, 1))));
            }
            options.AddRange(extra ?? Array.Empty<byte[]>());
            options.Add(new byte[] { 255 });
            return m.Concat(options.SelectMany(o => o)).ToArray();
        }

        private static void Deliver(NetStack stack, byte[] dhcp, int sourcePort = 67, uint destination = 0xFFFFFFFF)
        {
            byte[] udp = P.Udp(Server, destination, sourcePort, 68, dhcp);
            stack.Receive(P.EthernetFrame(destination == 0xFFFFFFFF ? Ethernet.BroadcastMac : P.OurMac, ServerMac, 0x0800,
                                          P.Ipv4(Server, destination, 17, udp)));
        }

        private static NetStack Bound(out CapturingDevice device, out uint xid, uint lease = 3600, IEnumerable<byte[]> extra = null)
        {
            NetStack stack = P.Stack(out device, configure: false);
            stack.StartDhcp();
            stack.Poll(10);
            ClientMessage discover = Read(Assert.Single(device.Take()));
            Deliver(stack, Reply(2, discover.Xid, Offered, extra, lease: lease));
            ClientMessage request = Read(Assert.Single(device.Take()));
            Deliver(stack, Reply(5, request.Xid, Offered, extra, lease: lease));
            xid = request.Xid;
            Assert.Equal(DhcpState.Bound, stack.Dhcp.State);
            return stack;
        }

        [Fact]
        public void Discover_Offer_Request_Ack_ConfiguresTheInterface()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            stack.StartDhcp();
            stack.Poll(10);
            ClientMessage discover = Read(Assert.Single(device.Take()));
            Assert.Equal(Ethernet.BroadcastMac, discover.Frame.Destination);
            Assert.Equal(0u, discover.Frame.IpSource);
            Assert.Equal(0xFFFFFFFFu, discover.Frame.IpDestination);
            Assert.True(discover.Dhcp.Length >= 300);
            Assert.Equal(new byte[] { 1, 1, 6, 0 }, discover.Dhcp.Take(4).ToArray());
            Assert.Equal(0x8000, P.Get16(discover.Dhcp, 10)); // BROADCAST flag
            Assert.Equal(P.OurMac, P.GetMac(discover.Dhcp, 28));
            Assert.Equal(new byte[] { 99, 130, 83, 99 }, discover.Dhcp.Skip(236).Take(4).ToArray());
            Assert.Equal(1, discover.Type);
            Assert.Contains((byte)3, discover.Option(55)); // asks for the router
            Assert.Equal(DhcpState.Selecting, stack.Dhcp.State);

            Deliver(stack, Reply(2, discover.Xid, Offered));
            ClientMessage request = Read(Assert.Single(device.Take()));
            Assert.Equal(3, request.Type);
            Assert.Equal(discover.Xid, request.Xid);
            Assert.Equal(Address(Offered), request.Option(50));
            Assert.Equal(Address(Server), request.Option(54));
            Assert.Equal(0u, request.ClientAddress);
            Assert.Equal(DhcpState.Requesting, stack.Dhcp.State);
            Assert.False(stack.Ip.IsConfigured);

            Deliver(stack, Reply(5, request.Xid, Offered));
            Assert.Equal(DhcpState.Bound, stack.Dhcp.State);
            Assert.Equal(IpSource.Dhcp, stack.Ip.Source);
            Assert.Equal(Offered, stack.Ip.Address);
            Assert.Equal(24, stack.Ip.PrefixLength);
            Assert.Equal(Ipv4Address.Make(10, 0, 2, 1), stack.Ip.Gateway);
            Assert.Equal(Server, stack.Dhcp.Server);
            Assert.Equal(10 + 3600 * Second, stack.Dhcp.LeaseExpires);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.DhcpLeases));
        }

        [Fact]
        public void Discover_IsRetransmittedWithExponentialBackOff()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            stack.StartDhcp();
            var sentAt = new List<ulong>();
            for (ulong t = 1; t <= 200 * Second; t += Second / 10)
            {
                stack.Poll(t);
                if (device.Take().Count > 0)
                {
                    sentAt.Add((t - 1) / Second);
                }
            }
            // RFC 2131 §4.1: 4 s, doubling, at most 64 s.
            Assert.Equal(new ulong[] { 0, 4, 12, 28, 60, 124, 188 }, sentAt);
        }

        [Fact]
        public void Renewal_UnicastsToTheServerAtT1()
        {
            NetStack stack = Bound(out CapturingDevice device, out _);
            stack.Poll(1799 * Second);
            Assert.Empty(device.Take());
            stack.Poll(1800 * Second + 10);
            byte[] arp = Assert.Single(device.Take()); // the server's MAC is not known yet
            Assert.Equal(0x0806, P.Get16(arp, 12));
            stack.Receive(P.Arp(2, ServerMac, Server, P.OurMac, Offered, P.OurMac));
            ClientMessage request = Read(Assert.Single(device.Take()));
            Assert.Equal(DhcpState.Renewing, stack.Dhcp.State);
            Assert.Equal(ServerMac, request.Frame.Destination);
            Assert.Equal(Server, request.Frame.IpDestination);
            Assert.Equal(Offered, request.ClientAddress);
            Assert.Null(request.Option(50));
            Assert.Null(request.Option(54));
            Deliver(stack, Reply(5, request.Xid, Offered, lease: 7200), destination: Offered);
            Assert.Equal(DhcpState.Bound, stack.Dhcp.State);
            Assert.Equal(1800 * Second + 10 + 7200 * Second, stack.Dhcp.LeaseExpires);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.DhcpRenewals));
        }

        [Fact]
        public void Silence_LeadsToRebinding_ThenExpiry()
        {
            NetStack stack = Bound(out CapturingDevice device, out _, extra: new[] { Option(58, Address(100)), Option(59, Address(200)) });
            P.Introduce(stack, device, Server, ServerMac);
            stack.Poll(100 * Second + 10);
            Assert.Equal(DhcpState.Renewing, stack.Dhcp.State);
            Assert.Equal(Server, Read(Assert.Single(device.Take())).Frame.IpDestination);
            stack.Poll(200 * Second + 10);
            Assert.Equal(DhcpState.Rebinding, stack.Dhcp.State);
            ClientMessage rebind = Read(Assert.Single(device.Take()));
            Assert.Equal(0xFFFFFFFFu, rebind.Frame.IpDestination);
            Assert.Equal(Offered, rebind.ClientAddress);
            stack.Poll(3600 * Second + 10);
            Assert.False(stack.Ip.IsConfigured);
            Assert.Equal(DhcpState.Selecting, stack.Dhcp.State);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.DhcpExpiries));
            Assert.Equal(1, device.Take().Select(Read).Count(m => m.Type == 1)); // a new DISCOVER
        }

        [Fact]
        public void Nak_StartsOver()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            stack.StartDhcp();
            stack.Poll(10);
            ClientMessage discover = Read(Assert.Single(device.Take()));
            Deliver(stack, Reply(2, discover.Xid, Offered));
            ClientMessage request = Read(Assert.Single(device.Take()));
            Deliver(stack, Reply(6, request.Xid, 0));
            Assert.Equal(DhcpState.Selecting, stack.Dhcp.State);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.DhcpNaks));
            stack.Poll(20);
            ClientMessage again = Read(Assert.Single(device.Take()));
            Assert.Equal(1, again.Type);
            Assert.NotEqual(discover.Xid, again.Xid);
        }

        [Fact]
        public void RepliesNotForUs_OrMalformed_AreDropped()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            stack.StartDhcp();
            stack.Poll(10);
            uint xid = Read(Assert.Single(device.Take())).Xid;
            Deliver(stack, Reply(2, xid + 1, Offered));
            Deliver(stack, Reply(2, xid, Offered, mac: 0x020000000077));
            Deliver(stack, Reply(2, xid, Offered), sourcePort: 1067);
            Assert.Equal(3UL, stack.Counters.Dropped(NetDrop.DhcpNotOurs));

            byte[] overflowing = Reply(2, xid, Offered);
            overflowing[overflowing.Length - 1] = 12; // the end option becomes "host name, length ..." past the end
            Deliver(stack, overflowing);
            Deliver(stack, Reply(2, xid, Offered, new[] { Option(51, 1, 2) })); // lease time must be 4 bytes
            Deliver(stack, Reply(2, xid, Offered).Take(239).ToArray());
            Assert.Equal(3UL, stack.Counters.Dropped(NetDrop.DhcpMalformed));

            Deliver(stack, Reply(2, xid, Offered, serverId: false));
            Deliver(stack, Reply(5, xid, Offered)); // an ACK while selecting
            Deliver(stack, Reply(2, xid, Ipv4Address.Make(224, 0, 0, 5)));
            Assert.Equal(3UL, stack.Counters.Dropped(NetDrop.DhcpUnexpected));
            Assert.Empty(device.Sent);
            Assert.Equal(DhcpState.Selecting, stack.Dhcp.State);
        }

        [Fact]
        public void StaticConfiguration_StopsDhcp()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            stack.StartDhcp();
            stack.Poll(10);
            uint xid = Read(Assert.Single(device.Take())).Xid;
            stack.ConfigureStatic(P.OurIp, 24, P.GatewayIp);
            Assert.Equal(DhcpState.Stopped, stack.Dhcp.State);
            Deliver(stack, Reply(2, xid, Offered));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.UdpNoListener));
            stack.Poll(100 * Second);
            Assert.Empty(device.Sent);
            Assert.Equal(IpSource.Static, stack.Ip.Source);
        }

        [Fact]
        public void InfiniteLease_IsNeverRenewed()
        {
            NetStack stack = Bound(out CapturingDevice device, out _, lease: 0xFFFFFFFF);
            stack.Poll(1_000_000 * Second);
            Assert.Empty(device.Sent);
            Assert.Equal(DhcpState.Bound, stack.Dhcp.State);
            Assert.Equal(0UL, stack.Dhcp.LeaseExpires);
        }
    }
}
