namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// The MSI-X table and pending-bit array of one function (PCI Local Bus 3.0, 6.8.2.6-6.8.2.10). Each
    /// 16-byte entry holds a message address (low, high), message data and vector control (bit 0 = mask); every
    /// vector starts masked. A message requested while its vector or the whole function is masked sets the
    /// vector's pending bit instead, and is sent the moment both masks clear (6.8.3.4).
    ///
    /// Software must use aligned dword or qword accesses (6.8.2); other accesses read as all ones and their
    /// writes are ignored, which is one of the "undefined" results the spec permits.
    /// </summary>
    public sealed class MsixTable
    {
        public const int EntrySize = 16;
        private const int AddressLowField = 0;
        private const int AddressHighField = 1;
        private const int DataField = 2;
        private const int ControlField = 3;
        private const uint VectorMasked = 1;

        private readonly int _vectors;
        private readonly int _bar;
        private readonly uint _tableOffset;
        private readonly uint _pbaOffset;
        // Four dwords per vector, in table order.
        private readonly uint[] _entries;
        private readonly ulong[] _pending;

        /// <summary>Gives the table back (its function is being freed).</summary>
        public void Free()
        {
            Owned.Free(_entries);
            Owned.Free(_pending);
            Owned.Free(this);
        }
        private bool _enabled;
        private bool _functionMasked;

        /// <summary>A table of <paramref name="vectors"/> entries at <paramref name="tableOffset"/> and its pending bits at <paramref name="pbaOffset"/> of BAR <paramref name="bar"/>.</summary>
        public MsixTable(int vectors, int bar, uint tableOffset, uint pbaOffset)
        {
            _vectors = vectors;
            _bar = bar;
            _tableOffset = tableOffset;
            _pbaOffset = pbaOffset;
            _entries = new uint[vectors * 4];
            _pending = new ulong[(vectors + 63) / 64];
            Reset();
        }

        public int Vectors { get { return _vectors; } }

        /// <summary>Bytes of the pending-bit array (whole qwords).</summary>
        public int PbaSize { get { return _pending.Length * 8; } }

        public int TableSize { get { return _vectors * EntrySize; } }

        public bool Enabled { get { return _enabled; } }

        public bool FunctionMasked { get { return _functionMasked; } }

        /// <summary>Power-on: every vector masked with address and data 0, nothing pending, MSI-X off.</summary>
        public void Reset()
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                _entries[i] = (i & 3) == ControlField ? VectorMasked : 0;
            }
            for (int i = 0; i < _pending.Length; i++)
            {
                _pending[i] = 0;
            }
            _enabled = false;
            _functionMasked = false;
        }

        /// <summary>
        /// Whether a table of <paramref name="vectors"/> and its pending bits fit at the given qword-aligned,
        /// non-overlapping offsets of a BAR of <paramref name="barSize"/> bytes (6.8.2.4-6.8.2.5).
        /// </summary>
        public static bool Fits(int vectors, ulong barSize, uint tableOffset, uint pbaOffset)
        {
            ulong tableEnd = tableOffset + (ulong)vectors * EntrySize;
            ulong pbaEnd = pbaOffset + (ulong)((vectors + 63) / 64) * 8;
            return vectors >= 1 && vectors <= 2048 && (tableOffset & 7) == 0 && (pbaOffset & 7) == 0
                && tableEnd <= barSize && pbaEnd <= barSize && (tableOffset >= pbaEnd || pbaOffset >= tableEnd);
        }

        /// <summary>True when <paramref name="offset"/> of BAR <paramref name="bar"/> is in the table or the pending bits.</summary>
        public bool Claims(int bar, ulong offset)
        {
            return bar == _bar && (InTable(offset) || InPba(offset));
        }

        /// <summary>A read of the table or the pending bits (the caller checked <see cref="Claims"/>).</summary>
        public ulong Read(ulong offset, int size)
        {
            return InTable(offset) ? ReadTable((int)(offset - _tableOffset), size) : ReadPba((int)(offset - _pbaOffset), size);
        }

        /// <summary>A write of the table; the pending bits are read-only (6.8.2.10) and ignore writes.</summary>
        public void Write(ulong offset, int size, ulong value, PciInterruptSink sink)
        {
            if (InTable(offset))
            {
                WriteTable((int)(offset - _tableOffset), size, value, sink);
            }
        }

        public bool IsPending(int vector)
        {
            return (_pending[vector >> 6] & (1UL << (vector & 63))) != 0;
        }

        public bool IsMasked(int vector)
        {
            return (_entries[vector * 4 + ControlField] & VectorMasked) != 0;
        }

        /// <summary>
        /// The function requests <paramref name="vector"/>: sent through <paramref name="sink"/> now, or left
        /// pending while masked. A vector outside the table is dropped (nothing can address it).
        /// </summary>
        public void Signal(int vector, PciInterruptSink sink)
        {
            if (vector < 0 || vector >= _vectors)
            {
                return;
            }
            if (_functionMasked || IsMasked(vector))
            {
                _pending[vector >> 6] |= 1UL << (vector & 63);
                return;
            }
            Send(vector, sink);
        }

        /// <summary>New MSI-X Enable and Function Mask bits from the capability's message control register.</summary>
        public void SetControl(bool enabled, bool functionMasked, PciInterruptSink sink)
        {
            _enabled = enabled;
            _functionMasked = functionMasked;
            DeliverUnmaskedPending(sink);
        }

        private ulong ReadTable(int offset, int size)
        {
            if (!Aligned(offset, size) || offset + size > TableSize)
            {
                return ulong.MaxValue;
            }
            ulong value = _entries[offset >> 2];
            if (size == 8)
            {
                value |= (ulong)_entries[(offset >> 2) + 1] << 32;
            }
            return value;
        }

        private void WriteTable(int offset, int size, ulong value, PciInterruptSink sink)
        {
            if (!Aligned(offset, size) || offset + size > TableSize)
            {
                return;
            }
            StoreField(offset >> 2, (uint)value);
            if (size == 8)
            {
                StoreField((offset >> 2) + 1, (uint)(value >> 32));
            }
            DeliverUnmaskedPending(sink);
        }

        private ulong ReadPba(int offset, int size)
        {
            if (!Aligned(offset, size) || offset + size > PbaSize)
            {
                return ulong.MaxValue;
            }
            ulong qword = _pending[offset >> 3];
            if (size == 8)
            {
                return qword;
            }
            return (offset & 4) == 0 ? (uint)qword : (uint)(qword >> 32);
        }

        public void Save(ref StateWriter writer)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                writer.U32(_entries[i]);
            }
            for (int i = 0; i < _pending.Length; i++)
            {
                writer.U64(_pending[i]);
            }
        }

        /// <summary>Table and pending bits from saved state (reserved bits are cleared again, as writes would).</summary>
        public void Load(ref StateReader reader)
        {
            for (int i = 0; i < _entries.Length; i++)
            {
                StoreField(i, reader.U32());
            }
            ulong lastWord = _vectors % 64 == 0 ? ulong.MaxValue : (1UL << (_vectors % 64)) - 1;
            for (int i = 0; i < _pending.Length; i++)
            {
                ulong bits = reader.U64();
                _pending[i] = i == _pending.Length - 1 ? bits & lastWord : bits;
            }
        }

        /// <summary>Restores the control bits that live in configuration space, without sending anything.</summary>
        public void LoadControl(bool enabled, bool functionMasked)
        {
            _enabled = enabled;
            _functionMasked = functionMasked;
        }

        private void StoreField(int field, uint value)
        {
            switch (field & 3)
            {
                case AddressLowField:
                    // Bits 1:0 of the message address are reserved for dword alignment (6.8.2.7).
                    _entries[field] = value & ~3u;
                    break;
                case ControlField:
                    // Bits 31:1 are reserved (6.8.2.9).
                    _entries[field] = value & VectorMasked;
                    break;
                default:
                    _entries[field] = value;
                    break;
            }
        }

        private void DeliverUnmaskedPending(PciInterruptSink sink)
        {
            if (!_enabled || _functionMasked)
            {
                return;
            }
            for (int vector = 0; vector < _vectors; vector++)
            {
                if (IsPending(vector) && !IsMasked(vector))
                {
                    Send(vector, sink);
                }
            }
        }

        private void Send(int vector, PciInterruptSink sink)
        {
            _pending[vector >> 6] &= ~(1UL << (vector & 63));
            if (sink == null)
            {
                return;
            }
            int field = vector * 4;
            ulong address = _entries[field + AddressLowField] | ((ulong)_entries[field + AddressHighField] << 32);
            sink.Message(address, _entries[field + DataField]);
        }

        private bool InTable(ulong offset)
        {
            return offset >= _tableOffset && offset - _tableOffset < (ulong)TableSize;
        }

        private bool InPba(ulong offset)
        {
            return offset >= _pbaOffset && offset - _pbaOffset < (ulong)PbaSize;
        }

        private static bool Aligned(int offset, int size)
        {
            return offset >= 0 && (size == 4 || size == 8) && (offset & (size - 1)) == 0;
        }
    }
}
