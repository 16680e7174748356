namespace Hv.Core.Text
{
    /// <summary>
    /// A character output (serial port, screen, buffer). The image has no int.ToString() or string
    /// formatting, so numbers are rendered here digit by digit straight into the sink, allocating nothing.
    /// </summary>
    public abstract class TextSink
    {
        public abstract void Write(char c);

        public void Write(string text)
        {
            if (text == null)
            {
                return;
            }
            for (int i = 0; i < text.Length; i++)
            {
                Write(text[i]);
            }
        }

        public void WriteLine()
        {
            Write('\n');
        }

        public void WriteLine(string text)
        {
            Write(text);
            Write('\n');
        }

        public void WriteDecimal(long value)
        {
            if (value < 0)
            {
                Write('-');
                // Negate in unsigned arithmetic so long.MinValue does not overflow.
                WriteDecimal(unchecked(0UL - (ulong)value));
                return;
            }
            WriteDecimal((ulong)value);
        }

        public void WriteDecimal(ulong value)
        {
            // 20 digits hold ulong.MaxValue (18446744073709551615).
            ulong divisor = 1;
            int digits = 1;
            while (digits < 20 && value / divisor >= 10)
            {
                divisor *= 10;
                digits++;
            }
            while (digits > 0)
            {
                Write((char)('0' + (int)(value / divisor % 10)));
                divisor /= 10;
                digits--;
            }
        }

        /// <summary>Writes "0x" then at least <paramref name="minDigits"/> upper-case hex digits.</summary>
        public void WriteHex(ulong value, int minDigits)
        {
            Write('0');
            Write('x');
            WriteHexDigits(value, minDigits);
        }

        /// <summary>Hex digits without a prefix, zero-padded to <paramref name="minDigits"/> (max 16).</summary>
        public void WriteHexDigits(ulong value, int minDigits)
        {
            int digits = 1;
            while (digits < 16 && (value >> (digits * 4)) != 0)
            {
                digits++;
            }
            if (minDigits > 16)
            {
                minDigits = 16;
            }
            if (digits < minDigits)
            {
                digits = minDigits;
            }
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                int nibble = (int)((value >> shift) & 0xF);
                Write(nibble < 10 ? (char)('0' + nibble) : (char)('A' + nibble - 10));
            }
        }

        /// <summary>
        /// A byte count in the largest binary unit that divides it exactly ("640 KiB", "511 MiB"), so
        /// memory-map figures are never rounded into something misleading; otherwise plain bytes.
        /// </summary>
        public void WriteSize(ulong bytes)
        {
            const ulong KiB = 1024;
            if (bytes != 0 && bytes % (KiB * KiB * KiB * KiB) == 0)
            {
                WriteDecimal(bytes / (KiB * KiB * KiB * KiB));
                Write(" TiB");
            }
            else if (bytes != 0 && bytes % (KiB * KiB * KiB) == 0)
            {
                WriteDecimal(bytes / (KiB * KiB * KiB));
                Write(" GiB");
            }
            else if (bytes != 0 && bytes % (KiB * KiB) == 0)
            {
                WriteDecimal(bytes / (KiB * KiB));
                Write(" MiB");
            }
            else if (bytes != 0 && bytes % KiB == 0)
            {
                WriteDecimal(bytes / KiB);
                Write(" KiB");
            }
            else
            {
                WriteDecimal(bytes);
                Write(" B");
            }
        }
    }
}
