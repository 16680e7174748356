using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    public sealed class HostInfo
    {
        public string Version { get; set; }
        /// <summary>Bits of Hv.Protocol.Server.CpuFeature.</summary>
        public ulong CpuFeatures { get; set; }
        public string CpuFeatureNames { get; set; }
        public ulong MemoryTotalBytes { get; set; }
        public ulong MemoryFreeBytes { get; set; }
        public ulong UptimeMs { get; set; }
        public uint VmCount { get; set; }
        public int ProtocolVersion { get; set; }
    }

    public sealed class TemplateInfo
    {
        public string Name { get; set; }
        public uint MemoryMiB { get; set; }
        public uint Vcpus { get; set; }
        /// <summary>"flat", "multiboot", "linux", ...</summary>
        public string EntryMode { get; set; }
    }

    public sealed class VmMetrics
    {
        public ulong TotalExits { get; set; }
        public ulong IoExits { get; set; }
        public ulong EptExits { get; set; }
        public ulong HltExits { get; set; }
        public ulong CpuidExits { get; set; }
        public ulong MsrExits { get; set; }
        public ulong InterruptExits { get; set; }
        public ulong OtherExits { get; set; }
        public ulong ConsoleBytesOut { get; set; }
        public ulong ConsoleBytesIn { get; set; }
        public ulong GuestTsc { get; set; }
        public ulong RunTimeMs { get; set; }

        internal void Set(int index, ulong value)
        {
            switch ((CounterId)index)
            {
                case CounterId.TotalExits: TotalExits = value; break;
                case CounterId.IoExits: IoExits = value; break;
                case CounterId.EptExits: EptExits = value; break;
                case CounterId.HltExits: HltExits = value; break;
                case CounterId.CpuidExits: CpuidExits = value; break;
                case CounterId.MsrExits: MsrExits = value; break;
                case CounterId.InterruptExits: InterruptExits = value; break;
                case CounterId.OtherExits: OtherExits = value; break;
                case CounterId.ConsoleBytesOut: ConsoleBytesOut = value; break;
                case CounterId.ConsoleBytesIn: ConsoleBytesIn = value; break;
                case CounterId.GuestTsc: GuestTsc = value; break;
                case CounterId.RunTimeMs: RunTimeMs = value; break;
            }
        }
    }

    /// <summary>
    /// A VM. From ListVms only the summary fields are set (Id, Name, State, StopReason, MemoryMiB, Vcpus;
    /// <see cref="IsSummary"/> true); GetVm fills everything.
    /// </summary>
    public sealed class VmInfo
    {
        public uint Id { get; set; }
        public string Name { get; set; }
        public VmState State { get; set; }
        public StopReason StopReason { get; set; }
        public string StopDetail { get; set; }
        public int ExitCode { get; set; }
        public uint MemoryMiB { get; set; }
        public uint Vcpus { get; set; }
        public string Template { get; set; }
        /// <summary>Null in a list entry.</summary>
        public VmMetrics Metrics { get; set; }
        public bool IsSummary { get; set; }
    }

    public sealed class ConsoleChunk
    {
        public byte[] Data { get; set; }
        /// <summary>Pass as the next fromOffset.</summary>
        public ulong NextOffset { get; set; }
        /// <summary>Output before the first byte of Data was lost (the host's buffer wrapped).</summary>
        public bool Dropped { get; set; }
        /// <summary>Stream offset of Data[0].</summary>
        public ulong StartOffset => NextOffset - (ulong)(Data == null ? 0 : Data.Length);
    }
}
