using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Host
{
    // hv.bench: figures measured inside the image at boot, in TSC ticks (instructions under Bochs, so they repeat
    // exactly), printed as "bench: name=value" lines for tools/hv-bench.
    internal static class Benchmarks
    {
        private const int Rounds = 16;

        public static void Run(Hypervisor hypervisor, PageAllocator pages, TextSink log)
        {
            TemplateImage hello = hypervisor.Templates.Find("hello");
            if (hello == null)
            {
                log.WriteLine("bench: no hello template");
                return;
            }
            // New-HvVm from the 1 MiB hello template: a copy-on-write clone plus its vCPU.
            Report(log, "vm_create_tsc", CreateRemove(hypervisor, "hello", 0));
            // The same image loaded into fresh memory of another size (no clone): allocate, zero, map, copy the image.
            Report(log, "vm_load_tsc_2mib", CreateRemove(hypervisor, "hello", 2UL << 20));
            // Clones of 16 MiB and 256 MiB templates: O(1) in the template's size.
            Report(log, "clone_tsc_16mib", CloneCost(hypervisor, hello.Template, 16UL << 20, log));
            Report(log, "clone_tsc_256mib", CloneCost(hypervisor, hello.Template, 256UL << 20, log));

            VirtualMachine vm;
            if (hypervisor.Create("hello", "bench-idle", 0, out vm) == HypervisorStatus.Ok)
            {
                ulong privatePages, sharedPages;
                vm.MemoryUse(out privatePages, out sharedPages);
                Report(log, "clone_private_kib", privatePages * 4);
                hypervisor.Remove(vm.Id);
            }
            MaxClones(hypervisor, pages, log);
        }

        private static ulong CreateRemove(Hypervisor hypervisor, string template, ulong memory)
        {
            ulong total = 0;
            for (int i = 0; i < Rounds; i++)
            {
                VirtualMachine vm;
                ulong t0 = Native.hv_rdtsc();
                if (hypervisor.Create(template, "bench", memory, out vm) != HypervisorStatus.Ok) return 0;
                total += Native.hv_rdtsc() - t0;
                hypervisor.Remove(vm.Id);
            }
            return total / Rounds;
        }

        private static ulong CloneCost(Hypervisor hypervisor, Template image, ulong size, TextSink log)
        {
            var template = new Template("bench-template", image.Image, image.Mode, size, image.CommandLine, initrd: image.Initrd);
            if (hypervisor.AddTemplate(template) != HypervisorStatus.Ok)
            {
                log.WriteLine("bench: no memory for the template");
                return 0;
            }
            ulong cost = CreateRemove(hypervisor, "bench-template", 0);
            hypervisor.RemoveTemplate("bench-template");
            return cost;
        }

        // Clones of the 1 MiB hello template until the host refuses one; then all removed again, and every page that
        // is not the heap's must be free again (no page leaks across 1,000s of creates and removes). The heap keeps the
        // pages of removed VMs' records for the next creates: its growth is the heap figure below, not a leak.
        private static void MaxClones(Hypervisor hypervisor, PageAllocator pages, TextSink log)
        {
            ulong freeBefore = pages.FreePages + Internal.Runtime.Heap.PagesHeld;
            var name = new CharBufferSink(16);
            uint[] ids = new uint[hypervisor.Vms.Capacity];
            int count = 0;
            while (count < ids.Length)
            {
                name.Clear();
                name.Write("c");
                name.WriteDecimal((ulong)count);
                VirtualMachine vm;
                if (hypervisor.Create("hello", name.ToString(), 0, out vm) != HypervisorStatus.Ok) break;
                ids[count++] = vm.Id;
            }
            for (int i = 0; i < count; i++) hypervisor.Remove(ids[i]);
            Report(log, "max_clones_512mib_host", (ulong)count);
            Report(log, "clone_pages_leaked", freeBefore - (pages.FreePages + Internal.Runtime.Heap.PagesHeld));

            // The kernel heap never frees (no GC): what a create + remove cycle leaves on it for good, once removed VMs'
            // records are there to be recycled.
            const int cycles = 1000;
            ulong heapBefore = Internal.Runtime.Heap.UsedBytes;
            for (int i = 0; i < cycles; i++)
            {
                VirtualMachine vm;
                if (hypervisor.Create("hello", "cycle", 0, out vm) != HypervisorStatus.Ok) break;
                hypervisor.Remove(vm.Id);
            }
            Report(log, "clone_cycle_heap_bytes", (Internal.Runtime.Heap.UsedBytes - heapBefore) / cycles);
        }

        private static void Report(TextSink log, string name, ulong value)
        {
            log.Write("bench: ");
            log.Write(name);
            log.Write("=");
            log.WriteDecimal(value);
            log.WriteLine();
        }
    }
}
