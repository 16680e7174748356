using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Memory
{
    // Turns the firmware's memory map into the page allocator, keeping the image, the boot information and
    // the boot modules (guest images and templates) out of it, then moves the kernel heap into free memory.
    internal static unsafe class BootMemory
    {
        // The kernel heap holds every VM's record and console buffers (about 21 KiB a VM) and never frees: a quarter of
        // memory, between 32 MiB and 256 MiB.
        private const ulong MinHeapPages = 8192, MaxHeapPages = 65536;

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

            ulong heapPages = pages.FreePages / 4;
            if (heapPages < MinHeapPages) heapPages = MinHeapPages;
            if (heapPages > MaxHeapPages) heapPages = MaxHeapPages;
            ulong heap = pages.AllocateContiguous((int)heapPages, 1);
            if (heap == 0) Internal.Runtime.Panic.Fail("no memory for the kernel heap");
            Internal.Runtime.Heap.Initialize((void*)heap, heapPages * PageAllocator.PageSize);
            log.Write("heap: ");
            log.WriteSize(heapPages * PageAllocator.PageSize);
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
