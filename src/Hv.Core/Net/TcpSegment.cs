using System;

namespace Hv.Core.Net
{
    /// <summary>TCP header control bits (RFC 9293 §3.1).</summary>
    public static class TcpFlags
    {
        public const byte Fin = 0x01;
        public const byte Syn = 0x02;
        public const byte Rst = 0x04;
        public const byte Psh = 0x08;
        public const byte Ack = 0x10;
        public const byte Urg = 0x20;
    }

    /// <summary>One received TCP segment, checked and parsed (RFC 9293 §3.1); Payload points into the frame.</summary>
    public ref struct TcpSegment
    {
        public const int HeaderBytes = 20;
        private const byte OptionEnd = 0;
        private const byte OptionNop = 1;
        private const byte OptionMss = 2;

        public ushort SourcePort;
        public ushort DestinationPort;
        public uint Sequence;
        public uint Acknowledgment;
        public byte Flags;
        public ushort Window;
        /// <summary>The MSS option's value, 0 if absent.</summary>
        public ushort Mss;
        public ReadOnlySpan<byte> Payload;

        public bool Has(byte flag)
        {
            return (Flags & flag) != 0;
        }

        /// <summary>SEG.LEN: payload bytes plus one each for SYN and FIN.</summary>
        public int Length
        {
            get { return Payload.Length + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0); }
        }

        /// <summary>Checks length, data offset, checksum (with the pseudo-header), ports and options.</summary>
        public static bool TryParse(ReadOnlySpan<byte> data, uint source, uint destination, out TcpSegment segment, out NetDrop reason)
        {
            segment = new TcpSegment();
            reason = NetDrop.Count;
            if (data.Length < HeaderBytes)
            {
                reason = NetDrop.TcpTruncated;
                return false;
            }
            int dataOffset = (data[12] >> 4) * 4;
            if (dataOffset < HeaderBytes || dataOffset > data.Length)
            {
                reason = NetDrop.TcpBadHeaderLength;
                return false;
            }
            uint sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Layer.ProtocolTcp, data.Length);
            if (!InternetChecksum.Verify(InternetChecksum.Add(sum, data)))
            {
                reason = NetDrop.TcpBadChecksum;
                return false;
            }
            segment.SourcePort = BigEndian.ReadUInt16(data, 0);
            segment.DestinationPort = BigEndian.ReadUInt16(data, 2);
            if (segment.SourcePort == 0 || segment.DestinationPort == 0)
            {
                reason = NetDrop.TcpBadPort;
                return false;
            }
            segment.Sequence = BigEndian.ReadUInt32(data, 4);
            segment.Acknowledgment = BigEndian.ReadUInt32(data, 8);
            segment.Flags = (byte)(data[13] & 0x3F);
            segment.Window = BigEndian.ReadUInt16(data, 14);
            segment.Payload = data.Slice(dataOffset);
            // RFC 9293 §3.1 options: kind, length (counting both), value; a bad length must not crash us.
            int p = HeaderBytes;
            while (p < dataOffset)
            {
                byte kind = data[p];
                if (kind == OptionEnd)
                {
                    break;
                }
                if (kind == OptionNop)
                {
                    p++;
                    continue;
                }
                if (p + 1 >= dataOffset || data[p + 1] < 2 || p + data[p + 1] > dataOffset
                    || (kind == OptionMss && data[p + 1] != 4))
                {
                    reason = NetDrop.TcpBadOptions;
                    return false;
                }
                if (kind == OptionMss)
                {
                    segment.Mss = BigEndian.ReadUInt16(data, p + 2);
                }
                p += data[p + 1];
            }
            return true;
        }
    }
}
