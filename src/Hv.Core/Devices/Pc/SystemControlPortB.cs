using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// Port 0x61, NMI status and control: bit 0 gates PIT counter 2, bit 1 enables the speaker, bits 2-3 are the
    /// parity/IOCHK NMI enables (stored); reads add bit 4, the DRAM refresh toggle (flips every 15.09 µs, which old
    /// delay loops watch), and bit 5, counter 2's OUT (what Linux's PIT calibration polls).
    /// </summary>
    public sealed class SystemControlPortB : PortDevice
    {
        public const ushort Port = 0x61;
        private const ulong RefreshToggleHz = 66_288; // one flip per 15.086 µs

        private readonly DeviceClock _clock;
        private readonly PitChannel _counter2;
        private byte _control;

        public SystemControlPortB(DeviceClock clock, Pit8254 pit)
        {
            _clock = clock;
            _counter2 = pit.Channel(2);
        }

        public byte Control { get { return _control; } }

        public override uint In(ushort offset, int size)
        {
            uint value = _control;
            if ((_clock.ToDeviceTicks(_clock.Now, RefreshToggleHz) & 1) != 0)
            {
                value |= 0x10;
            }
            if (_counter2.Out())
            {
                value |= 0x20;
            }
            return value;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            _control = (byte)(value & 0x0F);
            _counter2.SetGate((value & 1) != 0);
        }

        /// <summary>Restores the control bits (counter 2's gate is part of the PIT's own state).</summary>
        public void Restore(byte control)
        {
            _control = (byte)(control & 0x0F);
        }
    }
}
