using System;

namespace Hv.Core.Devices
{
    /// <summary>
    /// Appends little-endian fields to a device-state buffer (snapshots, clones, export). Writing past the end
    /// sets <see cref="Overflowed"/> and stores nothing more, so a save into a short buffer is detected once, at
    /// the end, instead of at every field.
    /// </summary>
    public ref struct StateWriter
    {
        private readonly Span<byte> _data;
        private int _at;
        private bool _overflowed;

        public StateWriter(Span<byte> data)
        {
            _data = data;
            _at = 0;
            _overflowed = false;
        }

        /// <summary>Bytes written so far.</summary>
        public int Length { get { return _at; } }

        public bool Overflowed { get { return _overflowed; } }

        public void U8(byte value)
        {
            if (_at >= _data.Length)
            {
                _overflowed = true;
                return;
            }
            _data[_at++] = value;
        }

        public void Bool(bool value)
        {
            U8(value ? (byte)1 : (byte)0);
        }

        public void U16(ushort value)
        {
            U8((byte)value);
            U8((byte)(value >> 8));
        }

        public void U32(uint value)
        {
            U16((ushort)value);
            U16((ushort)(value >> 16));
        }

        public void U64(ulong value)
        {
            U32((uint)value);
            U32((uint)(value >> 32));
        }
    }
}
