using System;

namespace Hv.Core.Net
{
    /// <summary>The DHCP message types of RFC 2132 §9.6.</summary>
    public enum DhcpMessageType
    {
        None = 0,
        Discover = 1,
        Offer = 2,
        Request = 3,
        Decline = 4,
        Ack = 5,
        Nak = 6,
        Release = 7,
    }

    /// <summary>
    /// A DHCP message (RFC 2131 §2, options RFC 2132) read from a server or written by the client. Parse checks
    /// every length against the bytes given and keeps only the fields the client uses.
    /// </summary>
    public struct DhcpMessage
    {
        public const int FixedBytes = 236;
        public const int OptionsOffset = FixedBytes + 4;
        /// <summary>BOOTP's minimum message (RFC 1542 §2.1); some servers ignore shorter ones.</summary>
        public const int MinimumBytes = 300;
        public const ushort ServerPort = 67;
        public const ushort ClientPort = 68;
        public const uint MagicCookie = 0x63825363;
        public const uint Infinite = 0xFFFFFFFF;

        private const byte OptionPad = 0;
        private const byte OptionSubnetMask = 1;
        private const byte OptionRouter = 3;
        private const byte OptionRequestedAddress = 50;
        private const byte OptionLeaseTime = 51;
        private const byte OptionMessageType = 53;
        private const byte OptionServerId = 54;
        private const byte OptionParameterList = 55;
        private const byte OptionRenewalTime = 58;
        private const byte OptionRebindingTime = 59;
        private const byte OptionEnd = 255;

        public DhcpMessageType Type;
        public uint TransactionId;
        public ulong ClientMac;
        public uint YourAddress;
        public uint ServerId;
        public uint SubnetMask;
        public uint Router;
        /// <summary>Seconds; 0 if absent, <see cref="Infinite"/> for a lease that never ends.</summary>
        public uint LeaseSeconds;
        public uint RenewalSeconds;
        public uint RebindingSeconds;

        /// <summary>Reads a BOOTREPLY; false if anything is out of bounds or malformed.</summary>
        public static bool TryParse(ReadOnlySpan<byte> data, out DhcpMessage message)
        {
            message = new DhcpMessage();
            if (data.Length < OptionsOffset || data[0] != 2 || data[1] != 1 || data[2] != 6
                || BigEndian.ReadUInt32(data, FixedBytes) != MagicCookie)
            {
                return false;
            }
            message.TransactionId = BigEndian.ReadUInt32(data, 4);
            message.YourAddress = BigEndian.ReadUInt32(data, 16);
            message.ClientMac = BigEndian.ReadMac(data, 28);
            int p = OptionsOffset;
            while (p < data.Length)
            {
                byte code = data[p];
                if (code == OptionPad)
                {
                    p++;
                    continue;
                }
                if (code == OptionEnd)
                {
                    break;
                }
                if (p + 2 > data.Length || p + 2 + data[p + 1] > data.Length)
                {
                    return false;
                }
                int length = data[p + 1];
                ReadOnlySpan<byte> value = data.Slice(p + 2, length);
                if (!message.Take(code, value))
                {
                    return false;
                }
                p += 2 + length;
            }
            return message.Type != DhcpMessageType.None;
        }

        // One option; false if a known option has the wrong length (RFC 2132 fixes them).
        private bool Take(byte code, ReadOnlySpan<byte> value)
        {
            switch (code)
            {
                case OptionMessageType:
                    if (value.Length != 1 || value[0] < 1 || value[0] > 7)
                    {
                        return false;
                    }
                    Type = (DhcpMessageType)value[0];
                    return true;
                case OptionRouter:
                    if (value.Length < 4 || (value.Length & 3) != 0)
                    {
                        return false;
                    }
                    Router = BigEndian.ReadUInt32(value, 0);
                    return true;
                case OptionSubnetMask:
                case OptionServerId:
                case OptionLeaseTime:
                case OptionRenewalTime:
                case OptionRebindingTime:
                    if (value.Length != 4)
                    {
                        return false;
                    }
                    uint word = BigEndian.ReadUInt32(value, 0);
                    if (code == OptionSubnetMask)
                    {
                        SubnetMask = word;
                    }
                    else if (code == OptionServerId)
                    {
                        ServerId = word;
                    }
                    else if (code == OptionLeaseTime)
                    {
                        LeaseSeconds = word;
                    }
                    else if (code == OptionRenewalTime)
                    {
                        RenewalSeconds = word;
                    }
                    else
                    {
                        RebindingSeconds = word;
                    }
                    return true;
                default:
                    return true;
            }
        }

        /// <summary>
        /// Writes a BOOTREQUEST of the given type into data (at least <see cref="MinimumBytes"/> long); returns its
        /// length. requested and server are added as options 50 and 54 when non-zero; ciaddr is clientAddress.
        /// </summary>
        public static int Write(Span<byte> data, DhcpMessageType type, uint transactionId, ulong clientMac,
                                uint clientAddress, uint requested, uint server)
        {
            for (int i = 0; i < MinimumBytes; i++)
            {
                data[i] = 0;
            }
            data[0] = 1; // BOOTREQUEST
            data[1] = 1; // Ethernet
            data[2] = 6;
            BigEndian.WriteUInt32(data, 4, transactionId);
            // RFC 2131 §4.1: set BROADCAST while we cannot yet receive unicast to the offered address.
            BigEndian.WriteUInt16(data, 10, clientAddress == 0 ? (ushort)0x8000 : (ushort)0);
            BigEndian.WriteUInt32(data, 12, clientAddress);
            BigEndian.WriteMac(data, 28, clientMac);
            BigEndian.WriteUInt32(data, FixedBytes, MagicCookie);
            int p = OptionsOffset;
            data[p++] = OptionMessageType;
            data[p++] = 1;
            data[p++] = (byte)type;
            if (requested != 0)
            {
                p = WriteAddressOption(data, p, OptionRequestedAddress, requested);
            }
            if (server != 0)
            {
                p = WriteAddressOption(data, p, OptionServerId, server);
            }
            data[p++] = OptionParameterList;
            data[p++] = 5;
            data[p++] = OptionSubnetMask;
            data[p++] = OptionRouter;
            data[p++] = OptionLeaseTime;
            data[p++] = OptionRenewalTime;
            data[p++] = OptionRebindingTime;
            data[p++] = OptionEnd;
            return p < MinimumBytes ? MinimumBytes : p;
        }

        private static int WriteAddressOption(Span<byte> data, int p, byte code, uint address)
        {
            data[p] = code;
            data[p + 1] = 4;
            BigEndian.WriteUInt32(data, p + 2, address);
            return p + 6;
        }
    }
}
