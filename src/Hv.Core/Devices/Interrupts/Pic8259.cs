namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// One Intel 8259A programmable interrupt controller (datasheet 231468): two ports, command (offset 0: ICW1,
    /// OCW2, OCW3; reads IRR or ISR) and data (offset 1: ICW2-4 during initialisation, then OCW1 = IMR; reads IMR).
    /// Modelled: the init sequence, fully nested priority with rotation (automatic and specific), specific and
    /// non-specific EOI, auto-EOI, special mask mode, special fully nested mode, poll mode, edge or level inputs
    /// (per the ELCR), and spurious IRQ 7. Two of them make the PC's cascade (<see cref="PicPair"/>).
    /// </summary>
    public sealed class Pic8259 : PortDevice
    {
        public const int PortCount = 2;

        private readonly PicPair _pair;
        private readonly bool _master;
        private byte _irr, _isr, _imr, _lines, _elcr;
        private byte _priorityAdd; // the IR with the highest priority: 0 unless rotated
        private byte _vectorBase;
        private byte _initStep; // 0 ready, 1 expects ICW2, 2 ICW3, 3 ICW4
        private bool _needIcw4, _single, _autoEoi, _rotateOnAutoEoi, _specialFullyNested;
        private bool _readIsr, _poll, _specialMask;

        public Pic8259(PicPair pair, bool master)
        {
            _pair = pair;
            _master = master;
        }

        public byte Irr { get { return _irr; } }
        public byte Isr { get { return _isr; } }
        public byte Imr { get { return _imr; } }
        public byte VectorBase { get { return _vectorBase; } }
        /// <summary>Level-triggered inputs (the ELCR's half for this chip).</summary>
        public byte Elcr { get { return _elcr; } set { _elcr = value; } }

        public void Reset()
        {
            _irr = _isr = _imr = _lines = _elcr = _priorityAdd = _vectorBase = _initStep = 0;
            _needIcw4 = _single = _autoEoi = _rotateOnAutoEoi = _specialFullyNested = false;
            _readIsr = _poll = _specialMask = false;
        }

        /// <summary>The input IR<paramref name="irq"/> is now at <paramref name="level"/>.</summary>
        public void SetInput(int irq, bool level)
        {
            byte bit = (byte)(1 << irq);
            bool was = (_lines & bit) != 0;
            if (level)
            {
                _lines |= bit;
                if (!was || (_elcr & bit) != 0)
                {
                    _irr |= bit; // a rising edge latches; a level input requests while high
                }
            }
            else
            {
                _lines &= (byte)~bit;
                if ((_elcr & bit) != 0)
                {
                    _irr &= (byte)~bit;
                }
            }
        }

        // The priority rank (0 highest) of the best IR set in mask, or 8 for none.
        private int BestRank(byte mask)
        {
            for (int rank = 0; rank < 8; rank++)
            {
                if ((mask & (1 << ((rank + _priorityAdd) & 7))) != 0)
                {
                    return rank;
                }
            }
            return 8;
        }

        /// <summary>The IR that would interrupt the CPU now (beats everything in service), or -1.</summary>
        public int PendingIrq()
        {
            int request = BestRank((byte)(_irr & ~_imr));
            if (request == 8)
            {
                return -1;
            }
            byte inService = _isr;
            if (_specialMask)
            {
                inService &= (byte)~_imr; // special mask mode: masked levels do not inhibit others
            }
            if (_master && _specialFullyNested)
            {
                inService &= 0xFB; // a slave in service does not block its own higher-priority requests
            }
            return request < BestRank(inService) ? (request + _priorityAdd) & 7 : -1;
        }

        /// <summary>The INT output.</summary>
        public bool Output { get { return PendingIrq() >= 0; } }

        /// <summary>An INTA cycle: the pending IR goes in service (unless auto-EOI); 7 when nothing is pending (spurious).</summary>
        public int Acknowledge()
        {
            int irq = PendingIrq();
            if (irq < 0)
            {
                return 7; // spurious: IR7's vector, no ISR bit
            }
            byte bit = (byte)(1 << irq);
            if ((_elcr & bit) == 0)
            {
                _irr &= (byte)~bit;
            }
            if (_autoEoi)
            {
                if (_rotateOnAutoEoi)
                {
                    _priorityAdd = (byte)((irq + 1) & 7);
                }
            }
            else
            {
                _isr |= bit;
            }
            return irq;
        }

        public override uint In(ushort offset, int size)
        {
            if (_poll)
            {
                _poll = false;
                int irq = PendingIrq();
                if (irq < 0)
                {
                    return 0;
                }
                Acknowledge();
                _pair.Update();
                return 0x80u | (uint)irq;
            }
            return offset == 0 ? (_readIsr ? _isr : _irr) : _imr;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            byte b = (byte)value;
            if (offset == 0)
            {
                WriteCommand(b);
            }
            else
            {
                WriteData(b);
            }
            _pair.Update();
        }

        private void WriteCommand(byte value)
        {
            if ((value & 0x10) != 0)
            {
                // ICW1: IMR and ISR clear, priorities back to IR0 highest, status read IRR, edge sense reset (an
                // edge input must go low and high again; a level input still high keeps requesting).
                _irr = (byte)(_lines & _elcr);
                _isr = _imr = _priorityAdd = 0;
                _readIsr = _poll = _specialMask = _autoEoi = _rotateOnAutoEoi = _specialFullyNested = false;
                _needIcw4 = (value & 1) != 0;
                _single = (value & 2) != 0;
                _initStep = 1;
                return;
            }
            if ((value & 0x08) == 0)
            {
                WriteOcw2(value);
                return;
            }
            // OCW3
            if ((value & 0x04) != 0)
            {
                _poll = true;
            }
            if ((value & 0x02) != 0)
            {
                _readIsr = (value & 1) != 0;
            }
            if ((value & 0x40) != 0)
            {
                _specialMask = (value & 0x20) != 0;
            }
        }

        private void WriteOcw2(byte value)
        {
            int command = value >> 5;
            int level = value & 7;
            switch (command)
            {
                case 0: _rotateOnAutoEoi = false; break;
                case 4: _rotateOnAutoEoi = true; break;
                case 1:
                case 5:
                    int rank = BestRank(_isr);
                    if (rank < 8)
                    {
                        int irq = (rank + _priorityAdd) & 7;
                        _isr &= (byte)~(1 << irq);
                        if (command == 5)
                        {
                            _priorityAdd = (byte)((irq + 1) & 7);
                        }
                    }
                    break;
                case 3:
                case 7:
                    _isr &= (byte)~(1 << level);
                    if (command == 7)
                    {
                        _priorityAdd = (byte)((level + 1) & 7);
                    }
                    break;
                case 6: _priorityAdd = (byte)((level + 1) & 7); break;
            }
        }

        private void WriteData(byte value)
        {
            switch (_initStep)
            {
                case 1:
                    _vectorBase = (byte)(value & 0xF8);
                    _initStep = (byte)(_single ? (_needIcw4 ? 3 : 0) : 2);
                    break;
                case 2:
                    _initStep = (byte)(_needIcw4 ? 3 : 0); // ICW3: the cascade wiring is fixed on a PC
                    break;
                case 3:
                    _autoEoi = (value & 0x02) != 0;
                    _specialFullyNested = (value & 0x10) != 0;
                    _initStep = 0;
                    break;
                default:
                    _imr = value;
                    break;
            }
        }

        public const int StateSize = 9 + 8;

        public void Save(ref StateWriter writer)
        {
            writer.U8(_irr);
            writer.U8(_isr);
            writer.U8(_imr);
            writer.U8(_lines);
            writer.U8(_elcr);
            writer.U8(_priorityAdd);
            writer.U8(_vectorBase);
            writer.U8(_initStep);
            writer.U8(0);
            writer.Bool(_needIcw4);
            writer.Bool(_single);
            writer.Bool(_autoEoi);
            writer.Bool(_rotateOnAutoEoi);
            writer.Bool(_specialFullyNested);
            writer.Bool(_readIsr);
            writer.Bool(_poll);
            writer.Bool(_specialMask);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _irr = reader.U8();
            _isr = reader.U8();
            _imr = reader.U8();
            _lines = reader.U8();
            _elcr = reader.U8();
            _priorityAdd = reader.U8();
            _vectorBase = reader.U8();
            _initStep = reader.U8();
            reader.U8();
            _needIcw4 = reader.Bool(ref valid);
            _single = reader.Bool(ref valid);
            _autoEoi = reader.Bool(ref valid);
            _rotateOnAutoEoi = reader.Bool(ref valid);
            _specialFullyNested = reader.Bool(ref valid);
            _readIsr = reader.Bool(ref valid);
            _poll = reader.Bool(ref valid);
            _specialMask = reader.Bool(ref valid);
            if (_priorityAdd > 7 || _initStep > 3 || (_vectorBase & 7) != 0)
            {
                valid = false;
                _priorityAdd &= 7;
                _initStep = 0;
                _vectorBase &= 0xF8;
            }
        }
    }
}
