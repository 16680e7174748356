using Hv.Kernel.Platform;

namespace Hv.Kernel.Cpu
{
    // The two 8259 PICs: remapped to vectors 0x20-0x2F (away from CPU exceptions), everything masked except the
    // lines the kernel asks for. Guests never see these; an unmasked IRQ arriving while a guest runs is a VM exit.
    internal static class LegacyPic
    {
        public const int TimerIrq = 0;
        public const int Com1Irq = 4;

        // enabledIrq -1 masks every line.
        public static void Initialize(int enabledIrq)
        {
            Native.hv_outb(0x20, 0x11); // ICW1: edge triggered, cascade, ICW4 follows
            Native.hv_outb(0xA0, 0x11);
            Native.hv_outb(0x21, InterruptTable.LegacyIrqBase);
            Native.hv_outb(0xA1, InterruptTable.LegacyIrqBase + 8);
            Native.hv_outb(0x21, 0x04); // slave on IRQ2
            Native.hv_outb(0xA1, 0x02);
            Native.hv_outb(0x21, 0x01); // 8086 mode
            Native.hv_outb(0xA1, 0x01);
            Native.hv_outb(0x21, (byte)(enabledIrq < 0 ? 0xFF : ~(1 << enabledIrq)));
            Native.hv_outb(0xA1, 0xFF);
        }

        // Opens one more master line (IRQ 0-7) and keeps the others as they are.
        public static void Unmask(int irq) => Native.hv_outb(0x21, (byte)(Native.hv_inb(0x21) & ~(1 << irq)));

        // Non-specific end of interrupt; harmless when nothing is in service. Needed after an IRQ that the CPU
        // acknowledged on a VM exit ("acknowledge interrupt on exit"), which never ran the IDT stub.
        public static void EndOfInterrupt() => Native.hv_outb(0x20, 0x20);
    }
}
