namespace Hv.Crypto
{
    /// <summary>
    /// The 32-byte host key as text: 64 hex digits, optionally grouped with '-', ':' or spaces (so a pairing
    /// code printed as 8 groups of 8 can be typed back as printed). Used by the kernel (GRUB command line,
    /// printing a generated key) and by the client.
    /// </summary>
    public static class HostKey
    {
        public const int Bytes = 32;

        /// <summary>Length of <see cref="Format"/>'s output: 8 groups of 8 hex digits joined by '-'.</summary>
        public const int FormattedChars = 71;

        private static int HexValue(int c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }
            return -1;
        }

        private static bool IsSeparator(int c)
        {
            return c == '-' || c == ':' || c == ' ' || c == '_';
        }

        /// <summary>Parses ASCII text bytes (e.g. the GRUB command-line value) into key[0..32).</summary>
        public static bool TryParse(byte[] text, int offset, int count, byte[] key)
        {
            int digits = 0;
            for (int i = 0; i < count; i++)
            {
                if (!Take(text[offset + i], key, ref digits))
                {
                    return false;
                }
            }
            return digits == 2 * Bytes;
        }

        public static bool TryParse(string text, byte[] key)
        {
            if (text == null)
            {
                return false;
            }
            int digits = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (!Take(text[i], key, ref digits))
                {
                    return false;
                }
            }
            return digits == 2 * Bytes;
        }

        // One character of key text: separators are skipped, a hex digit fills the next nibble; false for anything
        // else or for a digit past the 64th.
        private static bool Take(int c, byte[] key, ref int digits)
        {
            if (IsSeparator(c))
            {
                return true;
            }
            int v = HexValue(c);
            if (v < 0 || digits >= 2 * Bytes)
            {
                return false;
            }
            if ((digits & 1) == 0)
            {
                key[digits >> 1] = (byte)(v << 4);
            }
            else
            {
                key[digits >> 1] = (byte)(key[digits >> 1] | v);
            }
            digits++;
            return true;
        }

        /// <summary>Length of <see cref="FormatFingerprint"/>'s output: 8 hex digits.</summary>
        public const int FingerprintChars = 8;

        /// <summary>
        /// Writes the first 4 bytes of SHA-256(key) as 8 lower-case hex digits into dst[offset..]: enough for a person
        /// to tell which key a host has, without revealing it (what the log shows instead of the key).
        /// </summary>
        public static void FormatFingerprint(byte[] key, char[] dst, int offset)
        {
            byte[] hash = new byte[Sha256.HashBytes];
            Sha256 sha = new Sha256();
            sha.Update(key, 0, Bytes);
            sha.Finish(hash, 0);
            for (int i = 0; i < FingerprintChars / 2; i++)
            {
                dst[offset + 2 * i] = HexDigit(hash[i] >> 4);
                dst[offset + 2 * i + 1] = HexDigit(hash[i] & 0xF);
            }
        }

        private static char HexDigit(int v)
        {
            return (char)(v < 10 ? '0' + v : 'a' + v - 10);
        }

        /// <summary>Writes the key as "xxxxxxxx-xxxxxxxx-..." (lower-case, 71 chars) into dst[offset..].</summary>
        public static void Format(byte[] key, char[] dst, int offset)
        {
            int p = offset;
            for (int i = 0; i < Bytes; i++)
            {
                if (i > 0 && (i & 3) == 0)
                {
                    dst[p++] = '-';
                }
                dst[p++] = HexDigit(key[i] >> 4);
                dst[p++] = HexDigit(key[i] & 0xF);
            }
        }
    }
}
