using System;
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
        /// <summary>Bytes in pages shared copy-on-write by more than one VM, snapshot or template; null from a host that does not say.</summary>
        public ulong? MemorySharedBytes { get; set; }
    }

    public sealed class TemplateInfo
    {
        public string Name { get; set; }
        public uint MemoryMiB { get; set; }
        public uint Vcpus { get; set; }
        /// <summary>"flat", "multiboot", "linux", ...</summary>
        public string EntryMode { get; set; }
        /// <summary>Bits of Hv.Protocol.Wire.TemplateFlags; null from a host that does not send them.</summary>
        public ulong? Flags { get; set; }
        /// <summary>The host keeps a booted copy-on-write image of the template (null: the host does not say).</summary>
        public bool? Primed => Flags.HasValue ? (Flags.Value & TemplateFlags.Primed) != 0 : (bool?)null;
        /// <summary>The template came over the management channel (null: the host does not say).</summary>
        public bool? Uploaded => Flags.HasValue ? (Flags.Value & TemplateFlags.Uploaded) != 0 : (bool?)null;
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
        /// <summary>Pages only this VM holds (null: the host does not count them).</summary>
        public ulong? PrivatePages { get; set; }
        /// <summary>Pages this VM shares copy-on-write (null: the host does not count them).</summary>
        public ulong? SharedPages { get; set; }

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
                case CounterId.PrivatePages: PrivatePages = value; break;
                case CounterId.SharedPages: SharedPages = value; break;
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
        /// <summary>Pages only this VM holds (from the list's entry extension or the counters); null if the host does not say.</summary>
        public ulong? PrivatePages { get; set; }
        /// <summary>Pages this VM shares copy-on-write; null if the host does not say.</summary>
        public ulong? SharedPages { get; set; }
    }

    /// <summary>A snapshot of a VM (ListSnapshots).</summary>
    public sealed class SnapshotInfo
    {
        public uint Id { get; set; }
        public uint VmId { get; set; }
        public string Name { get; set; }
        /// <summary>Host uptime (ms) when the snapshot was taken.</summary>
        public ulong CreatedUptimeMs { get; set; }
        /// <summary>Host uptime (ms) when the list was read: <c>HostUptimeMs - CreatedUptimeMs</c> is the snapshot's age.</summary>
        public ulong HostUptimeMs { get; set; }
        /// <summary>Pages only this snapshot holds (freed when it is removed).</summary>
        public ulong PrivatePages { get; set; }
        /// <summary>Pages it shares with its VM, other snapshots or a template.</summary>
        public ulong SharedPages { get; set; }
        public TimeSpan Age => TimeSpan.FromMilliseconds(HostUptimeMs > CreatedUptimeMs ? HostUptimeMs - CreatedUptimeMs : 0);
    }

    /// <summary>Where a template upload or import stands (BeginTemplateUpload).</summary>
    public sealed class TransferStart
    {
        public uint Id { get; set; }
        /// <summary>The offset the host wants next (above 0 when an earlier upload is resumed).</summary>
        public ulong NextOffset { get; set; }
        public ulong TotalBytes { get; set; }
    }

    /// <summary>What <see cref="HvClient.UploadTemplate"/> did.</summary>
    public sealed class TemplateUploadResult
    {
        public string Name { get; set; }
        public ulong TotalBytes { get; set; }
        /// <summary>Where the upload started: 0 for a new one, the host's offset when an earlier one was resumed.</summary>
        public ulong ResumedFrom { get; set; }
        /// <summary>Data bytes sent by this call (retransmissions included).</summary>
        public ulong BytesSent { get; set; }
        /// <summary>Connection failures recovered from during the upload.</summary>
        public int Retries { get; set; }
        public byte[] Sha256 { get; set; }
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
