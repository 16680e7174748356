namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// A function's 256 bytes of configuration space with a write mask per byte (PCI Local Bus 3.0, 6.1): a guest
    /// write changes only masked bits, so a read-only field stays what the device set, whatever the access width
    /// or offset. Also hands out room for capabilities and links them into the list at 0x34 (6.7).
    /// </summary>
    public sealed class PciConfigSpace
    {
        public const int Size = 256;
        private const int CapabilitiesPointer = 0x34;
        private const int StatusRegister = 0x06;
        private const ushort StatusCapabilities = 0x0010;
        // Capabilities live after the 64-byte header, dword aligned.
        private const int FirstCapability = 0x40;

        private readonly byte[] _bytes = new byte[Size];
        private readonly byte[] _writable = new byte[Size];

        /// <summary>Gives the space back (its function is being freed).</summary>
        public void Free()
        {
            Owned.Free(_bytes);
            Owned.Free(_writable);
            Owned.Free(this);
        }
        private int _nextCapability = FirstCapability;
        private int _lastCapability;

        /// <summary>The raw bytes (the BARs keep their registers here too).</summary>
        internal byte[] Bytes { get { return _bytes; } }

        public byte Read8(int offset)
        {
            return _bytes[offset];
        }

        public ushort Read16(int offset)
        {
            return (ushort)(_bytes[offset] | (_bytes[offset + 1] << 8));
        }

        public uint Read32(int offset)
        {
            return Read16(offset) | ((uint)Read16(offset + 2) << 16);
        }

        /// <summary>Sets bytes directly, bypassing the masks: for the device's own fields.</summary>
        public void Set8(int offset, byte value)
        {
            _bytes[offset] = value;
        }

        public void Set16(int offset, ushort value)
        {
            _bytes[offset] = (byte)value;
            _bytes[offset + 1] = (byte)(value >> 8);
        }

        public void Set32(int offset, uint value)
        {
            Set16(offset, (ushort)value);
            Set16(offset + 2, (ushort)(value >> 16));
        }

        /// <summary>Which bits of byte <paramref name="offset"/> the guest may change.</summary>
        public void SetWritable(int offset, byte mask)
        {
            _writable[offset] = mask;
        }

        /// <summary>A guest write of byte <paramref name="value"/>: only the writable bits change.</summary>
        public void WriteMasked(int offset, byte value)
        {
            byte mask = _writable[offset];
            _bytes[offset] = (byte)((_bytes[offset] & ~mask) | (value & mask));
        }

        /// <summary>Every writable bit back to 0, the power-on value of all of them.</summary>
        public void ClearWritable()
        {
            for (int i = 0; i < Size; i++)
            {
                _bytes[i] = (byte)(_bytes[i] & ~_writable[i]);
            }
        }

        /// <summary>
        /// Appends a capability of <paramref name="length"/> bytes (ID and next pointer included) and returns its
        /// offset, or 0 when it does not fit below 0x100. Its body is read-only until bytes are made writable.
        /// </summary>
        public int AddCapability(byte id, int length)
        {
            int offset = _nextCapability;
            int end = offset + ((length + 3) & ~3);
            if (length < 2 || end > Size)
            {
                return 0;
            }
            _bytes[offset] = id;
            if (_lastCapability == 0)
            {
                _bytes[CapabilitiesPointer] = (byte)offset;
                Set16(StatusRegister, (ushort)(Read16(StatusRegister) | StatusCapabilities));
            }
            else
            {
                _bytes[_lastCapability + 1] = (byte)offset;
            }
            _lastCapability = offset;
            _nextCapability = end;
            return offset;
        }

        /// <summary>Bytes <see cref="SaveWritable"/> writes: one per byte with a write mask.</summary>
        public int WritableStateSize
        {
            get
            {
                int size = 0;
                for (int i = 0; i < Size; i++)
                {
                    if (_writable[i] != 0)
                    {
                        size++;
                    }
                }
                return size;
            }
        }

        public void SaveWritable(ref StateWriter writer)
        {
            for (int i = 0; i < Size; i++)
            {
                if (_writable[i] != 0)
                {
                    writer.U8((byte)(_bytes[i] & _writable[i]));
                }
            }
        }

        /// <summary>Restores what <see cref="SaveWritable"/> wrote, masked as guest writes would be.</summary>
        public void LoadWritable(ref StateReader reader)
        {
            for (int i = 0; i < Size; i++)
            {
                if (_writable[i] != 0)
                {
                    WriteMasked(i, reader.U8());
                }
            }
        }
    }
}
