using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// The 8042 keyboard controller as PC kernels drive it (data port 0x60, status/command port 0x64; see
    /// <see cref="I8042Port"/>): the controller configuration byte (0x20/0x60), self tests (0xAA → 0x55, 0xAB and
    /// 0xA9 → 0), port enables (0xAD/0xAE, 0xA7/0xA8), the output port (0xD0/0xD1, bit 0 low = system reset), loop
    /// writes (0xD2/0xD3), and the reset pulse (0xFE, any 0xF0-0xFF with bit 0 clear) that PC reboot code uses,
    /// which sets <see cref="ResetRequested"/>. A keyboard is attached and answers its command set (reset, identify,
    /// LEDs, typematic, scan set, enable); no mouse is: bytes for the auxiliary device are answered with 0xFE.
    /// Output bytes queue for port 0x60; IRQ 1 (keyboard) and IRQ 12 (aux) follow OBF and the config's enables.
    /// </summary>
    public sealed class I8042Controller
    {
        public const ushort DataPort = 0x60, CommandPort = 0x64;
        private const int QueueSize = 16;

        // Status bits.
        private const byte StatusOutputFull = 0x01, StatusSystem = 0x04, StatusCommand = 0x08;
        private const byte StatusUnlocked = 0x10, StatusAuxData = 0x20;
        // Configuration bits.
        private const byte ConfigKeyboardIrq = 0x01, ConfigAuxIrq = 0x02, ConfigSystem = 0x04;
        private const byte ConfigKeyboardOff = 0x10, ConfigAuxOff = 0x20;

        private readonly IrqLine _irq1, _irq12;
        private readonly byte[] _queue = new byte[QueueSize];
        private readonly bool[] _queueAux = new bool[QueueSize];

        /// <summary>Gives the controller back (its platform is being freed); its IRQ lines are the platform's.</summary>
        public void Free()
        {
            Owned.Free(_queue);
            Owned.Free(_queueAux);
            Owned.Free(this);
        }
        private int _head, _count;
        private byte _config, _outputPort, _pendingCommand, _keyboardCommand, _scanSet, _lastRead;
        private bool _lastWriteWasCommand, _resetRequested;

        public I8042Controller(IrqLine irq1, IrqLine irq12)
        {
            _irq1 = irq1;
            _irq12 = irq12;
            Reset();
        }

        public void Reset()
        {
            _head = _count = 0;
            _config = ConfigKeyboardIrq | ConfigSystem | 0x40; // translation on, as firmware leaves it
            _outputPort = 0x03; // reset line high (inactive), A20 enabled
            _pendingCommand = _keyboardCommand = _lastRead = 0;
            _scanSet = 2;
            _lastWriteWasCommand = _resetRequested = false;
        }

        /// <summary>The guest pulsed the CPU reset line; the VM's owner restarts it and clears the request by <see cref="Reset"/>.</summary>
        public bool ResetRequested { get { return _resetRequested; } }
        public byte Config { get { return _config; } }

        public byte ReadStatus()
        {
            byte status = (byte)(StatusUnlocked | (_config & ConfigSystem));
            if (_count > 0)
            {
                status |= StatusOutputFull;
                if (_queueAux[_head]) status |= StatusAuxData;
            }
            if (_lastWriteWasCommand) status |= StatusCommand;
            return status;
        }

        public byte ReadData()
        {
            if (_count > 0)
            {
                _lastRead = _queue[_head];
                _head = (_head + 1) % QueueSize;
                _count--;
                UpdateIrqs();
            }
            return _lastRead; // an empty buffer reads the last byte again
        }

        public void WriteCommand(byte command)
        {
            _lastWriteWasCommand = true;
            _pendingCommand = 0;
            if (command == 0x20)
            {
                Push(_config, false);
            }
            else if (command >= 0x21 && command <= 0x3F)
            {
                Push(0, false); // the rest of the controller RAM
            }
            else if ((command >= 0x60 && command <= 0x7F) || command == 0xD1 || command == 0xD2 || command == 0xD3 || command == 0xD4)
            {
                _pendingCommand = command;
            }
            else if (command >= 0xF0)
            {
                if ((command & 1) == 0)
                {
                    _resetRequested = true; // pulse output bit 0: the CPU's reset line
                }
            }
            else
            {
                SimpleCommand(command);
            }
            UpdateIrqs();
        }

        private void SimpleCommand(byte command)
        {
            switch (command)
            {
                case 0xA7: _config |= ConfigAuxOff; break;
                case 0xA8: _config &= unchecked((byte)~ConfigAuxOff); break;
                case 0xA9: Push(0x00, false); break; // aux interface test: no fault
                case 0xAA:
                    _config |= ConfigSystem;
                    Push(0x55, false); // controller self test passed
                    break;
                case 0xAB: Push(0x00, false); break; // keyboard interface test: no fault
                case 0xAD: _config |= ConfigKeyboardOff; break;
                case 0xAE: _config &= unchecked((byte)~ConfigKeyboardOff); break;
                case 0xC0: Push(0x80, false); break; // input port: keyboard not inhibited
                case 0xD0: Push(_outputPort, false); break;
                case 0xE0: Push(0x00, false); break; // test inputs
            }
        }

        public void WriteData(byte value)
        {
            _lastWriteWasCommand = false;
            byte command = _pendingCommand;
            _pendingCommand = 0;
            if (command >= 0x60 && command <= 0x7F)
            {
                if (command == 0x60)
                {
                    _config = value;
                }
            }
            else if (command == 0xD1)
            {
                _outputPort = value;
                if ((value & 1) == 0)
                {
                    _resetRequested = true;
                }
            }
            else if (command == 0xD2)
            {
                Push(value, false);
            }
            else if (command == 0xD3)
            {
                Push(value, true);
            }
            else if (command == 0xD4)
            {
                Push(0xFE, true); // no auxiliary device answers
            }
            else
            {
                _config &= unchecked((byte)~ConfigKeyboardOff); // writing to the keyboard enables its port
                KeyboardByte(value);
            }
            UpdateIrqs();
        }

        // The attached PS/2 keyboard's answers (IBM PS/2 technical reference command set).
        private void KeyboardByte(byte value)
        {
            byte pending = _keyboardCommand;
            _keyboardCommand = 0;
            if (pending == 0xED || pending == 0xF3)
            {
                Push(0xFA, false);
                return;
            }
            if (pending == 0xF0)
            {
                Push(0xFA, false);
                if (value == 0)
                {
                    Push(_scanSet, false);
                }
                else if (value <= 3)
                {
                    _scanSet = value;
                }
                return;
            }
            switch (value)
            {
                case 0xED:
                case 0xF3:
                case 0xF0:
                    _keyboardCommand = value;
                    Push(0xFA, false);
                    break;
                case 0xEE: Push(0xEE, false); break;
                case 0xF2: Push(0xFA, false); Push(0xAB, false); Push(0x83, false); break;
                case 0xF4: // enable scanning
                case 0xF5: // disable scanning (no keys are ever typed: nothing to hold back)
                    Push(0xFA, false);
                    break;
                case 0xF6: _scanSet = 2; Push(0xFA, false); break;
                case 0xFF:
                    _scanSet = 2;
                    Push(0xFA, false);
                    Push(0xAA, false); // basic assurance test passed
                    break;
                default: Push(0xFE, false); break; // resend: not a command this keyboard knows
            }
        }

        private void Push(byte value, bool aux)
        {
            if (_count == QueueSize)
            {
                return; // the controller holds one byte; this deeper queue drops beyond its size
            }
            int at = (_head + _count) % QueueSize;
            _queue[at] = value;
            _queueAux[at] = aux;
            _count++;
        }

        private void UpdateIrqs()
        {
            bool full = _count > 0;
            bool aux = full && _queueAux[_head];
            if (_irq1 != null) _irq1.Set(full && !aux && (_config & ConfigKeyboardIrq) != 0);
            if (_irq12 != null) _irq12.Set(aux && (_config & ConfigAuxIrq) != 0);
        }

        public const int StateSize = QueueSize * 2 + 1 + 6 + 2;

        public void Save(ref StateWriter writer)
        {
            // The queue is saved oldest first, so a restore starts at index 0.
            for (int i = 0; i < QueueSize; i++)
            {
                int at = (_head + i) % QueueSize;
                writer.U8(_queue[at]);
                writer.Bool(_queueAux[at]);
            }
            writer.U8((byte)_count);
            writer.U8(_config);
            writer.U8(_outputPort);
            writer.U8(_pendingCommand);
            writer.U8(_keyboardCommand);
            writer.U8(_scanSet);
            writer.U8(_lastRead);
            writer.Bool(_lastWriteWasCommand);
            writer.Bool(_resetRequested);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            for (int i = 0; i < QueueSize; i++)
            {
                _queue[i] = reader.U8();
                _queueAux[i] = reader.Bool(ref valid);
            }
            _head = 0;
            _count = reader.U8();
            _config = reader.U8();
            _outputPort = reader.U8();
            _pendingCommand = reader.U8();
            _keyboardCommand = reader.U8();
            _scanSet = reader.U8();
            _lastRead = reader.U8();
            _lastWriteWasCommand = reader.Bool(ref valid);
            _resetRequested = reader.Bool(ref valid);
            if (_count > QueueSize || _scanSet < 1 || _scanSet > 3)
            {
                valid = false;
                _count = 0;
                _scanSet = 2;
            }
            UpdateIrqs();
        }
    }
}
