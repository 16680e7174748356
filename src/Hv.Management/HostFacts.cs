namespace Hv.Management
{
    /// <summary>What the management requests report about the machine the host runs on (the kernel's, or a test host's).</summary>
    public abstract class HostFacts
    {
        public abstract string Version { get; }
        /// <summary>Bits of Hv.Protocol.Wire.CpuFeature.</summary>
        public abstract ulong CpuFeatures { get; }
        public abstract string CpuFeatureNames { get; }
        public abstract ulong MemoryTotalBytes { get; }
        public abstract ulong MemoryFreeBytes();
        public abstract ulong UptimeMilliseconds();
        /// <summary>Host TSC ticks per millisecond, to report guest run time (VmCounters.GuestTscTicks) in time units.</summary>
        public abstract ulong TscTicksPerMillisecond { get; }
    }
}
