using System;
using System.Collections.Generic;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    public class Ipv4IcmpUdpTests
    {
        private sealed class Inbox : UdpReceiver
        {
            public readonly List<(byte[] Data, uint Source, ushort Port, uint Destination)> Received = new();

            public override void OnDatagram(ReadOnlySpan<byte> data, uint sourceAddress, ushort sourcePort, uint destinationAddress)
            {
                Received.Add((data.ToArray(), sourceAddress, sourcePort, destinationAddress));
            }
        }

        private static byte[] Ping(int sequence, int size = 32)
        {
            var data = new byte[size];
            for (int i = 0; i < size; i++)
            {
                data[i] = (byte)(i + sequence);
            }
            return P.Icmp(8, 0, 0x1234, sequence, data);
        }

        [Fact]
        public void EchoRequest_GetsTheRfc792Reply()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            byte[] request = Ping(7, 56);
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 1, request));
            P.Sent reply = P.View(Assert.Single(device.Take()));
            Assert.Equal(P.PeerMac, reply.Destination);
            Assert.Equal(P.OurIp, reply.IpSource);
            Assert.Equal(P.PeerIp, reply.IpDestination);
            Assert.Equal(1, reply.Protocol);
            Assert.Equal(0x4000, P.Get16(reply.Frame, 20)); // DF, no fragment offset
            Assert.Equal(64, reply.Frame[22]);
            Assert.True(reply.ChecksumsValid);
            byte[] expected = (byte[])request.Clone();
            expected[0] = 0; // type 0 echo reply; identifier, sequence and data unchanged
            expected[2] = expected[3] = 0;
            ushort sum = P.Checksum(expected);
            expected[2] = (byte)(sum >> 8);
            expected[3] = (byte)sum;
            Assert.Equal(expected, reply.IpPayload);
            Assert.Equal(1UL, stack.Counters.Get(NetStat.IcmpEchoReplies));
        }

        [Fact]
        public void Icmp_BadOrUnwantedMessages_AreDropped()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            byte[] bad = Ping(1);
            bad[10] ^= 1;
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 1, bad));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 1, new byte[] { 8, 0, 0, 0 }));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 1, P.Icmp(3, 3, 0, 0, new byte[28]))); // destination unreachable
            stack.Receive(P.IpFrame(P.PeerIp, Ipv4Address.Make(10, 0, 2, 255), 1, Ping(2), to: Ethernet.BroadcastMac));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.IcmpBadChecksum));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.IcmpTruncated));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.IcmpUnsupportedType));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.IcmpBroadcastEcho));
            Assert.Empty(device.Sent);
        }

        [Fact]
        public void Ipv4_ChecksEveryHeaderField()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            byte[] good = P.Ipv4(P.PeerIp, P.OurIp, 1, Ping(3, 8)); // 36 bytes

            void Send(byte[] packet, ulong to = P.OurMac) => stack.Receive(P.EthernetFrame(to, P.PeerMac, 0x0800, packet));
            byte[] Patch(Action<byte[]> change, bool fixChecksum = true)
            {
                byte[] p = (byte[])good.Clone();
                change(p);
                if (fixChecksum)
                {
                    p[10] = p[11] = 0;
                    ushort sum = P.Checksum(p.AsSpan(0, (p[0] & 0xF) * 4));
                    p[10] = (byte)(sum >> 8);
                    p[11] = (byte)sum;
                }
                return p;
            }

            Send(good.AsSpan(0, 19).ToArray());
            Send(Patch(p => p[0] = 0x65));                       // IPv6 version nibble
            Send(Patch(p => p[0] = 0x44));                       // IHL 4
            Send(Patch(p => p[0] = 0x4F, fixChecksum: false));   // IHL 60, past the end
            Send(Patch(p => p[8] = 1, fixChecksum: false));      // TTL changed, checksum not
            Send(Patch(p => { p[2] = 0; p[3] = 19; }));          // total length below the header
            Send(Patch(p => { p[2] = 0x05; p[3] = 0xDD; }));     // total length past the frame
            Send(Patch(p => p[6] = 0x20));                       // more fragments
            Send(Patch(p => { p[6] = 0x00; p[7] = 0x10; }));     // fragment offset
            Send(Patch(p => p[19] = 99));                        // someone else's address
            Send(Patch(p => p[12] = 224));                       // multicast source
            Send(Patch(p => p[15] = 15));                        // our own address as source
            Send(Patch(p => p[9] = 50));                         // ESP
            Send(good, Ethernet.BroadcastMac);                   // unicast IP in a link broadcast (RFC 1122 §3.3.6)
            NetCounters c = stack.Counters;
            Assert.Equal(1UL, c.Dropped(NetDrop.Ipv4Truncated));
            Assert.Equal(1UL, c.Dropped(NetDrop.Ipv4BadVersion));
            Assert.Equal(2UL, c.Dropped(NetDrop.Ipv4BadHeaderLength));
            Assert.Equal(1UL, c.Dropped(NetDrop.Ipv4BadChecksum));
            Assert.Equal(2UL, c.Dropped(NetDrop.Ipv4BadLength));
            Assert.Equal(2UL, c.Dropped(NetDrop.Ipv4Fragment));
            Assert.Equal(2UL, c.Dropped(NetDrop.Ipv4NotForUs));
            Assert.Equal(2UL, c.Dropped(NetDrop.Ipv4BadSource));
            Assert.Equal(1UL, c.Dropped(NetDrop.Ipv4UnknownProtocol));
            Assert.Empty(device.Sent);

            // Options (IHL 6) and Ethernet padding after the datagram are fine.
            byte[] withOption = new byte[good.Length + 4];
            Array.Copy(good, withOption, 20);
            Array.Copy(good, 20, withOption, 24, good.Length - 20);
            withOption[0] = 0x46;
            withOption[3] += 4;
            withOption[20] = 1; // NOP options
            withOption[21] = 1;
            withOption[22] = 1;
            withOption[23] = 0;
            withOption[10] = withOption[11] = 0;
            ushort sum = P.Checksum(withOption.AsSpan(0, 24));
            withOption[10] = (byte)(sum >> 8);
            withOption[11] = (byte)sum;
            byte[] padded = new byte[withOption.Length + 10];
            withOption.CopyTo(padded, 0);
            Send(padded);
            Assert.Single(device.Take());
        }

        [Fact]
        public void Udp_DeliversToTheBoundPort_AndChecksLengthAndChecksum()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            var inbox = new Inbox();
            Assert.True(stack.Udp.Bind(5000, inbox));
            Assert.False(stack.Udp.Bind(5000, new Inbox()));
            byte[] datagram = P.Udp(P.PeerIp, P.OurIp, 4000, 5000, new byte[] { 9, 8, 7 });
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, datagram));
            var got = Assert.Single(inbox.Received);
            Assert.Equal(new byte[] { 9, 8, 7 }, got.Data);
            Assert.Equal(P.PeerIp, got.Source);
            Assert.Equal(4000, got.Port);

            byte[] noChecksum = (byte[])datagram.Clone();
            noChecksum[6] = noChecksum[7] = 0; // RFC 768: zero means the sender did not compute one
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, noChecksum));
            Assert.Equal(2, inbox.Received.Count);

            byte[] corrupt = (byte[])datagram.Clone();
            corrupt[9] ^= 0x40;
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, corrupt));
            byte[] longLength = (byte[])datagram.Clone();
            longLength[5] = 20;
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, longLength));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, datagram.AsSpan(0, 7).ToArray()));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 17, P.Udp(P.PeerIp, P.OurIp, 4000, 5001, new byte[1])));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.UdpBadChecksum));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.UdpBadLength));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.UdpTruncated));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.UdpNoListener));
            Assert.Equal(2, inbox.Received.Count);
            Assert.Empty(device.Sent);
        }

        [Fact]
        public void Udp_SendsAChecksummedDatagram()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            Assert.True(stack.Udp.Send(1234, P.PeerIp, 53, new byte[] { 1, 2, 3, 4, 5 }));
            P.Sent sent = P.View(Assert.Single(device.Take()));
            Assert.Equal(17, sent.Protocol);
            Assert.True(sent.ChecksumsValid);
            Assert.Equal(P.Udp(P.OurIp, P.PeerIp, 1234, 53, new byte[] { 1, 2, 3, 4, 5 }), sent.IpPayload);
            Assert.False(stack.Udp.Send(1234, P.PeerIp, 53, new byte[UdpLayer.MaxDataBytes + 1]));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.Ipv4TooLong));
        }

        [Fact]
        public void WithoutAnAddress_NothingButBroadcastIsSent()
        {
            NetStack stack = P.Stack(out CapturingDevice device, configure: false);
            Assert.False(stack.Udp.Send(68, P.PeerIp, 67, new byte[1]));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.Ipv4NoAddress));
            Assert.True(stack.Udp.Send(68, Ipv4Address.Broadcast, 67, new byte[1]));
            P.Sent sent = P.View(Assert.Single(device.Take()));
            Assert.Equal(Ethernet.BroadcastMac, sent.Destination);
            Assert.Equal(0u, sent.IpSource);
            stack.ConfigureStatic(P.OurIp, 24, 0);
            Assert.False(stack.Udp.Send(1, Ipv4Address.Make(192, 0, 2, 1), 1, new byte[1]));
            Assert.Equal(1UL, stack.Counters.Dropped(NetDrop.Ipv4NoRoute));
        }

        [Theory]
        [InlineData("10.0.2.15/24,10.0.2.2", true, "10.0.2.15", 24, "10.0.2.2")]
        [InlineData("192.168.1.7/16", true, "192.168.1.7", 16, "0.0.0.0")]
        [InlineData("10.0.0.1/31", true, "10.0.0.1", 31, "0.0.0.0")]
        [InlineData("10.0.2.15/24,10.0.3.1", false, null, 0, null)]   // gateway off the subnet
        [InlineData("10.0.2.0/24", false, null, 0, null)]              // network address
        [InlineData("10.0.2.255/24", false, null, 0, null)]            // broadcast address
        [InlineData("224.0.0.1/4", false, null, 0, null)]
        [InlineData("10.0.2.256/24", false, null, 0, null)]
        [InlineData("10.0.2/24", false, null, 0, null)]
        [InlineData("10.0.2.15/33", false, null, 0, null)]
        [InlineData("10.0.2.15/0", false, null, 0, null)]
        [InlineData("10.0.2.15", false, null, 0, null)]
        [InlineData("10.0.2.15/24,", false, null, 0, null)]
        [InlineData("10.0.2.15/24,10.0.2.2x", false, null, 0, null)]
        [InlineData("010.0.2.15/24", false, null, 0, null)]
        public void StaticSettings_Parse(string text, bool ok, string address, int prefix, string gateway)
        {
            Assert.Equal(ok, IpSettings.TryParseStatic(text, out uint a, out int p, out uint g));
            if (ok)
            {
                Assert.Equal(Parse(address), a);
                Assert.Equal(prefix, p);
                Assert.Equal(Parse(gateway), g);
            }
        }

        private static uint Parse(string dotted)
        {
            int position = 0;
            Assert.True(Ipv4Address.TryParse(dotted, ref position, out uint value));
            return value;
        }
    }
}
