using System;
using System.Runtime.InteropServices;
using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Kernel.Cpu;
using Hv.Kernel.Drivers;
using Hv.Kernel.Host;
using Hv.Kernel.Memory;
using Hv.Kernel.Vmx;
using Hv.Core.Vm;
using Hv.Core.Vmx;
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
        private const int MaxVms = 128, MaxTemplates = 32;

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
            Log.WriteLine(info.CommandLine);

            Pages = BootMemory.Initialize(info, bootInfo, totalSize, Log);
            CpuFeatures features = CpuFeatures.Detect();
            features.Report(Log);
            SelfTest.Run(options.Get("hv.selftest"), Log);
            MaskLegacyInterrupts();

            Hypervisor hypervisor = StartHypervisor(features, info);

            // The TSC counts from reset, so this is the boot cost (deterministic under Bochs).
            Log.Write("ready at tsc ");
            Log.WriteDecimal(Native.hv_rdtsc());
            Log.WriteLine();
            if (options.Get("hv.exit") == "ready") Machine.PowerOff();
            if (hypervisor != null) HostLoop.Run(hypervisor, options, Log);
            for (;;) Native.hv_halt();
        }

        // Without VT-x (e.g. QEMU's TCG) the image still boots and serves management; it just runs no guests.
        private static Hypervisor StartHypervisor(CpuFeatures features, Multiboot2Info info)
        {
            if (!features.Vmx || !features.Ept || !features.UnrestrictedGuest || !features.PreemptionTimer)
            {
                Log.WriteLine("vmx: not available (needs VT-x with EPT, unrestricted guest and the preemption timer); guests disabled");
                return null;
            }
            var pages = new KernelPageSource(Pages);
            VmxRoot root = VmxRoot.Enable(pages, Log);
            if (root == null) return null;
            var hypervisor = new Hypervisor(pages, new VmxBackend(root, pages), ExitDispatcher.CreateStandard(new HostCpuid()),
                                            MaxVms, MaxTemplates);
            BootTemplates.Register(info.Modules, hypervisor, Log);
            return hypervisor;
        }

        // The host polls instead of taking interrupts: mask both 8259 PICs so no legacy IRQ is ever pending.
        private static void MaskLegacyInterrupts()
        {
            Native.hv_outb(0x21, 0xFF);
            Native.hv_outb(0xA1, 0xFF);
        }
    }
}
