using System;

namespace Hv.Core.Devices
{
    /// <summary>
    /// Reads little-endian fields from saved device state, which may come from an imported file and so is
    /// untrusted. Reading past the end sets <see cref="Truncated"/> and yields zeros; the loader checks once at
    /// the end and validates every value before it touches the device.
    /// </summary>
    public ref struct StateReader
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _at;
        private bool _truncated;

        public StateReader(ReadOnlySpan<byte> data)
        {
            _data = data;
            _at = 0;
            _truncated = false;
        }

        public bool Truncated { get { return _truncated; } }

        /// <summary>Bytes consumed so far.</summary>
        public int Position { get { return _at; } }

        public byte U8()
        {
            if (_at >= _data.Length)
            {
                _truncated = true;
                return 0;
            }
            return _data[_at++];
        }

        /// <summary>A byte that must be 0 or 1; anything else makes <paramref name="valid"/> false.</summary>
        public bool Bool(ref bool valid)
        {
            byte value = U8();
            if (value > 1)
            {
                valid = false;
            }
            return value == 1;
        }

        public ushort U16()
        {
            return (ushort)(U8() | (U8() << 8));
        }

        public uint U32()
        {
            return U16() | ((uint)U16() << 16);
        }

        public ulong U64()
        {
            return U32() | ((ulong)U32() << 32);
        }
    }
}
