namespace Hv.Kernel.Platform
{
    // Ending the run: the emulators' power-off ports. Bochs ends on "Shutdown" written to port 0x8900;
    // QEMU's isa-debug-exit device (the launcher adds it at 0xF4) exits with status (value << 1) | 1.
    internal static class Machine
    {
        public static void PowerOff()
        {
            const string command = "Shutdown";
            for (int i = 0; i < command.Length; i++) Native.hv_outb(0x8900, (byte)command[i]);
            Native.hv_outd(0xF4, 0);
            HaltForever();
        }

        public static void HaltForever()
        {
            Native.hv_disable_interrupts();
            for (;;) Native.hv_halt();
        }
    }
}
