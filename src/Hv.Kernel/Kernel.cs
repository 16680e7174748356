using System;
using System.Runtime.InteropServices;
using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Kernel.Cpu;
using Hv.Kernel.Drivers;
using Hv.Kernel.Memory;
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
            CpuFeatures.Detect().Report(Log);
            SelfTest.Run(options.Get("hv.selftest"), Log);

            Log.WriteLine("ready");
            if (options.Get("hv.exit") == "ready") Machine.PowerOff();
            for (;;) Native.hv_halt();
        }
    }
}
