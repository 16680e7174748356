namespace Hv.Core.Vm
{
    /// <summary>Reads and writes little-endian values and short length-prefixed ASCII strings in a byte array, in order.</summary>
    internal struct SpanCursor
    {
        private readonly byte[] _data;
        private int _at;

        public SpanCursor(byte[] data)
        {
            _data = data;
            _at = 0;
        }

        public void U8(byte v) => _data[_at++] = v;
        public void U16(ushort v) { U8((byte)v); U8((byte)(v >> 8)); }
        public void U32(uint v) { U16((ushort)v); U16((ushort)(v >> 16)); }
        public void U64(ulong v) { U32((uint)v); U32((uint)(v >> 32)); }

        public void Text(byte[] ascii)
        {
            U8((byte)ascii.Length);
            for (int i = 0; i < ascii.Length; i++) U8(ascii[i]);
        }

        /// <summary>Moves over <paramref name="count"/> bytes (a fixed-size field's unused tail: zeros when written).</summary>
        public void Skip(int count) => _at += count;

        /// <summary>The next byte, without moving past it.</summary>
        public byte Peek() => _data[_at];

        public byte U8() => _data[_at++];
        public ushort U16() => (ushort)(U8() | (U8() << 8));
        public uint U32() => U16() | ((uint)U16() << 16);
        public ulong U64() => U32() | ((ulong)U32() << 32);

        /// <summary>A printable-ASCII string, or null when a byte is not printable.</summary>
        public string Text()
        {
            int n = U8();
            char[] chars = new char[n];
            for (int i = 0; i < n; i++)
            {
                byte c = U8();
                if (c < 32 || c > 126)
                {
                    Owned.Free(chars);
                    return null;
                }
                chars[i] = (char)c;
            }
            string text = new string(chars, 0, n);
            Owned.Free(chars);
            return text;
        }
    }
}
