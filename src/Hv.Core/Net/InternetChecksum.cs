using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. A
    /// block that carries its own correct checksum sums to 0xFFFF, so <see cref="Verify"/> is "fold == 0xFFFF".
    /// UDP and TCP add a pseudo-header of addresses, protocol and length (RFC 768, RFC 9293 §3.1).
    /// </summary>
    public static class InternetChecksum
    {
        /// <summary>Adds the bytes to a running 32-bit sum (an odd last byte is padded with zero, RFC 1071 §4.1).</summary>
        public static uint Add(uint sum, ReadOnlySpan<byte> data)
        {
            int i = 0;
            for (; i + 1 < data.Length; i += 2)
            {
                sum += (uint)((data[i] << 8) | data[i + 1]);
            }
            if (i < data.Length)
            {
                sum += (uint)(data[i] << 8);
            }
            return Fold(sum);
        }

        /// <summary>The pseudo-header's sum for UDP/TCP over IPv4.</summary>
        public static uint PseudoHeader(uint source, uint destination, byte protocol, int length)
        {
            uint sum = (source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF);
            sum += protocol;
            sum += (uint)length;
            return Fold(sum);
        }

        /// <summary>Folds the carries back in: the result fits 16 bits.</summary>
        public static uint Fold(uint sum)
        {
            while ((sum >> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >> 16);
            }
            return sum;
        }

        /// <summary>The checksum field's value for a block whose running sum (with the field zero) is sum.</summary>
        public static ushort Finish(uint sum)
        {
            return (ushort)~Fold(sum);
        }

        /// <summary>True if a block including its checksum field sums correctly.</summary>
        public static bool Verify(uint sum)
        {
            return Fold(sum) == 0xFFFF;
        }
    }
}
