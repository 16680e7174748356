namespace Hv.Management
{
    /// <summary>What the management side needs to know about the machine it runs on (the kernel, or a test host).</summary>
    public abstract class HostPlatform
    {
        public abstract string Version { get; }
        /// <summary>Bits of Hv.Protocol.Server.CpuFeature.</summary>
        public abstract ulong CpuFeatures { get; }
        public abstract string CpuFeatureNames { get; }
        public abstract ulong MemoryTotalBytes { get; }
        public abstract ulong MemoryFreeBytes();
        public abstract ulong UptimeMilliseconds();
        /// <summary>Host TSC ticks per millisecond, to report guest run time (VmCounters.GuestTscTicks) in time units.</summary>
        public abstract ulong TscTicksPerMillisecond { get; }
    }
}
