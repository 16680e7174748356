using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// The MC146818-compatible CMOS clock at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data): time and date
    /// registers 0-9 in BCD or binary and 12/24-hour form (register B), status A (UIP during the last 244 µs of
    /// each second, divider and rate select), B (SET, interrupt enables, formats), C (flags, cleared by reading) and D
    /// (valid RAM), the century at 0x32, and battery-backed RAM for the rest of the 128 bytes. The clock runs on the
    /// guest TSC from the wall time the VM started with; update-ended, alarm and periodic flags raise IRQ 8.
    /// </summary>
    public sealed class CmosRtc : PortDevice
    {
        public const ushort BasePort = 0x70;
        public const int PortCount = 2;
        public const int CenturyRegister = 0x32;

        private const int RegA = 0x0A, RegB = 0x0B, RegC = 0x0C, RegD = 0x0D;
        private const byte BSet = 0x80, BPeriodic = 0x40, BAlarm = 0x20, BUpdate = 0x10, BBinary = 0x04, B24Hour = 0x02;
        private const byte CIrq = 0x80;
        private const ulong UpdateMicroseconds = 244;

        private readonly DeviceClock _clock;
        private readonly IrqLine _irq8;
        private readonly byte[] _ram = new byte[128];

        /// <summary>Gives the clock back (its platform is being freed); its IRQ line is the platform's.</summary>
        public void Free()
        {
            Owned.Free(_ram);
            Owned.Free(this);
        }
        private byte _index;
        private bool _nmiMasked;
        private ulong _baseSeconds; // the wall time (Unix seconds) at _baseTsc
        private ulong _baseTsc;
        private ulong _lastSecond, _lastPeriod;

        public CmosRtc(DeviceClock clock, IrqLine irq8, ulong unixSeconds)
        {
            _clock = clock;
            _irq8 = irq8;
            Reset(unixSeconds);
        }

        /// <summary>Power-on: 24-hour BCD (what PC firmware leaves), 32.768 kHz divider, 1024 Hz rate, no interrupts.</summary>
        public void Reset(ulong unixSeconds)
        {
            for (int i = 0; i < _ram.Length; i++)
            {
                _ram[i] = 0;
            }
            _ram[RegA] = 0x26;
            _ram[RegB] = B24Hour;
            _ram[RegD] = 0x80;
            _index = 0;
            _nmiMasked = false;
            _baseSeconds = unixSeconds;
            _baseTsc = _clock.Now;
            _lastSecond = unixSeconds;
            _lastPeriod = PeriodCount();
        }

        /// <summary>Port 0x70 bit 7: NMIs are masked while set.</summary>
        public bool NmiMasked { get { return _nmiMasked; } }

        /// <summary>The wall-clock time now, in Unix seconds.</summary>
        public ulong Seconds
        {
            get
            {
                if ((_ram[RegB] & BSet) != 0)
                {
                    return _baseSeconds; // SET freezes the clock
                }
                return _baseSeconds + (_clock.Now - _baseTsc) / _clock.TscHz;
            }
        }

        private bool UpdateInProgress()
        {
            if ((_ram[RegB] & BSet) != 0)
            {
                return false;
            }
            ulong fraction = (_clock.Now - _baseTsc) % _clock.TscHz;
            return fraction >= _clock.TscHz - _clock.ToTscTicks(UpdateMicroseconds, 1_000_000);
        }

        public override uint In(ushort offset, int size)
        {
            if (offset == 0)
            {
                return 0xFF; // the index register is write-only
            }
            Update();
            int index = _index;
            if (index <= 9 || index == CenturyRegister)
            {
                return ReadTimeField(index);
            }
            switch (index)
            {
                case RegA:
                    return (uint)(_ram[RegA] & 0x7F) | (UpdateInProgress() ? 0x80u : 0);
                case RegC:
                    byte flags = _ram[RegC];
                    _ram[RegC] = 0;
                    SetIrq();
                    return flags;
                default:
                    return _ram[index];
            }
        }

        public override void Out(ushort offset, int size, uint value)
        {
            byte b = (byte)value;
            if (offset == 0)
            {
                _index = (byte)(b & 0x7F);
                _nmiMasked = (b & 0x80) != 0;
                return;
            }
            Update();
            int index = _index;
            if (index <= 9 || index == CenturyRegister)
            {
                WriteTimeField(index, b);
                return;
            }
            switch (index)
            {
                case RegA:
                    _ram[RegA] = (byte)(b & 0x7F); // UIP is read-only
                    _lastPeriod = PeriodCount();
                    break;
                case RegB:
                    WriteB(b);
                    break;
                case RegC:
                case RegD:
                    break; // read-only
                default:
                    _ram[index] = b;
                    break;
            }
        }

        private void WriteB(byte value)
        {
            bool wasSet = (_ram[RegB] & BSet) != 0;
            if (!wasSet && (value & BSet) != 0)
            {
                _baseSeconds = Seconds; // freeze at the current second
            }
            if (wasSet && (value & BSet) == 0)
            {
                _baseTsc = _clock.Now; // the clock restarts from the time written while SET
                _lastSecond = _baseSeconds;
            }
            _ram[RegB] = (byte)((value & BSet) != 0 ? value & ~BUpdate : value); // SET clears UIE
            SetIrq();
        }

        private uint Encode(int value)
        {
            return (_ram[RegB] & BBinary) != 0 ? (uint)value : (uint)(value / 10 << 4 | value % 10);
        }

        private int Decode(byte value)
        {
            return (_ram[RegB] & BBinary) != 0 ? value : (value >> 4) * 10 + (value & 0xF);
        }

        private uint ReadTimeField(int index)
        {
            if (index == 1 || index == 3 || index == 5)
            {
                return _ram[index]; // alarm registers are plain storage
            }
            CivilTime t = CivilTime.FromUnixSeconds(Seconds);
            switch (index)
            {
                case 0: return Encode(t.Second);
                case 2: return Encode(t.Minute);
                case 4:
                    if ((_ram[RegB] & B24Hour) != 0)
                    {
                        return Encode(t.Hour);
                    }
                    int hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
                    return Encode(hour12) | (t.Hour >= 12 ? 0x80u : 0);
                case 6: return Encode(t.DayOfWeek);
                case 7: return Encode(t.Day);
                case 8: return Encode(t.Month);
                case 9: return Encode(t.Year % 100);
                default: return Encode(t.Year / 100);
            }
        }

        private void WriteTimeField(int index, byte value)
        {
            if (index == 1 || index == 3 || index == 5)
            {
                _ram[index] = value;
                return;
            }
            CivilTime t = CivilTime.FromUnixSeconds(Seconds);
            switch (index)
            {
                case 0: t.Second = Decode(value); break;
                case 2: t.Minute = Decode(value); break;
                case 4:
                    if ((_ram[RegB] & B24Hour) != 0)
                    {
                        t.Hour = Decode(value);
                    }
                    else
                    {
                        int hour = Decode((byte)(value & 0x7F)) % 12;
                        t.Hour = (value & 0x80) != 0 ? hour + 12 : hour;
                    }
                    break;
                case 6: return; // the day of the week follows from the date here
                case 7: t.Day = Decode(value); break;
                case 8: t.Month = Decode(value); break;
                case 9: t.Year = t.Year / 100 * 100 + Decode(value) % 100; break;
                default: t.Year = Decode(value) % 100 * 100 + t.Year % 100; break;
            }
            _baseSeconds = t.ToUnixSeconds();
            _baseTsc = _clock.Now;
            _lastSecond = _baseSeconds;
        }

        // The periodic interrupt rate from register A's RS bits (0 = off; 1 and 2 alias 8 and 9).
        private ulong PeriodicHz()
        {
            int rs = _ram[RegA] & 0xF;
            if (rs == 0)
            {
                return 0;
            }
            if (rs < 3)
            {
                rs += 7;
            }
            return 65536UL >> rs;
        }

        private ulong PeriodCount()
        {
            ulong hz = PeriodicHz();
            return hz == 0 ? 0 : _clock.ToDeviceTicks(_clock.Now, hz);
        }

        private bool AlarmMatches(ulong seconds)
        {
            CivilTime t = CivilTime.FromUnixSeconds(seconds);
            return FieldMatches(1, t.Second) && FieldMatches(3, t.Minute) && FieldMatches(5, t.Hour);
        }

        private bool FieldMatches(int index, int value)
        {
            byte alarm = _ram[index];
            return alarm >= 0xC0 || Decode(alarm) == value; // 0xC0-0xFF: "don't care"
        }

        /// <summary>Sets the update-ended, alarm and periodic flags for the time passed; IRQ 8 follows the enabled ones.</summary>
        public void Update()
        {
            ulong seconds = Seconds;
            if ((_ram[RegB] & BSet) == 0 && seconds != _lastSecond)
            {
                _ram[RegC] |= BUpdate;
                if (AlarmMatches(seconds))
                {
                    _ram[RegC] |= BAlarm;
                }
                _lastSecond = seconds;
            }
            ulong period = PeriodCount();
            if (period != _lastPeriod)
            {
                _ram[RegC] |= BPeriodic;
                _lastPeriod = period;
            }
            SetIrq();
        }

        private void SetIrq()
        {
            bool raised = (_ram[RegC] & _ram[RegB] & (BPeriodic | BAlarm | BUpdate)) != 0;
            if (raised)
            {
                _ram[RegC] |= CIrq;
            }
            if (_irq8 != null)
            {
                _irq8.Set(raised);
            }
        }

        /// <summary>The next guest TSC at which an enabled interrupt can fire, or ulong.MaxValue.</summary>
        public ulong NextDeadline()
        {
            ulong next = ulong.MaxValue;
            if ((_ram[RegB] & BPeriodic) != 0 && PeriodicHz() != 0)
            {
                next = _clock.ToTscTicks(PeriodCount() + 1, PeriodicHz());
            }
            if ((_ram[RegB] & (BUpdate | BAlarm)) != 0 && (_ram[RegB] & BSet) == 0)
            {
                ulong elapsed = (_clock.Now - _baseTsc) / _clock.TscHz + 1;
                ulong second = DeviceClock.After(_baseTsc, elapsed * _clock.TscHz);
                next = second < next ? second : next;
            }
            return next;
        }

        public const int StateSize = 128 + 1 + 1 + 8 * 5;

        public void Save(ref StateWriter writer)
        {
            for (int i = 0; i < _ram.Length; i++)
            {
                writer.U8(_ram[i]);
            }
            writer.U8(_index);
            writer.Bool(_nmiMasked);
            writer.U64(_baseSeconds);
            writer.U64(_baseTsc);
            writer.U64(_lastSecond);
            writer.U64(_lastPeriod);
            writer.U64(0);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            for (int i = 0; i < _ram.Length; i++)
            {
                _ram[i] = reader.U8();
            }
            _index = reader.U8();
            _nmiMasked = reader.Bool(ref valid);
            _baseSeconds = reader.U64();
            _baseTsc = reader.U64();
            _lastSecond = reader.U64();
            _lastPeriod = reader.U64();
            reader.U64();
            if (_index > 0x7F || _baseTsc > _clock.Now || (_ram[RegA] & 0x80) != 0)
            {
                valid = false;
                _index &= 0x7F;
                _baseTsc = _clock.Now;
                _ram[RegA] &= 0x7F;
            }
        }
    }
}
