namespace Hv.Core.Net
{
    /// <summary>IPv4 addresses as uint in host order (10.0.2.15 = 0x0A00020F); classification and text parsing.</summary>
    public static class Ipv4Address
    {
        public const uint Any = 0;
        public const uint Broadcast = 0xFFFFFFFF;

        public static uint Make(int a, int b, int c, int d)
        {
            return ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | (uint)d;
        }

        /// <summary>Class D, 224.0.0.0/4 (RFC 5771).</summary>
        public static bool IsMulticast(uint address)
        {
            return (address >> 28) == 0xE;
        }

        public static uint MaskFromPrefix(int prefixLength)
        {
            return prefixLength <= 0 ? 0 : prefixLength >= 32 ? 0xFFFFFFFF : ~(0xFFFFFFFFu >> prefixLength);
        }

        /// <summary>Parses a dotted quad starting at text[position]; advances position past it.</summary>
        public static bool TryParse(string text, ref int position, out uint address)
        {
            address = 0;
            for (int part = 0; part < 4; part++)
            {
                if (part > 0)
                {
                    if (position >= text.Length || text[position] != '.')
                    {
                        return false;
                    }
                    position++;
                }
                int value;
                if (!TryParseDecimal(text, ref position, 255, out value))
                {
                    return false;
                }
                address = (address << 8) | (uint)value;
            }
            return true;
        }

        /// <summary>Parses 1 to 3 decimal digits no greater than max; no leading zero (which some parsers read as octal).</summary>
        public static bool TryParseDecimal(string text, ref int position, int max, out int value)
        {
            value = 0;
            int digits = 0;
            if (position + 1 < text.Length && text[position] == '0' && text[position + 1] >= '0' && text[position + 1] <= '9')
            {
                return false;
            }
            while (position < text.Length && text[position] >= '0' && text[position] <= '9' && digits < 3)
            {
                value = value * 10 + (text[position] - '0');
                position++;
                digits++;
            }
            return digits > 0 && value <= max && !(position < text.Length && text[position] >= '0' && text[position] <= '9');
        }
    }
}
