using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// IPv4 (RFC 791) for one interface: checks every received header (version, length, checksum) and drops
    /// fragments (the stack never needs them: TCP uses the MSS, DHCP fits one frame); sends with DF set through
    /// the on-link next hop or the gateway.
    /// </summary>
    public sealed class Ipv4Layer
    {
        public const int HeaderBytes = 20;
        public const int PayloadOffset = Ethernet.HeaderBytes + HeaderBytes;
        public const int MaxPayloadBytes = Ethernet.Mtu - HeaderBytes;
        public const byte ProtocolIcmp = 1;
        public const byte ProtocolTcp = 6;
        public const byte ProtocolUdp = 17;
        private const byte DefaultTtl = 64;

        private readonly NetStack _stack;
        private ushort _identification;

        internal Ipv4Layer(NetStack stack)
        {
            _stack = stack;
        }

        internal void Receive(ReadOnlySpan<byte> packet, bool linkBroadcast)
        {
            NetCounters counters = _stack.Counters;
            if (packet.Length < HeaderBytes)
            {
                counters.Drop(NetDrop.Ipv4Truncated);
                return;
            }
            if ((packet[0] >> 4) != 4)
            {
                counters.Drop(NetDrop.Ipv4BadVersion);
                return;
            }
            int headerLength = (packet[0] & 0xF) * 4;
            if (headerLength < HeaderBytes || headerLength > packet.Length)
            {
                counters.Drop(NetDrop.Ipv4BadHeaderLength);
                return;
            }
            if (!InternetChecksum.Verify(InternetChecksum.Add(0, packet.Slice(0, headerLength))))
            {
                counters.Drop(NetDrop.Ipv4BadChecksum);
                return;
            }
            int totalLength = BigEndian.ReadUInt16(packet, 2);
            if (totalLength < headerLength || totalLength > packet.Length)
            {
                counters.Drop(NetDrop.Ipv4BadLength);
                return;
            }
            // More-fragments set or a fragment offset: one piece of a larger datagram (RFC 791 §3.2).
            if ((BigEndian.ReadUInt16(packet, 6) & 0x3FFF) != 0)
            {
                counters.Drop(NetDrop.Ipv4Fragment);
                return;
            }
            byte protocol = packet[9];
            uint source = BigEndian.ReadUInt32(packet, 12);
            uint destination = BigEndian.ReadUInt32(packet, 16);
            IpSettings ip = _stack.Ip;
            bool broadcast = destination == Ipv4Address.Broadcast
                             || (ip.IsConfigured && ip.PrefixLength < 31 && destination == ip.SubnetBroadcast);
            // Before DHCP has given us an address, UDP to any address may be our lease offer.
            bool unconfiguredUdp = !ip.IsConfigured && protocol == ProtocolUdp;
            bool toUs = (ip.IsConfigured && destination == ip.Address) || broadcast || unconfiguredUdp;
            // RFC 1122 §3.3.6: a link-layer broadcast must carry an IP broadcast.
            if (!toUs || (linkBroadcast && !broadcast && !unconfiguredUdp))
            {
                counters.Drop(NetDrop.Ipv4NotForUs);
                return;
            }
            // RFC 1122 §3.2.1.3: never accept a broadcast, multicast or our own address as source.
            if (Ipv4Address.IsMulticast(source) || source == Ipv4Address.Broadcast
                || (ip.IsConfigured && (source == ip.Address || (ip.PrefixLength < 31 && source == ip.SubnetBroadcast)))
                || (source == 0 && protocol != ProtocolUdp))
            {
                counters.Drop(NetDrop.Ipv4BadSource);
                return;
            }
            ReadOnlySpan<byte> payload = packet.Slice(headerLength, totalLength - headerLength);
            if (protocol == ProtocolTcp)
            {
                _stack.Tcp.Receive(payload, source, destination, broadcast);
            }
            else if (protocol == ProtocolUdp)
            {
                _stack.Udp.Receive(payload, source, destination);
            }
            else if (protocol == ProtocolIcmp)
            {
                Icmp.Receive(_stack, payload, source, broadcast);
            }
            else
            {
                counters.Drop(NetDrop.Ipv4UnknownProtocol);
            }
        }

        /// <summary>
        /// Sends the payloadLength bytes already in <see cref="NetStack.TxPayload"/> to destination. False if
        /// there is no address or no route (counted); queued frames count as sent.
        /// </summary>
        internal bool Send(uint destination, byte protocol, int payloadLength)
        {
            NetCounters counters = _stack.Counters;
            IpSettings ip = _stack.Ip;
            if (payloadLength > MaxPayloadBytes)
            {
                counters.Drop(NetDrop.Ipv4TooLong);
                return false;
            }
            uint nextHop;
            if (destination == Ipv4Address.Broadcast)
            {
                nextHop = Ipv4Address.Broadcast;
            }
            else if (!ip.IsConfigured)
            {
                counters.Drop(NetDrop.Ipv4NoAddress);
                return false;
            }
            else if (ip.PrefixLength < 31 && destination == ip.SubnetBroadcast)
            {
                nextHop = Ipv4Address.Broadcast;
            }
            else if (ip.IsOnLink(destination))
            {
                nextHop = destination;
            }
            else if (ip.Gateway != 0)
            {
                nextHop = ip.Gateway;
            }
            else
            {
                counters.Drop(NetDrop.Ipv4NoRoute);
                return false;
            }

            Span<byte> frame = _stack.TxFrame;
            Ethernet.WriteHeader(frame, 0, _stack.MacAddress, Ethernet.TypeIpv4);
            Span<byte> header = frame.Slice(Ethernet.HeaderBytes, HeaderBytes);
            header[0] = 0x45;
            header[1] = 0;
            BigEndian.WriteUInt16(header, 2, (ushort)(HeaderBytes + payloadLength));
            BigEndian.WriteUInt16(header, 4, _identification++);
            BigEndian.WriteUInt16(header, 6, 0x4000); // DF: the stack never fragments
            header[8] = DefaultTtl;
            header[9] = protocol;
            BigEndian.WriteUInt16(header, 10, 0);
            BigEndian.WriteUInt32(header, 12, ip.Address);
            BigEndian.WriteUInt32(header, 16, destination);
            BigEndian.WriteUInt16(header, 10, InternetChecksum.Finish(InternetChecksum.Add(0, header)));
            _stack.Arp.Send(frame, PayloadOffset + payloadLength, nextHop);
            return true;
        }
    }
}
