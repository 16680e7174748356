namespace Hv.Protocol.Messages
{
    /// <summary>A host as HostInfo reports it (Get-HvHost).</summary>
    public sealed class HostInfo
    {
        /// <summary>Hypervisor version string, e.g. "0.1.0".</summary>
        public string Version { get; set; }
        /// <summary>Bits of <see cref="Wire.CpuFeature"/>.</summary>
        public ulong CpuFeatures { get; set; }
        /// <summary>The same as words, e.g. "vmx ept vpid unrestricted-guest".</summary>
        public string CpuFeatureNames { get; set; }
        public ulong MemoryTotalBytes { get; set; }
        public ulong MemoryFreeBytes { get; set; }
        public ulong UptimeMs { get; set; }
        public uint VmCount { get; set; }
        /// <summary>
        /// Bytes of host memory in pages that more than one VM, snapshot or template maps (copy-on-write; each page
        /// counted once); see <see cref="HasMemorySharedBytes"/>.
        /// </summary>
        public ulong MemorySharedBytes { get; set; }
        /// <summary>False from a host too old to say (the field was appended).</summary>
        public bool HasMemorySharedBytes { get; set; }
        /// <summary>The host's protocol version, from the handshake (the client fills it in).</summary>
        public int ProtocolVersion { get; set; }
    }
}
