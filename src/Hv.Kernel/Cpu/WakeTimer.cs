using Hv.Kernel.Platform;

namespace Hv.Kernel.Cpu
{
    // PIT channel 0 as a periodic tick on IRQ 0: the host loop sleeps in HLT when no guest can run, and the NIC is
    // polled (its interrupts are off), so the tick is what wakes the host to take frames and run TCP's timers. While
    // a guest runs, the tick ends its turn (an external-interrupt exit), so the NIC is also polled then.
    internal static class WakeTimer
    {
        private const uint PitHz = 1193182;
        private const byte Channel0RateGenerator = 0x34; // channel 0, low then high byte, mode 2, binary

        public static void Start(uint hz)
        {
            uint divisor = PitHz / hz;
            Native.hv_outb(0x43, Channel0RateGenerator);
            Native.hv_outb(0x40, (byte)divisor);
            Native.hv_outb(0x40, (byte)(divisor >> 8));
            LegacyPic.Unmask(LegacyPic.TimerIrq);
        }
    }
}
