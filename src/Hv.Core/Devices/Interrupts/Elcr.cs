namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The edge/level control registers (ports 0x4D0 master, 0x4D1 slave, as on the PIIX/ICH): bit n set makes IRQ n
    /// level-triggered at the 8259. IRQ 0, 1, 2, 8 and 13 are edge-only; their bits read 0.
    /// </summary>
    public sealed class Elcr : PortDevice
    {
        public const int PortCount = 2;
        public const byte MasterMask = 0xF8, SlaveMask = 0xDE;

        private readonly PicPair _pair;

        public Elcr(PicPair pair)
        {
            _pair = pair;
        }

        public override uint In(ushort offset, int size)
        {
            uint value = 0;
            for (int i = 0; i < size && offset + i < PortCount; i++)
            {
                value |= (uint)(offset + i == 0 ? _pair.Master.Elcr : _pair.Slave.Elcr) << (8 * i);
            }
            return value;
        }

        public override void Out(ushort offset, int size, uint value)
        {
            for (int i = 0; i < size && offset + i < PortCount; i++)
            {
                byte b = (byte)(value >> (8 * i));
                if (offset + i == 0)
                {
                    _pair.Master.Elcr = (byte)(b & MasterMask);
                }
                else
                {
                    _pair.Slave.Elcr = (byte)(b & SlaveMask);
                }
            }
        }
    }
}
