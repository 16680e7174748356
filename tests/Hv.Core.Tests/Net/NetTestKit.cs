using System;
using System.Collections.Generic;
using Hv.Core.Net;

namespace Hv.Core.Tests.Net
{
    /// <summary>A NIC that keeps every frame the stack transmits.</summary>
    internal sealed class CapturingDevice : NetworkDevice
    {
        private readonly ulong _mac;
        public readonly List<byte[]> Sent = new List<byte[]>();
        public bool Busy;

        public CapturingDevice(ulong mac)
        {
            _mac = mac;
        }

        public override ulong MacAddress => _mac;

        public override bool Transmit(ReadOnlySpan<byte> frame)
        {
            if (Busy)
            {
                return false;
            }
            Sent.Add(frame.ToArray());
            return true;
        }

        /// <summary>Removes and returns everything sent so far.</summary>
        public List<byte[]> Take()
        {
            var frames = new List<byte[]>(Sent);
            Sent.Clear();
            return frames;
        }
    }

    /// <summary>
    /// Hand-made packets for the tests, written from the RFC layouts independently of the stack's own writers
    /// (including a separate checksum routine), plus a stack under test with a capturing device.
    /// </summary>
    internal static class Packets
    {
        public const ulong OurMac = 0x020000000001;
        public const ulong PeerMac = 0x020000000002;
        public const ulong GatewayMac = 0x0200000000FE;
        public static readonly uint OurIp = Ipv4Address.Make(10, 0, 2, 15);
        public static readonly uint PeerIp = Ipv4Address.Make(10, 0, 2, 2);
        public static readonly uint GatewayIp = Ipv4Address.Make(10, 0, 2, 1);
        public const ulong TicksPerMs = 1000; // one tick per microsecond

        public static readonly byte[] Secret = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

        public static NetStack Stack(out CapturingDevice device, NetConfig config = null, bool configure = true)
        {
            device = new CapturingDevice(OurMac);
            var stack = new NetStack(device, config ?? new NetConfig(), TicksPerMs, Secret);
            if (configure)
            {
                stack.ConfigureStatic(OurIp, 24, GatewayIp);
            }
            stack.Poll(1);
            return stack;
        }

        /// <summary>Teaches the stack the peer's MAC by an ARP request from the peer to us.</summary>
        public static void Introduce(NetStack stack, CapturingDevice device, uint ip = 0, ulong mac = PeerMac)
        {
            stack.Receive(Arp(1, mac, ip == 0 ? PeerIp : ip, 0, OurIp, Ethernet.BroadcastMac));
            device.Take();
        }

        public static ushort Checksum(ReadOnlySpan<byte> data, uint initial = 0)
        {
            uint sum = initial;
            for (int i = 0; i < data.Length; i++)
            {
                sum += (i & 1) == 0 ? (uint)data[i] << 8 : data[i];
            }
            while (sum > 0xFFFF)
            {
                sum = (sum & 0xFFFF) + (sum >> 16);
            }
            return (ushort)~sum;
        }

        private static uint Pseudo(uint source, uint destination, byte protocol, int length)
        {
            return (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;
        }

        private static void Put16(byte[] b, int o, int v)
        {
            b[o] = (byte)(v >> 8);
            b[o + 1] = (byte)v;
        }

        private static void Put32(byte[] b, int o, uint v)
        {
            Put16(b, o, (int)(v >> 16));
            Put16(b, o + 2, (int)v);
        }

        private static void PutMac(byte[] b, int o, ulong mac)
        {
            for (int i = 0; i < 6; i++)
            {
                b[o + i] = (byte)(mac >> (40 - 8 * i));
            }
        }

        public static ushort Get16(byte[] b, int o) => (ushort)((b[o] << 8) | b[o + 1]);
        public static uint Get32(byte[] b, int o) => ((uint)Get16(b, o) << 16) | Get16(b, o + 2);
        public static ulong GetMac(byte[] b, int o)
        {
            ulong mac = 0;
            for (int i = 0; i < 6; i++)
            {
                mac = (mac << 8) | b[o + i];
            }
            return mac;
        }

        public static byte[] EthernetFrame(ulong destination, ulong source, ushort type, byte[] payload)
        {
            var frame = new byte[14 + payload.Length];
            PutMac(frame, 0, destination);
            PutMac(frame, 6, source);
            Put16(frame, 12, type);
            payload.CopyTo(frame, 14);
            return frame;
        }

        /// <summary>An ARP packet (RFC 826) in an Ethernet frame from senderMac.</summary>
        public static byte[] Arp(int op, ulong senderMac, uint senderIp, ulong targetMac, uint targetIp, ulong frameDestination)
        {
            var p = new byte[28];
            Put16(p, 0, 1);
            Put16(p, 2, 0x0800);
            p[4] = 6;
            p[5] = 4;
            Put16(p, 6, op);
            PutMac(p, 8, senderMac);
            Put32(p, 14, senderIp);
            PutMac(p, 18, targetMac);
            Put32(p, 24, targetIp);
            return EthernetFrame(frameDestination, senderMac, 0x0806, p);
        }

        /// <summary>An IPv4 packet (RFC 791) with a correct header checksum.</summary>
        public static byte[] Ipv4(uint source, uint destination, byte protocol, byte[] payload, int flagsAndOffset = 0x4000, int id = 1)
        {
            var p = new byte[20 + payload.Length];
            p[0] = 0x45;
            Put16(p, 2, p.Length);
            Put16(p, 4, id);
            Put16(p, 6, flagsAndOffset);
            p[8] = 64;
            p[9] = protocol;
            Put32(p, 12, source);
            Put32(p, 16, destination);
            Put16(p, 10, Checksum(p.AsSpan(0, 20)));
            payload.CopyTo(p, 20);
            return p;
        }

        public static byte[] IpFrame(uint source, uint destination, byte protocol, byte[] payload, ulong from = PeerMac, ulong to = OurMac)
        {
            return EthernetFrame(to, from, 0x0800, Ipv4(source, destination, protocol, payload));
        }

        public static byte[] Udp(uint source, uint destination, int sourcePort, int destinationPort, byte[] data)
        {
            var d = new byte[8 + data.Length];
            Put16(d, 0, sourcePort);
            Put16(d, 2, destinationPort);
            Put16(d, 4, d.Length);
            data.CopyTo(d, 8);
            ushort sum = Checksum(d, Pseudo(source, destination, 17, d.Length));
            Put16(d, 6, sum == 0 ? 0xFFFF : sum);
            return d;
        }

        public static byte[] Icmp(int type, int code, int id, int sequence, byte[] data)
        {
            var m = new byte[8 + data.Length];
            m[0] = (byte)type;
            m[1] = (byte)code;
            Put16(m, 4, id);
            Put16(m, 6, sequence);
            data.CopyTo(m, 8);
            Put16(m, 2, Checksum(m));
            return m;
        }

        /// <summary>A TCP segment (RFC 9293 §3.1) with a correct checksum; options are raw bytes (padded to 4).</summary>
        public static byte[] Tcp(uint source, uint destination, int sourcePort, int destinationPort, uint seq, uint ack, byte flags,
                                 int window, byte[] data = null, byte[] options = null)
        {
            data ??= Array.Empty<byte>();
            options ??= Array.Empty<byte>();
            int optionBytes = (options.Length + 3) & ~3;
            var s = new byte[20 + optionBytes + data.Length];
            Put16(s, 0, sourcePort);
            Put16(s, 2, destinationPort);
            Put32(s, 4, seq);
            Put32(s, 8, ack);
            s[12] = (byte)(((20 + optionBytes) / 4) << 4);
            s[13] = flags;
            Put16(s, 14, window);
            options.CopyTo(s, 20);
            data.CopyTo(s, 20 + optionBytes);
            Put16(s, 16, Checksum(s, Pseudo(source, destination, 6, s.Length)));
            return s;
        }

        public static byte[] MssOption(int mss) => new byte[] { 2, 4, (byte)(mss >> 8), (byte)mss };

        /// <summary>A parsed view of a frame the stack sent.</summary>
        public sealed class Sent
        {
            public byte[] Frame;
            public ulong Destination => GetMac(Frame, 0);
            public ushort EtherType => Get16(Frame, 12);
            public int IpLength => Get16(Frame, 16);
            public byte Protocol => Frame[23];
            public uint IpSource => Get32(Frame, 26);
            public uint IpDestination => Get32(Frame, 30);
            public int Ihl => (Frame[14] & 0xF) * 4;
            public byte[] IpPayload => Frame.AsSpan(14 + Ihl, IpLength - Ihl).ToArray();
            // TCP fields (RFC 9293 §3.1 offsets within the segment).
            public byte[] Segment => IpPayload;
            public ushort SourcePort => Get16(Segment, 0);
            public ushort DestinationPort => Get16(Segment, 2);
            public uint Seq => Get32(Segment, 4);
            public uint Ack => Get32(Segment, 8);
            public int DataOffset => (Segment[12] >> 4) * 4;
            public byte Flags => Segment[13];
            public ushort Window => Get16(Segment, 14);
            public byte[] Data => Segment.AsSpan(DataOffset).ToArray();
            public bool Has(byte flag) => (Flags & flag) != 0;

            public bool ChecksumsValid
            {
                get
                {
                    if (Checksum(Frame.AsSpan(14, Ihl)) != 0)
                    {
                        return false;
                    }
                    byte[] payload = IpPayload;
                    return Protocol == 1 ? Checksum(payload) == 0
                        : Checksum(payload, Pseudo(IpSource, IpDestination, Protocol, payload.Length)) == 0;
                }
            }
        }

        public static Sent View(byte[] frame) => new Sent { Frame = frame };
    }
}
