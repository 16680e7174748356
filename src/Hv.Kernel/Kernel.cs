using System;
using System.Runtime.InteropServices;
using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Kernel.Cpu;
using Hv.Kernel.Drivers;
using Hv.Kernel.Drivers.Net;
using Hv.Kernel.Host;
using Hv.Kernel.Memory;
using Hv.Kernel.Vmx;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Management;
using Hv.Kernel.Platform;

namespace Hv.Kernel
{
    // The C# entry the assembly stub calls once the CPU is in long mode.
    internal static unsafe class Kernel
    {
        public const string Version = "0.1.0";
        private const uint Multiboot2BootloaderMagic = 0x36D76289;

        public static KernelLog Log;
        public static PageAllocator Pages;
        public static bool PowerOffOnPanic;
        private const int MaxVms = 2048, MaxTemplates = 32;

        [UnmanagedCallersOnly(EntryPoint = "hv_main")]
        private static void Main(uint magic, ulong bootInfo, void* readyToRunHeader)
        {
            ulong heapStart = Native.hv_boot_heap_start();
            Internal.Runtime.Heap.Initialize((void*)heapStart, Native.hv_boot_heap_limit() - heapStart);
            Internal.Runtime.Startup.Initialize(readyToRunHeader);
            Internal.Runtime.Panic.Handler = &PanicHandler.OnPanic;

            Log = new KernelLog(new SerialPort(SerialPort.Com2));
            InterruptTable.Install();
            Log.Write("Hv ");
            Log.Write(Version);
            Log.WriteLine(" - a type-1 hypervisor in C#");

            if (magic != Multiboot2BootloaderMagic) Internal.Runtime.Panic.Fail("not started by a Multiboot2 loader");
            uint totalSize = *(uint*)bootInfo;
            Multiboot2Info info = Multiboot2Info.Parse(new ReadOnlySpan<byte>((void*)bootInfo, (int)totalSize));
            if (info.Status != Multiboot2Status.Ok) Internal.Runtime.Panic.Fail("boot information is malformed");

            CommandLine options = CommandLine.Parse(info.CommandLine);
            PowerOffOnPanic = options.Get("hv.panic") == "poweroff";
            Log.Write("cmdline: ");
            CommandLineEcho.Write(Log, options);
            Log.WriteLine();
            // Firmware and GRUB (which reads every boot module from the disc) took this much of the boot.
            Log.Write("kernel entered at tsc ");
            Log.WriteDecimal(Native.hv_rdtsc());
            Log.WriteLine();

            ulong memoryEnd;
            Pages = BootMemory.Initialize(info, bootInfo, totalSize, Log, out memoryEnd);
            CpuFeatures features = CpuFeatures.Detect();
            features.Report(Log);
            SelfTest.Run(options.Get("hv.selftest"), Log);
            LegacyPic.Initialize(-1);

            var entropy = new HardwareEntropy();
            var pages = new KernelPageSource(Pages);
            // Reference counts for every page a guest can share (copy-on-write clones, snapshots): 4 bytes per page.
            var sharing = new PageSharing(pages, 0, memoryEnd);
            ulong ticksPerMs = KernelHostFacts.MeasureTscPerMillisecond();
            Hypervisor hypervisor = StartHypervisor(features, info, pages, sharing, entropy, ticksPerMs);
            var facts = new KernelHostFacts(features, Pages, Pages.TotalPages * PageAllocator.PageSize, ticksPerMs);
            var adapter = new HypervisorAdapter(hypervisor, facts, pages);
            byte[] key = ManagementKey.Load(options, entropy, Log);
            SerialPump link = key == null ? null : SerialPump.Start(adapter, entropy, key, Log);
            HostNetwork.Start(options, pages, facts.TscTicksPerMillisecond, entropy, Log, key == null ? null : adapter, key);

            HeapFigures.WriteUse(Log);
            // What the templates (golden spaces, primed guests) and the devices took from the pages: the boot's memory cost.
            Log.Write("memory: free pages at ready ");
            Log.WriteDecimal(Pages.FreePages);
            Log.WriteLine();
            // The TSC counts from reset, so this is the boot cost (deterministic under Bochs).
            Log.Write("ready at tsc ");
            Log.WriteDecimal(Native.hv_rdtsc());
            Log.WriteLine();
            if (options.Get("hv.exit") == "ready") Machine.PowerOff();
            HostLoop.Run(hypervisor, adapter, Pages, link, options, Log);
        }

        // Without VT-x (e.g. QEMU's TCG) the image still boots and serves management; it only refuses to create VMs.
        private static Hypervisor StartHypervisor(CpuFeatures features, Multiboot2Info info, KernelPageSource pages,
                                                  PageSharing sharing, HardwareEntropy entropy, ulong ticksPerMs)
        {
            HostProcessor processor = null;
            bool rdtscp = false;
            if (!features.Vmx || !features.Ept || !features.UnrestrictedGuest || !features.PreemptionTimer)
            {
                Log.WriteLine("vmx: not available (needs VT-x with EPT, unrestricted guest and the preemption timer); guests disabled");
            }
            else
            {
                VmxRoot root = VmxRoot.Enable(pages, Log);
                if (root != null)
                {
                    processor = new VmxProcessor(root, pages, ticksPerMs * 1000);
                    rdtscp = root.RdtscpEnabled;
                }
            }
            var hypervisor = new Hypervisor(pages, sharing, processor ?? new NoVirtualizationProcessor(),
                                            ExitDispatcher.CreateStandard(new HostCpuid(), rdtscp), entropy, MaxVms, MaxTemplates);
            BootTemplates.Register(info.Modules, hypervisor, Log);
            return hypervisor;
        }
    }
}
