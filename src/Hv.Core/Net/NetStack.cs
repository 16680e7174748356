using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// The TCP/IP stack for one interface: Ethernet II, ARP, IPv4, ICMP echo, UDP, a DHCP client and TCP. Poll-driven
    /// and single-threaded: the driver hands each received frame to <see cref="Receive"/>, the host loop calls
    /// <see cref="Poll"/> with the TSC now and then (timers), and the application uses <see cref="Tcp"/>'s
    /// listeners and connections. Every buffer and pool is allocated here; nothing allocates per packet.
    /// </summary>
    public sealed class NetStack
    {
        private readonly NetworkDevice _device;
        private readonly ulong _ticksPerMs;
        private readonly byte[] _tx = new byte[Ethernet.MaxFrameBytes];
        private ulong _now;

        public readonly NetConfig Config;
        public readonly NetCounters Counters = new NetCounters();
        public readonly IpSettings Ip = new IpSettings();
        public readonly ulong MacAddress;
        public readonly ArpLayer Arp;
        public readonly Ipv4Layer Ipv4;
        public readonly UdpLayer Udp;
        public readonly DhcpClient Dhcp;
        public readonly TcpLayer Tcp;
        internal readonly NetRandom Random;

        /// <param name="secret">At least 16 random bytes from the host's entropy (keys ISNs, ports and DHCP ids).</param>
        public NetStack(NetworkDevice device, NetConfig config, ulong ticksPerMs, byte[] secret)
        {
            _device = device;
            _ticksPerMs = ticksPerMs == 0 ? 1 : ticksPerMs;
            Config = config;
            MacAddress = device.MacAddress;
            Random = new NetRandom(secret);
            Arp = new ArpLayer(this);
            Ipv4 = new Ipv4Layer(this);
            Udp = new UdpLayer(this);
            Dhcp = new DhcpClient(this);
            Tcp = new TcpLayer(this);
        }

        /// <summary>The TSC value of the last <see cref="Poll"/>.</summary>
        public ulong Now { get { return _now; } }

        public ulong TicksPerMs { get { return _ticksPerMs; } }

        /// <summary>Static configuration (hv.ip=ADDR/PREFIX,GATEWAY); stops DHCP.</summary>
        public void ConfigureStatic(uint address, int prefixLength, uint gateway)
        {
            Dhcp.Stop();
            Ip.Set(address, prefixLength, gateway, IpSource.Static);
        }

        /// <summary>Forgets any address and asks DHCP for one (RFC 2131 INIT state).</summary>
        public void StartDhcp()
        {
            Ip.Clear();
            Dhcp.Start();
        }

        /// <summary>The driver's entry for one received Ethernet II frame (without FCS).</summary>
        public void Receive(ReadOnlySpan<byte> frame)
        {
            Counters.Count(NetStat.FramesReceived);
            if (frame.Length < Ethernet.HeaderBytes)
            {
                Counters.Drop(NetDrop.EthernetTruncated);
                return;
            }
            if (frame.Length > Ethernet.MaxFrameBytes)
            {
                Counters.Drop(NetDrop.EthernetTooLong);
                return;
            }
            ulong destination = BigEndian.ReadMac(frame, 0);
            ulong source = BigEndian.ReadMac(frame, 6);
            bool broadcast = destination == Ethernet.BroadcastMac;
            if (destination != MacAddress && !broadcast)
            {
                Counters.Drop(NetDrop.EthernetNotForUs);
                return;
            }
            if (Ethernet.IsGroup(source) || source == 0)
            {
                Counters.Drop(NetDrop.EthernetBadSource);
                return;
            }
            ushort type = BigEndian.ReadUInt16(frame, 12);
            ReadOnlySpan<byte> payload = frame.Slice(Ethernet.HeaderBytes);
            if (type == Ethernet.TypeIpv4)
            {
                Ipv4.Receive(payload, broadcast);
            }
            else if (type == Ethernet.TypeArp)
            {
                Arp.Receive(payload);
            }
            else
            {
                Counters.Drop(NetDrop.EthernetUnknownType);
            }
        }

        /// <summary>Runs the timers (ARP, DHCP, TCP) at TSC time now. Call it often: every loop of the host.</summary>
        public void Poll(ulong now)
        {
            if (now > _now)
            {
                _now = now;
            }
            Arp.Poll();
            Dhcp.Poll();
            Tcp.Poll();
        }

        internal ulong TicksFromMs(long ms)
        {
            return (ulong)ms * _ticksPerMs;
        }

        /// <summary>The outgoing frame under construction; IPv4 payload starts at <see cref="Ipv4Layer.PayloadOffset"/>.</summary>
        internal byte[] TxFrame { get { return _tx; } }

        internal Span<byte> TxPayload { get { return new Span<byte>(_tx, Ipv4Layer.PayloadOffset, Ipv4Layer.MaxPayloadBytes); } }

        /// <summary>Hands a finished frame to the device, padded to the 60-byte minimum (IEEE 802.3 §4.2.3.3).</summary>
        internal void Transmit(Span<byte> frame, int length)
        {
            while (length < 60)
            {
                frame[length++] = 0;
            }
            if (!_device.Transmit(frame.Slice(0, length)))
            {
                Counters.Drop(NetDrop.DeviceBusy);
                return;
            }
            Counters.Count(NetStat.FramesSent);
        }
    }
}
