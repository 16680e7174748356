using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Devices
{
    /// <summary>
    /// The guest-visible NS16550A UART (register set per the TI/National PC16550D datasheet, the same model
    /// QEMU's serial.c and every PC OS driver expect). Eight byte registers at offsets 0-7; LCR bit 7 (DLAB)
    /// swaps offsets 0/1 to the divisor latch.
    ///
    /// The line is infinitely fast: a byte written to THR lands in the <see cref="ConsoleRing"/> at once, so
    /// LSR always shows THRE and TEMT and a polled driver never waits. Received data comes from the ring's
    /// input queue; LSR.DR is set while input is queued. Baud rate, word length and parity are stored and read
    /// back but change nothing. Modem lines read as connected (DCD, DSR, CTS). MCR loopback (bit 4) is
    /// modelled because Linux's 8250 driver probes with it: transmitted bytes return through RBR and the
    /// modem-status inputs follow the MCR outputs.
    /// </summary>
    public sealed class Uart16550 : PortDevice
    {
        public const int PortCount = 8;

        // Register offsets.
        private const int RbrThrDll = 0;
        private const int IerDlm = 1;
        private const int IirFcr = 2;
        private const int Lcr = 3;
        private const int Mcr = 4;
        private const int Lsr = 5;
        private const int Msr = 6;
        private const int Scr = 7;

        // IER bits.
        private const byte IerReceivedData = 0x01;
        private const byte IerThrEmpty = 0x02;
        private const byte IerLineStatus = 0x04;
        private const byte IerModemStatus = 0x08;

        // IIR values (bits 3:1 identify the source; bit 0 set means none pending; bits 7:6 = FIFOs enabled).
        private const byte IirNoInterrupt = 0x01;
        private const byte IirLineStatus = 0x06;
        private const byte IirReceivedData = 0x04;
        private const byte IirThrEmpty = 0x02;
        private const byte IirModemStatus = 0x00;
        private const byte IirFifosEnabled = 0xC0;

        // FCR bits.
        private const byte FcrEnable = 0x01;
        private const byte FcrClearReceive = 0x02;

        private const byte LcrDlab = 0x80;

        // MCR bits.
        private const byte McrDtr = 0x01;
        private const byte McrRts = 0x02;
        private const byte McrOut1 = 0x04;
        private const byte McrOut2 = 0x08;
        private const byte McrLoopback = 0x10;

        // LSR bits.
        private const byte LsrDataReady = 0x01;
        private const byte LsrOverrun = 0x02;
        private const byte LsrThrEmpty = 0x20;
        private const byte LsrTransmitterEmpty = 0x40;

        // MSR bits: deltas in 3:0, line states in 7:4.
        private const byte MsrDeltaCts = 0x01;
        private const byte MsrDeltaDsr = 0x02;
        private const byte MsrTrailingEdgeRi = 0x04;
        private const byte MsrDeltaDcd = 0x08;
        private const byte MsrCts = 0x10;
        private const byte MsrDsr = 0x20;
        private const byte MsrRi = 0x40;
        private const byte MsrDcd = 0x80;

        private const int LoopbackFifoSize = 16; // the 16550A FIFO depth

        private readonly ConsoleRing _console;
        private byte _divisorLow = 0x0C; // 9600 baud at 1.8432 MHz, the power-on value QEMU also uses
        private byte _divisorHigh;
        private byte _ier;
        private byte _fcr;
        private byte _lcr;
        private byte _mcr;
        private byte _scr;
        private byte _msrDeltas;
        private bool _overrun;
        private bool _thrEmptyInterrupt;
        private readonly byte[] _loopbackFifo = new byte[LoopbackFifoSize];
        private int _loopbackHead;
        private int _loopbackCount;
        private IrqLine _irq;

        /// <summary>Gives back the UART (its VM is being removed).</summary>
        public void Free()
        {
            Owned.Free(_loopbackFifo);
            Owned.Free(this);
        }

        public Uart16550(ConsoleRing console)
        {
            _console = console;
        }

        /// <summary>The divisor latch (baud = 115200 / divisor).</summary>
        public ushort Divisor { get { return (ushort)(_divisorLow | (_divisorHigh << 8)); } }

        /// <summary>
        /// The IRQ line as a PC sees it: an interrupt is pending and MCR.OUT2 is set (on PC boards OUT2 gates
        /// the UART's interrupt output onto the ISA IRQ line).
        /// </summary>
        public bool InterruptLine
        {
            get { return (_mcr & McrOut2) != 0 && PendingInterrupt() != IirNoInterrupt; }
        }

        /// <summary>
        /// Wires the UART's interrupt output (ISA IRQ 4 for COM1): after every register access, and on
        /// <see cref="Poll"/>, the line is set to <see cref="InterruptLine"/>, so the receiver sees each fall and rise.
        /// </summary>
        public void ConnectIrq(IrqLine irq)
        {
            _irq = irq;
            Poll();
        }

        /// <summary>Re-evaluates the interrupt line; the VM calls it when console input may have arrived from the host.</summary>
        public void Poll()
        {
            if (_irq != null)
            {
                _irq.Set(InterruptLine);
            }
        }

        /// <summary>Accesses wider than a byte act like ISA bus cycles: one byte register per byte, ascending.</summary>
        public override uint In(ushort offset, int size)
        {
            uint value = 0;
            for (int i = 0; i < size; i++)
            {
                int register = offset + i;
                uint b = register < PortCount ? ReadRegister(register) : 0xFFu;
                value |= b << (i * 8);
            }
            Poll();
            return value;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            for (int i = 0; i < size; i++)
            {
                int register = offset + i;
                if (register < PortCount)
                {
                    WriteRegister(register, (byte)(value >> (i * 8)));
                }
            }
            Poll();
        }

        private byte ReadRegister(int register)
        {
            bool dlab = (_lcr & LcrDlab) != 0;
            switch (register)
            {
                case RbrThrDll:
                    return dlab ? _divisorLow : ReceiveByte();
                case IerDlm:
                    return dlab ? _divisorHigh : _ier;
                case IirFcr:
                    return ReadIir();
                case Lcr:
                    return _lcr;
                case Mcr:
                    return _mcr;
                case Lsr:
                    return ReadLsr();
                case Msr:
                    return ReadMsr();
                default:
                    return _scr;
            }
        }

        private void WriteRegister(int register, byte value)
        {
            bool dlab = (_lcr & LcrDlab) != 0;
            switch (register)
            {
                case RbrThrDll:
                    if (dlab)
                    {
                        _divisorLow = value;
                    }
                    else
                    {
                        Transmit(value);
                    }
                    break;
                case IerDlm:
                    if (dlab)
                    {
                        _divisorHigh = value;
                    }
                    else
                    {
                        // Enabling the THRE interrupt while THR is empty (always, here) raises it at once.
                        if ((value & IerThrEmpty) != 0 && (_ier & IerThrEmpty) == 0)
                        {
                            _thrEmptyInterrupt = true;
                        }
                        _ier = (byte)(value & 0x0F);
                    }
                    break;
                case IirFcr:
                    _fcr = value;
                    if ((value & FcrClearReceive) != 0)
                    {
                        // Input still in the console queue has not reached the UART yet, so only the
                        // loopback path's bytes are in the FIFO being cleared.
                        _loopbackCount = 0;
                    }
                    break;
                case Lcr:
                    _lcr = value;
                    break;
                case Mcr:
                    WriteMcr((byte)(value & 0x1F));
                    break;
                case Lsr:
                case Msr:
                    break; // read-only status (writes are a factory-test feature of real parts)
                default:
                    _scr = value;
                    break;
            }
        }

        private void Transmit(byte value)
        {
            if ((_mcr & McrLoopback) != 0)
            {
                if (_loopbackCount == LoopbackFifoSize)
                {
                    _overrun = true;
                }
                else
                {
                    _loopbackFifo[(_loopbackHead + _loopbackCount) % LoopbackFifoSize] = value;
                    _loopbackCount++;
                }
            }
            else
            {
                _console.WriteOutput(value);
            }
            // The byte left THR instantly, so THR is empty again and the THRE interrupt re-arms.
            _thrEmptyInterrupt = true;
        }

        private byte ReceiveByte()
        {
            byte value;
            if ((_mcr & McrLoopback) != 0)
            {
                if (_loopbackCount == 0)
                {
                    return 0;
                }
                value = _loopbackFifo[_loopbackHead];
                _loopbackHead = (_loopbackHead + 1) % LoopbackFifoSize;
                _loopbackCount--;
                return value;
            }
            _console.TakeInput(out value);
            return value;
        }

        private bool DataReady()
        {
            return (_mcr & McrLoopback) != 0 ? _loopbackCount > 0 : _console.HasInput;
        }

        private byte ReadLsr()
        {
            byte lsr = LsrThrEmpty | LsrTransmitterEmpty;
            if (DataReady())
            {
                lsr |= LsrDataReady;
            }
            if (_overrun)
            {
                lsr |= LsrOverrun;
                _overrun = false; // error bits clear when LSR is read
            }
            return lsr;
        }

        private byte ReadIir()
        {
            byte source = PendingInterrupt();
            if (source == IirThrEmpty)
            {
                // Reading IIR while THRE is the reported source acknowledges it.
                _thrEmptyInterrupt = false;
            }
            return (byte)(source | ((_fcr & FcrEnable) != 0 ? IirFifosEnabled : 0));
        }

        /// <summary>The highest-priority pending source, in the datasheet's fixed order.</summary>
        private byte PendingInterrupt()
        {
            if ((_ier & IerLineStatus) != 0 && _overrun)
            {
                return IirLineStatus;
            }
            if ((_ier & IerReceivedData) != 0 && DataReady())
            {
                return IirReceivedData;
            }
            if ((_ier & IerThrEmpty) != 0 && _thrEmptyInterrupt)
            {
                return IirThrEmpty;
            }
            if ((_ier & IerModemStatus) != 0 && _msrDeltas != 0)
            {
                return IirModemStatus;
            }
            return IirNoInterrupt;
        }

        private void WriteMcr(byte value)
        {
            byte before = ModemLines();
            _mcr = value;
            byte after = ModemLines();
            byte changed = (byte)(before ^ after);
            if ((changed & MsrCts) != 0) _msrDeltas |= MsrDeltaCts;
            if ((changed & MsrDsr) != 0) _msrDeltas |= MsrDeltaDsr;
            if ((changed & MsrDcd) != 0) _msrDeltas |= MsrDeltaDcd;
            if ((before & MsrRi) != 0 && (after & MsrRi) == 0) _msrDeltas |= MsrTrailingEdgeRi;
        }

        /// <summary>MSR bits 7:4. In loopback they mirror MCR: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2.</summary>
        private byte ModemLines()
        {
            if ((_mcr & McrLoopback) == 0)
            {
                return MsrDcd | MsrDsr | MsrCts;
            }
            byte lines = 0;
            if ((_mcr & McrRts) != 0) lines |= MsrCts;
            if ((_mcr & McrDtr) != 0) lines |= MsrDsr;
            if ((_mcr & McrOut1) != 0) lines |= MsrRi;
            if ((_mcr & McrOut2) != 0) lines |= MsrDcd;
            return lines;
        }

        private byte ReadMsr()
        {
            byte value = (byte)(ModemLines() | _msrDeltas);
            _msrDeltas = 0; // delta bits clear on read
            return value;
        }
    
        /// <summary>Bytes <see cref="Save"/> writes.</summary>
        public const int StateSize = 11 + LoopbackFifoSize;

        /// <summary>Saves the registers and the loopback FIFO (the console ring is saved by its owner).</summary>
        public void Save(ref StateWriter writer)
        {
            writer.U8(_divisorLow);
            writer.U8(_divisorHigh);
            writer.U8(_ier);
            writer.U8(_fcr);
            writer.U8(_lcr);
            writer.U8(_mcr);
            writer.U8(_scr);
            writer.U8(_msrDeltas);
            writer.Bool(_overrun);
            writer.Bool(_thrEmptyInterrupt);
            writer.U8((byte)_loopbackCount);
            for (int i = 0; i < LoopbackFifoSize; i++)
            {
                writer.U8(_loopbackFifo[(_loopbackHead + i) % LoopbackFifoSize]);
            }
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _divisorLow = reader.U8();
            _divisorHigh = reader.U8();
            _ier = reader.U8();
            _fcr = reader.U8();
            _lcr = reader.U8();
            _mcr = reader.U8();
            _scr = reader.U8();
            _msrDeltas = reader.U8();
            _overrun = reader.Bool(ref valid);
            _thrEmptyInterrupt = reader.Bool(ref valid);
            _loopbackCount = reader.U8();
            _loopbackHead = 0;
            for (int i = 0; i < LoopbackFifoSize; i++)
            {
                _loopbackFifo[i] = reader.U8();
            }
            if (_ier > 0x0F || _mcr > 0x1F || _msrDeltas > 0x0F || _loopbackCount > LoopbackFifoSize)
            {
                valid = false;
                _ier &= 0x0F;
                _mcr &= 0x1F;
                _msrDeltas &= 0x0F;
                _loopbackCount = 0;
            }
            Poll();
        }
    }
}
