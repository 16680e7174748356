namespace Hv.Protocol.Wire
{
    /// <summary>
    /// Appends message fields to a caller's buffer: bytes, LEB128 varints (zigzag for signed), length-prefixed
    /// byte blocks and UTF-8 strings. Writing past the limit sets <see cref="Overflow"/> and writes nothing
    /// more, so a sequence of writes is checked once at the end. Reusable; allocates nothing.
    /// </summary>
    public sealed class MessageWriter
    {
        private byte[] _buffer;
        private int _start;
        private int _pos;
        private int _limit;
        private bool _overflow;

        public MessageWriter()
        {
        }

        public MessageWriter(byte[] buffer)
        {
            Reset(buffer, 0, buffer.Length);
        }

        /// <summary>Writes into buffer[offset .. offset+capacity).</summary>
        public void Reset(byte[] buffer, int offset, int capacity)
        {
            _buffer = buffer;
            _start = offset;
            _pos = offset;
            _limit = offset + capacity;
            _overflow = false;
        }

        public byte[] Buffer { get { return _buffer; } }

        /// <summary>Absolute index of the next byte in <see cref="Buffer"/>.</summary>
        public int Position { get { return _pos; } }

        /// <summary>Bytes written since Reset.</summary>
        public int Length { get { return _pos - _start; } }

        public int Remaining { get { return _limit - _pos; } }

        public bool Overflow { get { return _overflow; } }

        /// <summary>Moves back to an earlier position (to drop a partly written entry).</summary>
        public void Truncate(int position)
        {
            if (position >= _start && position <= _pos)
            {
                _pos = position;
                _overflow = false;
            }
        }

        public void WriteByte(byte value)
        {
            if (_overflow || _pos >= _limit)
            {
                _overflow = true;
                return;
            }
            _buffer[_pos++] = value;
        }

        public void WriteBool(bool value)
        {
            WriteByte(value ? (byte)1 : (byte)0);
        }

        /// <summary>Unsigned LEB128: 7 bits per byte, low first, bit 7 = more. 1 byte below 128, at most 10.</summary>
        public void WriteVarUInt(ulong value)
        {
            while (value >= 0x80)
            {
                WriteByte((byte)((value & 0x7F) | 0x80));
                value >>= 7;
            }
            WriteByte((byte)value);
        }

        /// <summary>Signed as zigzag (0, -1, 1, -2 → 0, 1, 2, 3) then LEB128.</summary>
        public void WriteVarInt(long value)
        {
            WriteVarUInt(unchecked((ulong)((value << 1) ^ (value >> 63))));
        }

        public void WriteUInt16(ushort value)
        {
            WriteByte((byte)value);
            WriteByte((byte)(value >> 8));
        }

        /// <summary>Overwrites two bytes at an absolute position written before (a count filled in later).</summary>
        public void PatchUInt16(int position, ushort value)
        {
            if (position >= _start && position + 2 <= _pos)
            {
                _buffer[position] = (byte)value;
                _buffer[position + 1] = (byte)(value >> 8);
            }
        }

        /// <summary>Raw bytes, no length.</summary>
        public void WriteRaw(byte[] data, int offset, int count)
        {
            if (_overflow || count < 0 || count > _limit - _pos)
            {
                _overflow = true;
                return;
            }
            for (int i = 0; i < count; i++)
            {
                _buffer[_pos + i] = data[offset + i];
            }
            _pos += count;
        }

        /// <summary>Varint length then the bytes.</summary>
        public void WriteBlock(byte[] data, int offset, int count)
        {
            WriteVarUInt((ulong)count);
            WriteRaw(data, offset, count);
        }

        /// <summary>
        /// Varint length then UTF-8. A string whose UTF-8 exceeds <paramref name="maxBytes"/> is cut at a
        /// character boundary (readers enforce the same limits). Null is written as empty.
        /// </summary>
        public void WriteString(string text, int maxBytes)
        {
            int chars;
            int n = Utf8.PrefixByteCount(text, maxBytes, out chars);
            WriteVarUInt((ulong)n);
            if (_overflow || n > _limit - _pos)
            {
                _overflow = true;
                return;
            }
            _pos += Utf8.Encode(text, chars, _buffer, _pos);
        }

        public void WriteField(Utf8Field field)
        {
            WriteBlock(field.Bytes, 0, field.Length);
        }
    }
}
