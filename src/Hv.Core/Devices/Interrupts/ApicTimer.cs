using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The local APIC timer (SDM Vol. 3A 11.5.4): a 32-bit down-counter clocked at the APIC timer rate divided by the
    /// divide-configuration register, in one-shot, periodic or TSC-deadline mode. The count is never stepped: the
    /// current count is computed from the guest TSC at which counting started, so the timer costs nothing between
    /// reads and expiries. Expiry is observed by <see cref="Expire"/>, which the APIC calls whenever time advances.
    /// </summary>
    public sealed class ApicTimer
    {
        public const int ModeOneShot = 0;
        public const int ModePeriodic = 1;
        public const int ModeTscDeadline = 2;

        private readonly DeviceClock _clock;
        private readonly ulong _hz;
        private int _mode;
        private uint _initialCount;
        private uint _divideConfig;
        private ulong _startTsc;
        private bool _armed;
        private ulong _deadline;

        public ApicTimer(DeviceClock clock, ulong hz)
        {
            _clock = clock;
            _hz = hz == 0 ? 1 : hz;
        }

        public uint InitialCount { get { return _initialCount; } }
        public uint DivideConfig { get { return _divideConfig; } }
        /// <summary>IA32_TSC_DEADLINE as the guest reads it: 0 unless armed in TSC-deadline mode.</summary>
        public ulong TscDeadline { get { return _mode == ModeTscDeadline && _armed ? _deadline : 0; } }

        public void Reset()
        {
            _mode = ModeOneShot;
            _initialCount = _divideConfig = 0;
            _startTsc = _deadline = 0;
            _armed = false;
        }

        /// <summary>Divisor 2, 4, .., 128 or 1 from bits 3 and 1:0 of the divide-configuration register.</summary>
        private ulong Divisor
        {
            get
            {
                uint code = ((_divideConfig & 8) >> 1) | (_divideConfig & 3);
                return code == 7 ? 1UL : 2UL << (int)code;
            }
        }

        /// <summary>The LVT timer's mode field changed. Moving into or out of TSC-deadline mode disarms the timer (SDM 11.5.4.1).</summary>
        public void SetMode(int mode)
        {
            if (mode == _mode)
            {
                return;
            }
            if (mode == ModeTscDeadline || _mode == ModeTscDeadline)
            {
                _armed = false;
                _deadline = 0;
                _initialCount = 0;
            }
            _mode = mode;
        }

        /// <summary>Writing the initial count starts counting from it; 0 stops the timer. Ignored in TSC-deadline mode.</summary>
        public void WriteInitialCount(uint value)
        {
            if (_mode == ModeTscDeadline)
            {
                return;
            }
            _initialCount = value;
            _startTsc = _clock.Now;
            _armed = value != 0;
        }

        /// <summary>A new divisor applies from now on: the count continues from its current value.</summary>
        public void WriteDivideConfig(uint value)
        {
            uint current = CurrentCount();
            bool armed = _armed;
            _divideConfig = value & 0xB;
            if (armed && _mode != ModeTscDeadline && current != 0)
            {
                // Restart the period so that the current count is preserved under the new rate.
                ulong elapsed = (ulong)(_initialCount - current) * Divisor;
                ulong tsc = _clock.ToTscTicks(elapsed, _hz);
                _startTsc = _clock.Now >= tsc ? _clock.Now - tsc : 0;
            }
        }

        public void WriteTscDeadline(ulong value)
        {
            if (_mode != ModeTscDeadline)
            {
                return; // writes are ignored outside TSC-deadline mode
            }
            _deadline = value;
            _armed = value != 0;
        }

        private ulong ElapsedCounts()
        {
            ulong tsc = _clock.Now > _startTsc ? _clock.Now - _startTsc : 0;
            return _clock.ToDeviceTicks(tsc, _hz) / Divisor;
        }

        /// <summary>The current-count register.</summary>
        public uint CurrentCount()
        {
            if (_mode == ModeTscDeadline || _initialCount == 0 || (_mode == ModeOneShot && !_armed))
            {
                return 0;
            }
            ulong elapsed = ElapsedCounts();
            if (_mode == ModePeriodic)
            {
                return (uint)(_initialCount - elapsed % _initialCount);
            }
            return elapsed >= _initialCount ? 0 : (uint)(_initialCount - elapsed);
        }

        /// <summary>The guest TSC at which the timer next fires, or ulong.MaxValue when it will not.</summary>
        public ulong NextDeadline()
        {
            if (!_armed)
            {
                return ulong.MaxValue;
            }
            if (_mode == ModeTscDeadline)
            {
                return _deadline;
            }
            ulong periods = _mode == ModePeriodic ? ElapsedCounts() / _initialCount + 1 : 1;
            ulong counts = periods * _initialCount;
            return DeviceClock.After(_startTsc, _clock.ToTscTicks(counts * Divisor, _hz));
        }

        /// <summary>
        /// True when the timer reached zero since the last call (several missed periods count once, as an IRR bit
        /// would hold them). A one-shot or TSC-deadline timer disarms; a periodic one keeps counting.
        /// </summary>
        public bool Expire()
        {
            if (!_armed)
            {
                return false;
            }
            if (_mode == ModeTscDeadline)
            {
                if (_clock.Now < _deadline)
                {
                    return false;
                }
                _armed = false;
                _deadline = 0;
                return true;
            }
            ulong elapsed = ElapsedCounts();
            if (elapsed < _initialCount)
            {
                return false;
            }
            if (_mode == ModePeriodic)
            {
                // Move the start to the latest period boundary so the next expiry is one period away.
                ulong periods = elapsed / _initialCount;
                _startTsc = DeviceClock.After(_startTsc, _clock.ToTscTicks(periods * _initialCount * Divisor, _hz));
            }
            else
            {
                _armed = false;
            }
            return true;
        }

        public void Save(ref StateWriter writer)
        {
            writer.U8((byte)_mode);
            writer.U32(_initialCount);
            writer.U32(_divideConfig);
            writer.U64(_startTsc);
            writer.Bool(_armed);
            writer.U64(_deadline);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _mode = reader.U8();
            _initialCount = reader.U32();
            _divideConfig = reader.U32();
            _startTsc = reader.U64();
            _armed = reader.Bool(ref valid);
            _deadline = reader.U64();
            if (_mode > ModeTscDeadline || (_divideConfig & ~0xBu) != 0 || (_armed && _mode != ModeTscDeadline && _initialCount == 0))
            {
                valid = false;
            }
        }
    }
}
