using System;

namespace Hv.Core.Net
{
    /// <summary>Ethernet II framing (IEEE 802.3 clause 3.2.6 with EtherType): destination, source, type.</summary>
    public static class Ethernet
    {
        public const int HeaderBytes = 14;
        public const int Mtu = 1500;
        public const int MaxFrameBytes = HeaderBytes + Mtu;
        public const ushort TypeIpv4 = 0x0800;
        public const ushort TypeArp = 0x0806;
        public const ulong BroadcastMac = 0xFFFFFFFFFFFF;

        /// <summary>The group bit (I/G, the low bit of the first octet): multicast and broadcast destinations.</summary>
        public static bool IsGroup(ulong mac)
        {
            return (mac & 0x010000000000UL) != 0;
        }

        public static void WriteHeader(Span<byte> frame, ulong destination, ulong source, ushort type)
        {
            BigEndian.WriteMac(frame, 0, destination);
            BigEndian.WriteMac(frame, 6, source);
            BigEndian.WriteUInt16(frame, 12, type);
        }
    }
}
