using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Memory
{
    // Turns the firmware's memory map into the page allocator, keeping the image, the boot information and
    // the boot modules (guest images and templates) out of it, then has the kernel heap take its pages from it.
    internal static unsafe class BootMemory
    {
        public static PageAllocator Initialize(Multiboot2Info info, ulong bootInfo, uint bootInfoSize, TextSink log, out ulong usableEnd)
        {
            BootModule[] modules = info.Modules;
            PhysicalRange[] reserved = new PhysicalRange[2 + modules.Length];
            reserved[0] = Range(Native.hv_image_start(), Native.hv_image_end());
            reserved[1] = Range(bootInfo, bootInfo + bootInfoSize);
            for (int i = 0; i < modules.Length; i++) reserved[2 + i] = Range(modules[i].Start, modules[i].End);

            MemoryRegion[] regions = info.MemoryRegions;
            log.WriteLine("memory map:");
            for (int i = 0; i < regions.Length; i++)
            {
                log.Write("  ");
                log.WriteHex(regions[i].Base, 12);
                log.Write("-");
                log.WriteHex(regions[i].Base + regions[i].Length, 12);
                log.Write(" type ");
                log.WriteDecimal((ulong)regions[i].Type);
                log.Write(" ");
                log.WriteSize(regions[i].Length);
                log.WriteLine();
            }

            MemoryMap map = MemoryMap.Build(regions, reserved);
            usableEnd = map.HighestUsableEnd;
            PageAllocator pages = new PageAllocator(map);
            log.Write("memory: total ");
            log.WriteSize(map.TotalBytes);
            log.Write(", usable ");
            log.WriteSize(map.UsableBytes);
            log.Write(", free pages ");
            log.WriteDecimal(pages.FreePages);
            log.WriteLine();

            log.Write("modules: ");
            log.WriteDecimal((ulong)modules.Length);
            log.WriteLine();
            for (int i = 0; i < modules.Length; i++)
            {
                log.Write("  ");
                log.WriteHex(modules[i].Start, 8);
                log.Write(" ");
                log.WriteSize(modules[i].End - modules[i].Start);
                log.Write(" ");
                log.WriteLine(modules[i].CommandLine);
            }

            Internal.Runtime.Heap.UsePages(new KernelHeapPages(pages), 0, usableEnd);
            log.Write("heap: pages from the page allocator; start-up arena ");
            log.WriteSize(Internal.Runtime.Heap.BootBytes);
            log.WriteLine();
            return pages;
        }

        private static PhysicalRange Range(ulong start, ulong end)
        {
            PhysicalRange r;
            r.Start = start;
            r.End = end;
            return r;
        }
    }
}
