namespace Hv.Protocol.Wire
{
    /// <summary>
    /// Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): rewrites a block so it contains no 0x00,
    /// which then delimits frames. Each block starts with a code byte c: c-1 data bytes follow, then an implied
    /// 0x00 unless c == 0xFF or it is the last block. Overhead is one byte per 254 data bytes, plus one.
    /// </summary>
    public static class Cobs
    {
        /// <summary>Largest encoded size of <paramref name="length"/> data bytes (without delimiters).</summary>
        public static int MaxEncodedLength(int length)
        {
            return length + length / 254 + 1;
        }

        /// <summary>
        /// Encodes src[srcOffset..+count) into dst at dstOffset (no delimiters). Returns the encoded length, or
        /// -1 if dst is too small.
        /// </summary>
        public static int Encode(byte[] src, int srcOffset, int count, byte[] dst, int dstOffset)
        {
            CobsWriter writer = new CobsWriter();
            writer.Begin(dst, dstOffset, dst.Length - dstOffset);
            for (int i = 0; i < count; i++)
            {
                writer.Put(src[srcOffset + i]);
            }
            return writer.End();
        }

        /// <summary>
        /// Decodes one COBS block (no delimiters, must contain no 0x00) into dst. Returns the decoded length, or
        /// -1 if the input is malformed (a 0x00, a block cut short) or dst is too small.
        /// </summary>
        public static int Decode(byte[] src, int srcOffset, int count, byte[] dst, int dstOffset)
        {
            int written = 0;
            int remaining = 0;
            int code = 0xFF;
            bool first = true;
            int capacity = dst.Length - dstOffset;
            for (int i = 0; i < count; i++)
            {
                byte b = src[srcOffset + i];
                if (b == 0)
                {
                    return -1;
                }
                if (remaining == 0)
                {
                    if (!first && code != 0xFF)
                    {
                        if (written >= capacity)
                        {
                            return -1;
                        }
                        dst[dstOffset + written++] = 0;
                    }
                    first = false;
                    code = b;
                    remaining = b - 1;
                }
                else
                {
                    if (written >= capacity)
                    {
                        return -1;
                    }
                    dst[dstOffset + written++] = b;
                    remaining--;
                }
            }
            if (remaining != 0)
            {
                return -1;
            }
            return written;
        }
    }

    /// <summary>
    /// Streaming COBS encoder into a caller's buffer, so a frame can be encoded while it is being checksummed
    /// without a second buffer. Begin, Put each byte, End. Reusable; allocates nothing.
    /// </summary>
    public sealed class CobsWriter
    {
        private byte[] _dst;
        private int _start;
        private int _limit;
        private int _pos;
        private int _codeIndex;
        private int _code;
        private bool _overflow;

        public void Begin(byte[] dst, int offset, int capacity)
        {
            _dst = dst;
            _start = offset;
            _limit = offset + capacity;
            _overflow = false;
            _codeIndex = offset;
            _pos = offset + 1;
            _code = 1;
            if (_codeIndex >= _limit)
            {
                _overflow = true;
            }
        }

        public void Put(byte b)
        {
            if (b == 0)
            {
                FinishBlock();
                return;
            }
            if (_pos < _limit)
            {
                _dst[_pos] = b;
            }
            else
            {
                _overflow = true;
            }
            _pos++;
            _code++;
            if (_code == 0xFF)
            {
                FinishBlock();
            }
        }

        public void Put(byte[] data, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                Put(data[offset + i]);
            }
        }

        /// <summary>Closes the last block; returns the encoded length, or -1 if the buffer was too small.</summary>
        public int End()
        {
            if (_codeIndex < _limit)
            {
                _dst[_codeIndex] = (byte)_code;
            }
            else
            {
                _overflow = true;
            }
            if (_overflow)
            {
                return -1;
            }
            return _pos - _start;
        }

        private void FinishBlock()
        {
            if (_codeIndex < _limit)
            {
                _dst[_codeIndex] = (byte)_code;
            }
            else
            {
                _overflow = true;
            }
            _codeIndex = _pos;
            _pos++;
            _code = 1;
        }
    }
}
