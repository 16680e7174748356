namespace Hv.Protocol.Wire
{
    /// <summary>Outcome of reading a message. Sticky: after the first failure every read fails.</summary>
    public enum ReadStatus
    {
        Ok = 0,
        /// <summary>The message ended inside a field.</summary>
        Truncated = 1,
        /// <summary>A length or value was over its limit.</summary>
        TooLarge = 2,
        /// <summary>An over-long varint or a value out of range.</summary>
        Malformed = 3,
    }

    /// <summary>
    /// Reads the fields <see cref="MessageWriter"/> writes from buffer[offset .. offset+count). Every read
    /// checks bounds and returns false on truncation or a limit, never throws, and (except
    /// <see cref="ReadString"/>, for the client) never allocates: blocks are returned as positions in the
    /// buffer.
    /// </summary>
    public sealed class MessageReader
    {
        private byte[] _buffer;
        private int _pos;
        private int _end;
        private ReadStatus _status;

        public MessageReader()
        {
        }

        public MessageReader(byte[] buffer, int offset, int count)
        {
            Reset(buffer, offset, count);
        }

        public void Reset(byte[] buffer, int offset, int count)
        {
            _buffer = buffer;
            _pos = offset;
            _end = offset + count;
            _status = ReadStatus.Ok;
        }

        public byte[] Buffer { get { return _buffer; } }
        public int Position { get { return _pos; } }
        public int Remaining { get { return _end - _pos; } }
        public ReadStatus Status { get { return _status; } }
        public bool Ok { get { return _status == ReadStatus.Ok; } }

        private bool Fail(ReadStatus status)
        {
            if (_status == ReadStatus.Ok)
            {
                _status = status;
            }
            return false;
        }

        public bool ReadByte(out byte value)
        {
            if (_status != ReadStatus.Ok || _pos >= _end)
            {
                value = 0;
                return Fail(ReadStatus.Truncated);
            }
            value = _buffer[_pos++];
            return true;
        }

        public bool ReadBool(out bool value)
        {
            byte b;
            bool ok = ReadByte(out b);
            value = b != 0;
            return ok;
        }

        public bool ReadUInt16(out ushort value)
        {
            byte lo;
            byte hi;
            if (!ReadByte(out lo) || !ReadByte(out hi))
            {
                value = 0;
                return false;
            }
            value = (ushort)(lo | (hi << 8));
            return true;
        }

        /// <summary>LEB128, at most 10 bytes; an over-long or overflowing encoding is Malformed.</summary>
        public bool ReadVarUInt(out ulong value)
        {
            value = 0;
            int shift = 0;
            while (true)
            {
                byte b;
                if (!ReadByte(out b))
                {
                    value = 0;
                    return false;
                }
                if (shift == 63 && b > 1)
                {
                    value = 0;
                    return Fail(ReadStatus.Malformed);
                }
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return true;
                }
                shift += 7;
                if (shift > 63)
                {
                    value = 0;
                    return Fail(ReadStatus.Malformed);
                }
            }
        }

        public bool ReadVarUInt32(out uint value)
        {
            ulong v;
            if (!ReadVarUInt(out v))
            {
                value = 0;
                return false;
            }
            if (v > 0xFFFFFFFFUL)
            {
                value = 0;
                return Fail(ReadStatus.Malformed);
            }
            value = (uint)v;
            return true;
        }

        public bool ReadVarInt(out long value)
        {
            ulong v;
            if (!ReadVarUInt(out v))
            {
                value = 0;
                return false;
            }
            value = (long)(v >> 1) ^ -(long)(v & 1);
            return true;
        }

        public bool ReadVarInt32(out int value)
        {
            long v;
            if (!ReadVarInt(out v))
            {
                value = 0;
                return false;
            }
            if (v < -2147483648L || v > 2147483647L)
            {
                value = 0;
                return Fail(ReadStatus.Malformed);
            }
            value = (int)v;
            return true;
        }

        /// <summary>Skips <paramref name="count"/> raw bytes, returning where they start.</summary>
        public bool ReadRaw(int count, out int offset)
        {
            offset = _pos;
            if (_status != ReadStatus.Ok || count < 0 || count > _end - _pos)
            {
                return Fail(ReadStatus.Truncated);
            }
            _pos += count;
            return true;
        }

        /// <summary>A varint length (≤ <paramref name="maxLength"/>) and that many bytes, as a position in the buffer.</summary>
        public bool ReadBlock(int maxLength, out int offset, out int count)
        {
            offset = _pos;
            count = 0;
            ulong n;
            if (!ReadVarUInt(out n))
            {
                return false;
            }
            if (n > (ulong)maxLength)
            {
                return Fail(ReadStatus.TooLarge);
            }
            int c = (int)n;
            if (!ReadRaw(c, out offset))
            {
                return false;
            }
            count = c;
            return true;
        }

        /// <summary>A string block into a fixed-size field (no allocation).</summary>
        public bool ReadField(Utf8Field field, int maxBytes)
        {
            int offset;
            int count;
            if (maxBytes > field.Capacity)
            {
                maxBytes = field.Capacity;
            }
            if (!ReadBlock(maxBytes, out offset, out count))
            {
                field.Clear();
                return false;
            }
            field.Set(_buffer, offset, count);
            return true;
        }

        /// <summary>A string block as a new string. Allocates: for the client, not for the image's hot paths.</summary>
        public bool ReadString(int maxBytes, out string value)
        {
            int offset;
            int count;
            if (!ReadBlock(maxBytes, out offset, out count))
            {
                value = null;
                return false;
            }
            value = Utf8.ToNewString(_buffer, offset, count);
            return true;
        }
    }
}
