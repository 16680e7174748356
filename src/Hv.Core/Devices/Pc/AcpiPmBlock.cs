using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// The ACPI fixed-hardware power-management registers (ACPI 6.5 §4.8), twelve ports from <see cref="BasePort"/>
    /// that the FADT names: PM1a_EVT_BLK at +0 (PM1_STS, write 1 to clear; PM1_EN at +2), PM1a_CNT_BLK at +4
    /// (SCI_EN, SLP_TYP, SLP_EN) and PM_TMR_BLK at +8 (the 24-bit, 3.579545 MHz power-management timer; the FADT
    /// must leave TMR_VAL_EXT clear). SCI_EN reads 1 from power-on (the platform is always in ACPI mode, so the
    /// FADT needs no SMI_CMD). Writing SLP_EN with SLP_TYP = <see cref="SoftOffSleepType"/> (the DSDT's _S5 value)
    /// requests power-off; other sleep types wake at once (WAK_STS). The SCI (ISA IRQ 9, level) is asserted while an
    /// enabled status bit is set.
    /// </summary>
    public sealed class AcpiPmBlock : PortDevice
    {
        public const ushort BasePort = 0x600;
        public const int PortCount = 12;
        public const ulong TimerHz = 3_579_545;
        /// <summary>SLP_TYP for S5; the DSDT's \_S5 package must name this value.</summary>
        public const int SoftOffSleepType = 5;

        // PM1 status/enable bits.
        public const ushort TimerStatus = 1 << 0, GlobalStatus = 1 << 5, PowerButtonStatus = 1 << 8;
        public const ushort SleepButtonStatus = 1 << 9, RtcStatus = 1 << 10, WakeStatus = 1 << 15;
        private const ushort StatusWritable = TimerStatus | 1 << 4 | GlobalStatus | PowerButtonStatus | SleepButtonStatus | RtcStatus | WakeStatus;
        private const ushort EnableWritable = TimerStatus | GlobalStatus | PowerButtonStatus | SleepButtonStatus | RtcStatus;
        // PM1 control bits.
        private const ushort SciEnable = 1 << 0, SleepEnable = 1 << 13;
        private const ushort ControlWritable = 0x1C07 & ~(1 << 2); // SCI_EN, BM_RLD, SLP_TYP (GBL_RLS is write-only)

        private readonly DeviceClock _clock;
        private readonly IrqLine _sci;
        private ushort _status, _enable, _control;
        private ulong _timerCarries; // bit-23 transitions of the timer seen so far
        private bool _powerOffRequested;

        public AcpiPmBlock(DeviceClock clock, IrqLine sci)
        {
            _clock = clock;
            _sci = sci;
            Reset();
        }

        public void Reset()
        {
            _status = _enable = 0;
            _control = SciEnable;
            _timerCarries = Carries();
            _powerOffRequested = false;
        }

        /// <summary>The guest entered S5 (its "poweroff"): the VM's owner stops it with stop reason "guest power-off".</summary>
        public bool PowerOffRequested { get { return _powerOffRequested; } }
        public ushort Status { get { return _status; } }

        /// <summary>The PM timer's 24-bit value now.</summary>
        public uint TimerValue { get { return (uint)(_clock.ToDeviceTicks(_clock.Now, TimerHz) & 0xFFFFFF); } }

        private ulong Carries()
        {
            return _clock.ToDeviceTicks(_clock.Now, TimerHz) >> 23;
        }

        /// <summary>The host's "press the power button" (a graceful stop request): PWRBTN_STS, then an SCI if enabled.</summary>
        public void PressPowerButton()
        {
            _status |= PowerButtonStatus;
            UpdateSci();
        }

        /// <summary>Sets TMR_STS for every bit-23 transition of the timer since the last call, and updates the SCI.</summary>
        public void Update()
        {
            ulong carries = Carries();
            if (carries != _timerCarries)
            {
                _timerCarries = carries;
                _status |= TimerStatus;
            }
            UpdateSci();
        }

        /// <summary>The guest TSC of the next TMR_STS event when its interrupt is enabled, else ulong.MaxValue.</summary>
        public ulong NextDeadline()
        {
            if ((_enable & TimerStatus) == 0)
            {
                return ulong.MaxValue;
            }
            return _clock.ToTscTicks((_timerCarries + 1) << 23, TimerHz);
        }

        private void UpdateSci()
        {
            if (_sci != null)
            {
                _sci.Set((_control & SciEnable) != 0 && (_status & _enable) != 0);
            }
        }

        public override uint In(ushort offset, int size)
        {
            Update();
            uint value = 0;
            for (int i = 0; i < size; i++)
            {
                value |= (uint)ReadByte(offset + i) << (8 * i);
            }
            return value;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            Update();
            for (int i = 0; i < size; i++)
            {
                WriteByte(offset + i, (byte)(value >> (8 * i)));
            }
            UpdateSci();
        }

        private byte ReadByte(int index)
        {
            switch (index)
            {
                case 0: return (byte)_status;
                case 1: return (byte)(_status >> 8);
                case 2: return (byte)_enable;
                case 3: return (byte)(_enable >> 8);
                case 4: return (byte)_control;
                case 5: return (byte)(_control >> 8);
                case 8: return (byte)TimerValue;
                case 9: return (byte)(TimerValue >> 8);
                case 10: return (byte)(TimerValue >> 16);
                default: return 0; // the timer's top byte (24-bit timer) and the reserved pair
            }
        }

        private void WriteByte(int index, byte value)
        {
            switch (index)
            {
                case 0:
                case 1:
                    int shift = (index & 1) * 8;
                    _status &= (ushort)~((value << shift) & StatusWritable); // write 1 to clear
                    break;
                case 2:
                case 3:
                    int at = (index & 1) * 8;
                    _enable = (ushort)((_enable & ~(0xFF << at)) | ((value << at) & EnableWritable));
                    break;
                case 4:
                    _control = (ushort)((_control & 0xFF00) | (value & ControlWritable & 0xFF));
                    break;
                case 5:
                    _control = (ushort)((_control & 0x00FF) | ((value << 8) & ControlWritable & 0xFF00));
                    if ((value << 8 & SleepEnable) != 0)
                    {
                        Sleep((_control >> 10) & 7);
                    }
                    break;
            }
        }

        private void Sleep(int type)
        {
            if (type == SoftOffSleepType)
            {
                _powerOffRequested = true;
                return;
            }
            _status |= WakeStatus; // S1-S4 are not offered: the platform wakes at once
        }

        public const int StateSize = 2 + 2 + 2 + 8 + 1;

        public void Save(ref StateWriter writer)
        {
            writer.U16(_status);
            writer.U16(_enable);
            writer.U16(_control);
            writer.U64(_timerCarries);
            writer.Bool(_powerOffRequested);
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            _status = reader.U16();
            _enable = reader.U16();
            _control = reader.U16();
            _timerCarries = reader.U64();
            _powerOffRequested = reader.Bool(ref valid);
            if ((_status & ~StatusWritable) != 0 || (_enable & ~EnableWritable) != 0 || (_control & ~ControlWritable) != 0)
            {
                valid = false;
                _status &= StatusWritable;
                _enable &= EnableWritable;
                _control &= ControlWritable;
            }
            UpdateSci();
        }
    }
}
