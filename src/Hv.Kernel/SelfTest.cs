using Hv.Core.Text;

namespace Hv.Kernel
{
    // Deliberate faults chosen on the command line (hv.selftest=...), so tests can see the panic path work, and the
    // heap's cost figures (hv.selftest=heap).
    internal static unsafe class SelfTest
    {
        public static void Run(string test, TextSink log)
        {
            if (test == null) return;
            log.Write("selftest: ");
            log.WriteLine(test);
            if (test == "pagefault")
            {
                // 64 GiB lies beyond the boot identity map: a not-present page fault.
                ulong* unmapped = (ulong*)0x1000000000UL;
                *unmapped = 0xDEAD;
            }
            else if (test == "panic")
            {
                Internal.Runtime.Panic.Fail("selftest panic");
            }
            else if (test == "heap")
            {
                Memory.HeapFigures.MeasureCosts(log);
            }
            else if (test == "doublefree")
            {
                void* block = Internal.Runtime.Heap.Allocate(32);
                Internal.Runtime.Heap.Free(block);
                Internal.Runtime.Heap.Free(block);
            }
        }
    }
}
