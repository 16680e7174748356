using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Cpu
{
    // The IDT: the 32 architectural exception vectors point at the stubs in boot/interrupts.asm.
    // #DF and #MC run on their own stack (IST1) so a stack overflow still reaches the panic printer.
    internal static unsafe class InterruptTable
    {
        private const int Vectors = 256;
        private const ushort KernelCodeSelector = 0x08;
        public const int LegacyIrqBase = 0x20;
        private static ulong* s_table;

        public static ulong Base => (ulong)s_table;

        [StructLayout(LayoutKind.Sequential, Pack = 1)]
        private struct Descriptor
        {
            public ushort Limit;
            public ulong Base;
        }

        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_isr_stubs")] private static extern ulong* hv_isr_stubs();
        [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("*", "hv_irq_stub_address")] private static extern ulong hv_irq_stub_address();

        public static void Install()
        {
            s_table = (ulong*)Internal.Runtime.Heap.Allocate(Vectors * 16);
            ulong* stubs = hv_isr_stubs();
            for (int v = 0; v < 32; v++)
            {
                byte ist = (byte)(v == 8 || v == 18 ? 1 : 0);
                SetGate(v, stubs[v], ist);
            }
            ulong irq = hv_irq_stub_address();
            for (int v = LegacyIrqBase; v < LegacyIrqBase + 16; v++) SetGate(v, irq, 0);
            Descriptor d;
            d.Limit = Vectors * 16 - 1;
            d.Base = (ulong)s_table;
            Native.hv_lidt(&d);
        }

        // SDM 6.14.1: 64-bit interrupt gate, present, DPL 0, type 0xE.
        private static void SetGate(int vector, ulong handler, byte ist)
        {
            ulong low = (handler & 0xFFFF) | ((ulong)KernelCodeSelector << 16) | ((ulong)ist << 32)
                        | (0x8EUL << 40) | (((handler >> 16) & 0xFFFF) << 48);
            s_table[vector * 2] = low;
            s_table[vector * 2 + 1] = handler >> 32;
        }
    }
}
