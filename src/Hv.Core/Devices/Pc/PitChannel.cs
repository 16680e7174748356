using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// One counter of the 8254 (Intel datasheet 231164): a 16-bit down-counter at 1.193182 MHz in modes 0-5, binary
    /// or BCD, with its read/write flip-flops, count latch and status latch. The count is computed from the guest TSC
    /// at which counting (re)started rather than stepped. Simplification: a new count written while a mode 2/3
    /// counter runs takes effect at once instead of at the end of the current period.
    /// </summary>
    public sealed class PitChannel
    {
        public const ulong Hz = 1_193_182;
        private const int AccessLow = 1, AccessHigh = 2, AccessWord = 3;

        private readonly DeviceClock _clock;
        private byte _mode, _access;
        private bool _bcd;
        private uint _reload;       // the count register as written (binary)
        private ulong _startTsc;    // when the counter started counting from _startValue
        private uint _startValue;   // 1 .. modulus
        private bool _running;
        private bool _gate;
        private bool _nullCount;
        private uint _frozenValue;  // the counter while not running
        private bool _outHeldHigh;  // mode 0 paused after terminal count
        private ulong _edgesReported;
        private bool _countLatched, _statusLatched, _readHigh, _writeHigh;
        private ushort _latch;
        private byte _status, _lowByte;

        public PitChannel(DeviceClock clock, bool gate)
        {
            _clock = clock;
            Reset(gate);
        }

        public void Reset(bool gate)
        {
            _mode = 0;
            _access = AccessWord;
            _bcd = _running = _outHeldHigh = false;
            _nullCount = true; // no count written yet
            _countLatched = _statusLatched = _readHigh = _writeHigh = false;
            _reload = _startValue = _frozenValue = 0;
            _startTsc = _edgesReported = 0;
            _latch = 0;
            _status = _lowByte = 0;
            _gate = gate;
        }

        public int Mode { get { return _mode; } }
        public bool Gate { get { return _gate; } }

        private uint Modulus { get { return _bcd ? 10000u : 65536u; } }
        private uint Period { get { return _reload == 0 ? Modulus : _reload; } }

        private ulong Ticks()
        {
            ulong tsc = _clock.Now > _startTsc ? _clock.Now - _startTsc : 0;
            return _clock.ToDeviceTicks(tsc, Hz);
        }

        /// <summary>The counting element now (binary).</summary>
        public uint Value()
        {
            if (!_running)
            {
                return _frozenValue;
            }
            ulong t = Ticks();
            uint n = Period;
            switch (_mode)
            {
                case 2:
                    return (uint)(n - t % n);
                case 3:
                    uint p = (uint)(t % n);
                    uint high = (n + 1) / 2;
                    uint v = p < high ? n - 2 * p : n - 2 * (p - high);
                    return v < 2 ? 2 : v & ~1u;
                default:
                    uint m = Modulus;
                    return (uint)((_startValue + m - t % m) % m);
            }
        }

        /// <summary>The OUT pin now.</summary>
        public bool Out()
        {
            if (!_running)
            {
                return _mode == 0 ? _outHeldHigh : true;
            }
            ulong t = Ticks();
            uint n = Period;
            switch (_mode)
            {
                case 0:
                case 1:
                    return t >= _startValue;
                case 2:
                    return t % n != n - 1;
                case 3:
                    return t % n < (n + 1) / 2;
                default:
                    return t != _startValue;
            }
        }

        // Rising OUT edges since counting started: the interrupts this counter has asked for on IRQ 0.
        private ulong EdgesUpTo(ulong t)
        {
            if (_mode == 2 || _mode == 3)
            {
                return t / Period;
            }
            ulong at = _mode >= 4 ? _startValue + 1UL : _startValue;
            return t >= at ? 1UL : 0UL;
        }

        /// <summary>True when OUT rose since the last call (missed periods count once).</summary>
        public bool TakeRisingEdge()
        {
            if (!_running)
            {
                return false;
            }
            ulong edges = EdgesUpTo(Ticks());
            if (edges <= _edgesReported)
            {
                return false;
            }
            _edgesReported = edges;
            return true;
        }

        /// <summary>The guest TSC of OUT's next rising edge, or ulong.MaxValue.</summary>
        public ulong NextEdge()
        {
            if (!_running)
            {
                return ulong.MaxValue;
            }
            ulong ticks;
            if (_mode == 2 || _mode == 3)
            {
                ticks = (_edgesReported + 1) * Period;
            }
            else if (_edgesReported == 0)
            {
                ticks = _mode >= 4 ? _startValue + 1UL : _startValue;
            }
            else
            {
                return ulong.MaxValue;
            }
            return DeviceClock.After(_startTsc, _clock.ToTscTicks(ticks, Hz));
        }

        private void Start(uint value)
        {
            _startTsc = _clock.Now;
            _startValue = value == 0 ? Modulus : value;
            _running = true;
            _edgesReported = 0;
        }

        private void Freeze()
        {
            _frozenValue = Value();
            _outHeldHigh = _mode == 0 && Out();
            _running = false;
        }

        /// <summary>A control word for this counter: a counter-latch command (access 0) or a new mode.</summary>
        public void WriteControl(byte control)
        {
            int access = (control >> 4) & 3;
            if (access == 0)
            {
                LatchCount();
                return;
            }
            Freeze();
            _access = (byte)access;
            int mode = (control >> 1) & 7;
            _mode = (byte)(mode > 5 ? mode - 4 : mode);
            _bcd = (control & 1) != 0;
            _outHeldHigh = false; // OUT goes low in mode 0, high in the others
            _nullCount = true;
            _countLatched = _statusLatched = _readHigh = _writeHigh = false;
        }

        public void LatchCount()
        {
            if (!_countLatched)
            {
                _latch = (ushort)Present(Value());
                _countLatched = true;
                _readHigh = false;
            }
        }

        public void LatchStatus()
        {
            if (!_statusLatched)
            {
                _status = (byte)((Out() ? 0x80 : 0) | (_nullCount ? 0x40 : 0) | (_access << 4) | (_mode << 1) | (_bcd ? 1 : 0));
                _statusLatched = true;
            }
        }

        private uint Present(uint value)
        {
            value &= 0xFFFF;
            if (!_bcd)
            {
                return value;
            }
            value %= 10000;
            return (value / 1000 << 12) | (value / 100 % 10 << 8) | (value / 10 % 10 << 4) | (value % 10);
        }

        private uint FromBcd(uint value)
        {
            if (!_bcd)
            {
                return value;
            }
            uint result = 0;
            for (int shift = 12; shift >= 0; shift -= 4)
            {
                uint digit = (value >> shift) & 0xF;
                result = result * 10 + (digit > 9 ? 9 : digit);
            }
            return result;
        }

        public byte Read()
        {
            if (_statusLatched)
            {
                _statusLatched = false;
                return _status;
            }
            uint value = _countLatched ? _latch : Present(Value());
            byte result;
            if (_access == AccessLow)
            {
                result = (byte)value;
                _countLatched = false;
            }
            else if (_access == AccessHigh)
            {
                result = (byte)(value >> 8);
                _countLatched = false;
            }
            else
            {
                result = _readHigh ? (byte)(value >> 8) : (byte)value;
                if (_readHigh)
                {
                    _countLatched = false;
                }
                _readHigh = !_readHigh;
            }
            return result;
        }

        public void Write(byte value)
        {
            if (_access == AccessWord && !_writeHigh)
            {
                _lowByte = value;
                _writeHigh = true;
                if (_mode == 0 && _running)
                {
                    Freeze(); // mode 0: the first byte stops the count
                }
                return;
            }
            uint count = _access == AccessLow ? value : _access == AccessHigh ? (uint)value << 8 : (uint)(_lowByte | (value << 8));
            _writeHigh = false;
            _reload = FromBcd(count);
            _nullCount = false;
            LoadCount();
        }

        private void LoadCount()
        {
            if (_mode == 1 || _mode == 5)
            {
                return; // hardware-triggered: waits for a gate rising edge
            }
            _outHeldHigh = false;
            if (_gate)
            {
                Start(_reload);
            }
            else
            {
                _frozenValue = _reload;
                _running = false;
            }
        }

        /// <summary>The GATE input (counter 2's is port 0x61 bit 0; counters 0 and 1 are tied high).</summary>
        public void SetGate(bool gate)
        {
            if (gate == _gate)
            {
                return;
            }
            _gate = gate;
            if (_nullCount && _mode != 1 && _mode != 5)
            {
                return; // no count written yet
            }
            if (!gate)
            {
                if (_mode != 1 && _mode != 5 && _running)
                {
                    Freeze(); // modes 0/4 pause, modes 2/3 stop with OUT high
                }
                return;
            }
            if (_mode == 0 || _mode == 4)
            {
                bool heldHigh = _outHeldHigh;
                Start(_frozenValue);
                if (heldHigh)
                {
                    _edgesReported = 1;
                }
            }
            else if (!_nullCount)
            {
                Start(_reload); // modes 1/5 trigger, modes 2/3 reload
            }
        }

        public const int StateSize = 2 + 1 + 4 + 8 + 4 + 1 + 1 + 1 + 4 + 1 + 8 + 4 + 2 + 2;

        public void Save(ref StateWriter writer)
        {
            writer.U8(_mode);
            writer.U8(_access);
            writer.Bool(_bcd);
            writer.U32(_reload);
            writer.U64(_startTsc);
            writer.U32(_startValue);
            writer.Bool(_running);
            writer.Bool(_gate);
            writer.Bool(_nullCount);
            writer.U32(_frozenValue);
            writer.Bool(_outHeldHigh);
            writer.U64(_edgesReported);
            writer.Bool(_countLatched);
            writer.Bool(_statusLatched);
            writer.Bool(_readHigh);
            writer.Bool(_writeHigh);
            writer.U16(_latch);
            writer.U8(_status);
            writer.U8(_lowByte);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _mode = reader.U8();
            _access = reader.U8();
            _bcd = reader.Bool(ref valid);
            _reload = reader.U32();
            _startTsc = reader.U64();
            _startValue = reader.U32();
            _running = reader.Bool(ref valid);
            _gate = reader.Bool(ref valid);
            _nullCount = reader.Bool(ref valid);
            _frozenValue = reader.U32();
            _outHeldHigh = reader.Bool(ref valid);
            _edgesReported = reader.U64();
            _countLatched = reader.Bool(ref valid);
            _statusLatched = reader.Bool(ref valid);
            _readHigh = reader.Bool(ref valid);
            _writeHigh = reader.Bool(ref valid);
            _latch = reader.U16();
            _status = reader.U8();
            _lowByte = reader.U8();
            if (_mode > 5 || _access < 1 || _access > 3 || _reload > 0xFFFF || _startValue == 0 && _running
                || _startValue > 65536 || _frozenValue > 65536)
            {
                valid = false;
                _mode = 0;
                _access = AccessWord;
                _running = false;
                _reload = 0;
            }
        }
    }
}
