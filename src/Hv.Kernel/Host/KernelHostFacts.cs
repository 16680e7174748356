using Hv.Management;
using Hv.Core.Memory;
using Hv.Kernel.Cpu;
using Hv.Kernel.Platform;
using Hv.Protocol.Wire;

namespace Hv.Kernel.Host
{
    // The machine as the management requests report it (HostInfo). The TSC rate is measured once against the PIT.
    internal sealed class KernelHostFacts : HostFacts
    {
        private const uint PitHz = 1193182;
        private const int CalibrationMs = 10;

        private readonly CpuFeatures _features;
        private readonly PageAllocator _pages;
        private readonly ulong _memoryTotal;
        private readonly ulong _bootTsc;
        private readonly ulong _ticksPerMs;
        private readonly string _featureNames;

        public KernelHostFacts(CpuFeatures features, PageAllocator pages, ulong memoryTotal, ulong ticksPerMs)
        {
            _features = features;
            _pages = pages;
            _memoryTotal = memoryTotal;
            _bootTsc = 0; // the TSC counts from reset
            _ticksPerMs = ticksPerMs;
            _featureNames = features.Names();
        }

        public override ulong TscTicksPerMillisecond => _ticksPerMs;
        public override string Version => Kernel.Version;
        public override string CpuFeatureNames => _featureNames;
        public override ulong MemoryTotalBytes => _memoryTotal;
        public override ulong MemoryFreeBytes() => _pages.FreePages * PageAllocator.PageSize;
        public override ulong UptimeMilliseconds() => (Native.hv_rdtsc() - _bootTsc) / _ticksPerMs;

        public override ulong CpuFeatures
        {
            get
            {
                ulong bits = 0;
                if (_features.Vmx) bits |= CpuFeature.Vmx;
                if (_features.Ept) bits |= CpuFeature.Ept;
                if (_features.Vpid) bits |= CpuFeature.Vpid;
                if (_features.UnrestrictedGuest) bits |= CpuFeature.UnrestrictedGuest;
                if (_features.Svm) bits |= CpuFeature.Svm;
                if (_features.Npt) bits |= CpuFeature.Npt;
                return bits;
            }
        }

        // PIT channel 2 in mode 0 counts down for CalibrationMs with the speaker off; its output (port 0x61 bit 5)
        // rises when done.
        public static ulong MeasureTscPerMillisecond()
        {
            const uint count = PitHz * CalibrationMs / 1000;
            byte control = Native.hv_inb(0x61);
            Native.hv_outb(0x61, (byte)(control & ~0x03));
            Native.hv_outb(0x43, 0xB0);
            Native.hv_outb(0x42, (byte)(count & 0xFF));
            Native.hv_outb(0x42, (byte)(count >> 8));
            Native.hv_outb(0x61, (byte)((control & ~0x02) | 0x01));
            ulong start = Native.hv_rdtsc();
            while ((Native.hv_inb(0x61) & 0x20) == 0) { }
            ulong ticks = (Native.hv_rdtsc() - start) / CalibrationMs;
            Native.hv_outb(0x61, control);
            return ticks == 0 ? 1 : ticks;
        }
    }
}
