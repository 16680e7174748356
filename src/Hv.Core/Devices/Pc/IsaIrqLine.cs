using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// ISA IRQ n as a PC board wires it: to the 8259 pair's input n and to the IOAPIC's pin n, except IRQ 0 (the PIT),
    /// which reaches IOAPIC pin 2 — the interrupt source override every PC MADT declares.
    /// </summary>
    public sealed class IsaIrqLine : IrqLine
    {
        private readonly PicPair _pic;
        private readonly IoApic _ioApic;
        private readonly int _irq;

        public IsaIrqLine(PicPair pic, IoApic ioApic, int irq)
        {
            _pic = pic;
            _ioApic = ioApic;
            _irq = irq;
        }

        /// <summary>The IOAPIC input ISA IRQ <paramref name="irq"/> is wired to.</summary>
        public static int IoApicPin(int irq)
        {
            return irq == 0 ? 2 : irq;
        }

        public override void Set(bool asserted)
        {
            _pic.SetIrq(_irq, asserted);
            _ioApic.SetInput(IoApicPin(_irq), asserted);
        }
    }
}
