using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Time;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// The 8254 programmable interval timer at ports 0x40-0x43: counters 0-2 at offsets 0-2 and the control word at
    /// offset 3 (counter select, access, mode, BCD; select 3 is the read-back command). Counter 0's OUT drives ISA
    /// IRQ 0 (each rising edge is one request, pulsed by <see cref="Update"/>); counter 2's gate and OUT belong to
    /// port 0x61 (<see cref="SystemControlPortB"/>), which Linux uses to calibrate the TSC.
    /// </summary>
    public sealed class Pit8254 : PortDevice
    {
        public const ushort BasePort = 0x40;
        public const int PortCount = 4;

        private readonly PitChannel[] _channels = new PitChannel[3];
        private readonly IrqLine _irq0;

        public Pit8254(DeviceClock clock, IrqLine irq0)
        {
            _irq0 = irq0;
            for (int i = 0; i < 3; i++)
            {
                _channels[i] = new PitChannel(clock, i != 2);
            }
        }

        /// <summary>Gives the counters back (their platform is being freed); its IRQ line is the platform's.</summary>
        public void Free()
        {
            for (int i = 0; i < 3; i++) Owned.Free(_channels[i]);
            Owned.Free(_channels);
            Owned.Free(this);
        }

        /// <summary>Power-on: every counter without a mode or count; counter 2's gate low, 0 and 1's tied high.</summary>
        public void Reset()
        {
            for (int i = 0; i < 3; i++)
            {
                _channels[i].Reset(i != 2);
            }
        }

        public PitChannel Channel(int index)
        {
            return _channels[index];
        }

        public override uint In(ushort offset, int size)
        {
            return offset < 3 ? _channels[offset].Read() : 0xFFu; // the control register cannot be read
        }

        public override void Out(ushort offset, int size, uint value)
        {
            byte b = (byte)value;
            if (offset < 3)
            {
                _channels[offset].Write(b);
                return;
            }
            int select = b >> 6;
            if (select < 3)
            {
                _channels[select].WriteControl(b);
                return;
            }
            // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 3:1 select counters 0-2.
            for (int i = 0; i < 3; i++)
            {
                if ((b & (2 << i)) == 0)
                {
                    continue;
                }
                if ((b & 0x20) == 0)
                {
                    _channels[i].LatchCount();
                }
                if ((b & 0x10) == 0)
                {
                    _channels[i].LatchStatus();
                }
            }
        }

        /// <summary>Raises IRQ 0 once if counter 0's OUT rose since the last call.</summary>
        public void Update()
        {
            if (_channels[0].TakeRisingEdge() && _irq0 != null)
            {
                _irq0.Set(true);
                _irq0.Set(false);
            }
        }

        public ulong NextDeadline()
        {
            return _channels[0].NextEdge();
        }

        public const int StateSize = 3 * PitChannel.StateSize;

        public void Save(ref StateWriter writer)
        {
            for (int i = 0; i < 3; i++)
            {
                _channels[i].Save(ref writer);
            }
        }

        public void Load(ref StateReader reader, ref bool valid)
        {
            for (int i = 0; i < 3; i++)
            {
                _channels[i].Load(ref reader, ref valid);
            }
        }
    }
}
