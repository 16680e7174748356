using Hv.Core.Text;
using Hv.Kernel.Platform;
using Heap = Internal.Runtime.Heap;

namespace Hv.Kernel.Memory
{
    // What the kernel heap reports about itself: its use (printed at "ready"), and the cost of its operations in TSC
    // ticks (hv.selftest=heap; under Bochs the TSC counts instructions, so the figures are exact and repeatable).
    internal static unsafe class HeapFigures
    {
        private const int Operations = 1000;

        public static void WriteUse(TextSink log)
        {
            log.Write("heap: ");
            log.WriteDecimal(Heap.UsedBytes - Heap.BootBytes);
            log.Write(" bytes in ");
            log.WriteDecimal(Heap.BlocksInUse);
            log.Write(" blocks, ");
            log.WriteDecimal(Heap.PagesHeld);
            log.Write(" pages held, ");
            log.WriteDecimal(Heap.BootBytes);
            log.WriteLine(" bytes of start-up arena");
        }

        public static void MeasureCosts(TextSink log)
        {
            FreeTypedObjects(log);
            void** blocks = (void**)Heap.Allocate((ulong)(Operations * sizeof(void*)));
            Measure(log, 32, blocks);
            Measure(log, 1024, blocks);
            Measure(log, 16384, blocks);
            Heap.Free(blocks);
        }

        // Heap.Free(object) works out each object's block size from its type: arrays of both block kinds, a string and
        // a plain object go back and leave nothing behind (a wrong size would panic).
        private static void FreeTypedObjects(TextSink log)
        {
            ulong blocks = Heap.BlocksInUse;
            Heap.Free(new byte[100]);
            Heap.Free(new ulong[3000]);
            char[] chars = { 'h', 'v' };
            Heap.Free(new string(chars, 0, chars.Length));
            Heap.Free(chars);
            Heap.Free(new object());
            log.Write("selftest: heap typed frees left ");
            log.WriteDecimal(Heap.BlocksInUse - blocks);
            log.WriteLine(" blocks");
        }

        // Mean ticks of one Allocate and one Free over `Operations` blocks of `size` bytes, all live at once.
        private static void Measure(TextSink log, ulong size, void** blocks)
        {
            ulong start = Native.hv_rdtsc();
            for (int i = 0; i < Operations; i++) blocks[i] = Heap.Allocate(size);
            ulong allocated = Native.hv_rdtsc();
            for (int i = 0; i < Operations; i++) Heap.Free(blocks[i]);
            ulong freed = Native.hv_rdtsc();
            log.Write("selftest: heap ");
            log.WriteDecimal(size);
            log.Write(" B: allocate ");
            log.WriteDecimal((allocated - start) / Operations);
            log.Write(" ticks, free ");
            log.WriteDecimal((freed - allocated) / Operations);
            log.Write(" ticks (mean of ");
            log.WriteDecimal((ulong)Operations);
            log.WriteLine(")");
        }
    }
}
