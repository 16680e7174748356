namespace Hv.Core.Guests.Acpi
{
    /// <summary>Appends AML bytes (ACPI 6.4 §20): names, little-endian integers and PkgLength encodings.</summary>
    public sealed class AmlWriter
    {
        private byte[] _bytes;
        private int _length;

        public AmlWriter(int capacity)
        {
            _bytes = new byte[capacity];
        }

        public int Length { get { return _length; } }

        public void Byte(byte value)
        {
            if (_length == _bytes.Length)
            {
                byte[] larger = new byte[_bytes.Length * 2 + 16];
                for (int i = 0; i < _length; i++) larger[i] = _bytes[i];
                _bytes = larger;
            }
            _bytes[_length++] = value;
        }

        public void Bytes(byte[] values)
        {
            for (int i = 0; i < values.Length; i++) Byte(values[i]);
        }

        public void U16(ushort value)
        {
            Byte((byte)value);
            Byte((byte)(value >> 8));
        }

        public void U32(uint value)
        {
            U16((ushort)value);
            U16((ushort)(value >> 16));
        }

        /// <summary>A four-character NameSeg.</summary>
        public void Name(string segment)
        {
            for (int i = 0; i < 4; i++) Byte((byte)segment[i]);
        }

        /// <summary>
        /// The PkgLength of a term whose contents after the PkgLength are <paramref name="contentLength"/> bytes: the
        /// encoded value counts its own bytes too (§20.2.4). One byte up to 63, else a lead byte (bits 7:6 = extra
        /// bytes, bits 3:0 = the low nibble) and the rest of the value eight bits at a time.
        /// </summary>
        public void PkgLength(int contentLength)
        {
            if (contentLength + 1 <= 0x3F)
            {
                Byte((byte)(contentLength + 1));
                return;
            }
            int extra = contentLength + 2 <= 0xFFF ? 1 : contentLength + 3 <= 0xFFFFF ? 2 : 3;
            int value = contentLength + 1 + extra;
            Byte((byte)((extra << 6) | (value & 0x0F)));
            for (int i = 0; i < extra; i++) Byte((byte)(value >> (4 + 8 * i)));
        }

        public byte[] ToArray()
        {
            byte[] copy = new byte[_length];
            for (int i = 0; i < _length; i++) copy[i] = _bytes[i];
            return copy;
        }
    }
}
