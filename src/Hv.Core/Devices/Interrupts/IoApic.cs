namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// An 82093AA-style I/O APIC at 0xFEC00000 with 24 inputs: IOREGSEL at offset 0x00, IOWIN at 0x10 and the EOI
    /// register at 0x40 (version 0x20 parts). Registers: 0 ID, 1 version, 2 arbitration, 0x10 + 2·n the 64-bit
    /// redirection entry of input n. Inputs take logical levels (<see cref="SetInput"/>): an edge-triggered entry
    /// sends one message per rising edge; a level-triggered entry sends while the input is asserted, sets remote IRR
    /// and waits for the local APIC's EOI broadcast of its vector before it can send again. Masked entries send
    /// nothing (a level input still asserted when unmasked sends then). Polarity is stored; inputs are the logical
    /// request whatever the wire's polarity.
    /// </summary>
    public sealed class IoApic
    {
        public const ulong DefaultBase = 0xFEC00000;
        public const int PageSize = 0x1000;
        public const int Pins = 24;
        public const uint Version = 0x00170020; // max redirection entry 23, version 0x20 (has the EOI register)

        private const int RegSelect = 0x00, RegWindow = 0x10, RegEoi = 0x40;

        // Redirection entry bits.
        private const ulong EntryDeliveryStatus = 1UL << 12;
        private const ulong EntryRemoteIrr = 1UL << 14;
        private const ulong EntryLevel = 1UL << 15;
        private const ulong EntryMasked = 1UL << 16;
        private const ulong EntryWritable = 0xFF000000_0001AFFFUL; // all but delivery status and remote IRR

        private readonly ApicCluster _apics;
        private readonly ulong[] _entries = new ulong[Pins];
        private readonly bool[] _inputs = new bool[Pins];

        /// <summary>Gives the IOAPIC back (its platform is being freed).</summary>
        public void Free()
        {
            Owned.Free(_entries);
            Owned.Free(_inputs);
            Owned.Free(this);
        }
        private uint _select;
        private uint _id;

        /// <summary>An IOAPIC whose redirection entries send to <paramref name="apics"/>.</summary>
        public IoApic(ApicCluster apics)
        {
            _apics = apics;
            Reset();
        }

        public void Reset()
        {
            for (int i = 0; i < Pins; i++)
            {
                _entries[i] = EntryMasked;
                _inputs[i] = false;
            }
            _select = 0;
            _id = 0;
        }

        /// <summary>The redirection entry of <paramref name="pin"/> as the guest would read it.</summary>
        public ulong Entry(int pin)
        {
            return _entries[pin];
        }

        /// <summary>An MMIO read of <paramref name="size"/> bytes at <paramref name="offset"/> in the IOAPIC page.</summary>
        public uint Read(int offset, int size)
        {
            uint value;
            int register = offset & ~3;
            if (register == RegSelect)
            {
                value = _select;
            }
            else if (register == RegWindow)
            {
                value = ReadIndirect(_select);
            }
            else
            {
                value = 0;
            }
            int shift = (offset & 3) * 8;
            value >>= shift;
            return size >= 4 ? value : value & ((1u << (size * 8)) - 1);
        }

        /// <summary>An MMIO write; only IOREGSEL, IOWIN and EOI respond, and only to accesses that start at their first byte.</summary>
        public void Write(int offset, int size, uint value)
        {
            if ((offset & 3) != 0)
            {
                return;
            }
            if (offset == RegSelect)
            {
                _select = value & 0xFF;
            }
            else if (offset == RegWindow && size == 4)
            {
                WriteIndirect(_select, value);
            }
            else if (offset == RegEoi)
            {
                EndOfInterrupt((int)(value & 0xFF));
            }
        }

        private uint ReadIndirect(uint index)
        {
            if (index == 0) return _id;
            if (index == 1) return Version;
            if (index == 2) return _id; // arbitration ID follows the APIC ID
            int pin = ((int)index - 0x10) >> 1;
            if (index >= 0x10 && pin < Pins)
            {
                ulong entry = _entries[pin];
                return (index & 1) == 0 ? (uint)entry : (uint)(entry >> 32);
            }
            return 0xFFFFFFFF; // no register there (the part answers all ones)
        }

        private void WriteIndirect(uint index, uint value)
        {
            if (index == 0)
            {
                _id = value & 0x0F000000u;
                return;
            }
            int pin = ((int)index - 0x10) >> 1;
            if (index < 0x10 || pin >= Pins)
            {
                return;
            }
            ulong entry = _entries[pin];
            ulong half = (index & 1) == 0 ? value : (ulong)value << 32;
            ulong halfMask = (index & 1) == 0 ? 0xFFFFFFFFUL : 0xFFFFFFFF00000000UL;
            ulong written = (entry & ~halfMask) | (half & halfMask);
            _entries[pin] = (written & EntryWritable) | (entry & EntryRemoteIrr);
            if ((_entries[pin] & EntryLevel) == 0)
            {
                _entries[pin] &= ~EntryRemoteIrr; // remote IRR is undefined for edge entries; keep it clear
            }
            Service(pin);
        }

        /// <summary>The logical level of input <paramref name="pin"/> changed (or was re-asserted).</summary>
        public void SetInput(int pin, bool asserted)
        {
            if (pin < 0 || pin >= Pins)
            {
                return;
            }
            bool rising = asserted && !_inputs[pin];
            _inputs[pin] = asserted;
            ulong entry = _entries[pin];
            if ((entry & EntryLevel) != 0)
            {
                Service(pin);
            }
            else if (rising && (entry & EntryMasked) == 0)
            {
                Send(pin, entry);
            }
        }

        /// <summary>The local APIC broadcast an EOI for <paramref name="vector"/> (or the guest wrote the EOI register).</summary>
        public void EndOfInterrupt(int vector)
        {
            for (int pin = 0; pin < Pins; pin++)
            {
                ulong entry = _entries[pin];
                if ((entry & EntryRemoteIrr) != 0 && (int)(entry & 0xFF) == vector)
                {
                    _entries[pin] = entry & ~EntryRemoteIrr;
                    Service(pin);
                }
            }
        }

        // A level-triggered input asserted, unmasked and not awaiting EOI sends (again).
        private void Service(int pin)
        {
            ulong entry = _entries[pin];
            if ((entry & EntryLevel) == 0 || !_inputs[pin] || (entry & (EntryMasked | EntryRemoteIrr)) != 0)
            {
                return;
            }
            if (Send(pin, entry))
            {
                _entries[pin] |= EntryRemoteIrr;
            }
        }

        // The entry's message to the APICs its destination (bits 63:56) names; true when one took it.
        private bool Send(int pin, ulong entry)
        {
            uint mode = (uint)(entry >> 8) & 7;
            bool logical = (entry & (1UL << 11)) != 0;
            return _apics.Message((uint)(entry >> 56), logical, mode, (int)(entry & 0xFF), (entry & EntryLevel) != 0);
        }

        public const int StateSize = 4 + 4 + Pins * 9;

        public void Save(ref StateWriter writer)
        {
            writer.U32(_select);
            writer.U32(_id);
            for (int i = 0; i < Pins; i++)
            {
                writer.U64(_entries[i]);
                writer.Bool(_inputs[i]);
            }
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _select = reader.U32();
            _id = reader.U32();
            for (int i = 0; i < Pins; i++)
            {
                _entries[i] = reader.U64();
                _inputs[i] = reader.Bool(ref valid);
                if ((_entries[i] & ~(EntryWritable | EntryRemoteIrr)) != 0) valid = false;
            }
            if (_select > 0xFF || (_id & ~0x0F000000u) != 0) valid = false;
        }
    }
}
