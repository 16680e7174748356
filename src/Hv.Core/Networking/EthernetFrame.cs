using System;

namespace Hv.Core.Networking
{
    /// <summary>
    /// Ethernet II framing as the switch sees it (IEEE 802.3, clause 3): destination MAC, source MAC, then
    /// EtherType and payload; no preamble and no FCS (a virtual wire has no bit errors to check). A MAC address
    /// is held in a ulong with the first octet on the wire as its most significant byte, the convention of
    /// VirtualMachine.MacAddress: 02:00:00:00:00:01 is 0x020000000001.
    /// </summary>
    public static class EthernetFrame
    {
        public const int HeaderLength = 14;
        /// <summary>14-byte header, 1500-byte payload and a 4-byte 802.1Q tag: Linux's GOOD_PACKET_LEN.</summary>
        public const int MaxLength = 1518;
        public const ulong Broadcast = 0xFFFFFFFFFFFFUL;
        private const int DestinationOffset = 0;
        private const int SourceOffset = 6;
        /// <summary>The I/G bit: the least significant bit of the first octet marks a group (multicast/broadcast) address.</summary>
        private const ulong GroupBit = 1UL << 40;

        public static ulong Destination(ReadOnlySpan<byte> frame)
        {
            return ReadMac(frame, DestinationOffset);
        }

        public static ulong Source(ReadOnlySpan<byte> frame)
        {
            return ReadMac(frame, SourceOffset);
        }

        public static bool IsGroup(ulong mac)
        {
            return (mac & GroupBit) != 0;
        }

        /// <summary>The 6-byte address at <paramref name="offset"/>, first octet most significant.</summary>
        public static ulong ReadMac(ReadOnlySpan<byte> bytes, int offset)
        {
            ulong mac = 0;
            for (int i = 0; i < 6; i++)
            {
                mac = (mac << 8) | bytes[offset + i];
            }
            return mac;
        }

        /// <summary>Octet <paramref name="index"/> (0 = first on the wire) of <paramref name="mac"/>.</summary>
        public static byte MacOctet(ulong mac, int index)
        {
            return (byte)(mac >> ((5 - index) * 8));
        }
    }
}
