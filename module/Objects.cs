using System;
using System.Text;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell
{
    /// <summary>A template a host can create VMs from (Get-HvTemplate).</summary>
    public sealed class HvTemplate
    {
        internal HvTemplate(HvHost server, TemplateInfo info)
        {
            Server = server;
            Name = info.Name;
            MemoryMB = info.MemoryMiB;
            ProcessorCount = info.Vcpus;
            EntryMode = info.EntryMode;
            Primed = info.HasFlags ? (info.Flags & TemplateFlags.Primed) != 0 : (bool?)null;
            Uploaded = info.HasFlags ? (info.Flags & TemplateFlags.Uploaded) != 0 : (bool?)null;
        }

        public string Name { get; }
        public uint MemoryMB { get; }
        public uint ProcessorCount { get; }
        /// <summary>How the image boots: flat, multiboot, linux, ...</summary>
        public string EntryMode { get; }
        /// <summary>
        /// The host keeps a booted, copy-on-write image of the template, so new VMs share its pages and start at once
        /// (null: the host does not say).
        /// </summary>
        public bool? Primed { get; }
        /// <summary>The template came over the management channel (New-HvTemplate); null: the host does not say.</summary>
        public bool? Uploaded { get; }
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => Name;
    }

    /// <summary>
    /// A VM on a host. It carries its <see cref="Server"/>, so `Get-HvVm -Server $a,$b | Stop-HvVm` sends each
    /// stop to the right host. From a listing (Get-HvVm without -Detailed) Template, StopDetail and ExitCode are
    /// not filled (IsDetailed is false); Get-HvVm -Detailed or -Id, Wait-HvVm and the -PassThru output fill them.
    /// </summary>
    public sealed class HvVm
    {
        internal HvVm(HvHost server, VmInfo info)
        {
            Server = server;
            Id = info.Id;
            Name = info.Name;
            State = info.State;
            StopReason = info.StopReason;
            StopDetail = info.StopDetail?.ToNewString();
            ExitCode = info.ExitCode;
            MemoryMB = info.MemoryMiB;
            ProcessorCount = info.Vcpus;
            Template = info.Template;
            IsDetailed = !info.IsSummary;
            if (info.Metrics != null)
            {
                Uptime = TimeSpan.FromMilliseconds(info.Metrics.RunTimeMs);
            }
            PrivatePages = info.HasPages ? info.PrivatePages : (ulong?)null;
            SharedPages = info.HasPages ? info.SharedPages : (ulong?)null;
            CpuWeight = info.HasCpuShare ? info.CpuWeight : (uint?)null;
            CpuCapPercent = info.HasCpuShare ? info.CpuCapPercent : (uint?)null;
            Notes = string.IsNullOrEmpty(info.Notes) ? null : info.Notes;
        }

        public uint Id { get; }
        public string Name { get; }
        public VmState State { get; }
        public StopReason StopReason { get; }
        public string StopDetail { get; }
        public int ExitCode { get; }
        public uint MemoryMB { get; }
        public uint ProcessorCount { get; }
        public string Template { get; }
        /// <summary>Guest run time (detailed objects only).</summary>
        public TimeSpan? Uptime { get; }
        /// <summary>4-KiB pages only this VM holds (freed when it is removed); null if the host does not say.</summary>
        public ulong? PrivatePages { get; }
        /// <summary>4-KiB pages this VM shares copy-on-write with its template, snapshots or other VMs; null if the host does not say.</summary>
        public ulong? SharedPages { get; }
        /// <summary>Host memory only this VM uses (MiB, from <see cref="PrivatePages"/>).</summary>
        public double? PrivateMB => Pages.ToMB(PrivatePages);
        /// <summary>Memory this VM shares (MiB, from <see cref="SharedPages"/>).</summary>
        public double? SharedMB => Pages.ToMB(SharedPages);
        /// <summary>Its CPU share relative to other VMs' weights (1..10000, 100 by default); null if the host does not say.</summary>
        public uint? CpuWeight { get; }
        /// <summary>The most of a core it may use, in percent of host time; 0 = no cap; null if the host does not say.</summary>
        public uint? CpuCapPercent { get; }
        /// <summary>The administrator's notes (Set-HvVm -Notes; detailed objects only); null when none.</summary>
        public string Notes { get; }
        public bool IsDetailed { get; }
        public HvHost Server { get; }
        /// <summary>The host's name (for tables and grouping).</summary>
        public string ComputerName => Server?.ToString();

        public override string ToString() => Name;
    }

    /// <summary>Per-VM counters (Measure-HvVm): VM exits by reason, console traffic, guest run time.</summary>
    public sealed class HvVmMetrics
    {
        internal HvVmMetrics(HvVm vm, VmMetrics m, VmInfo settings)
        {
            CpuWeight = settings.HasCpuShare ? settings.CpuWeight : (uint?)null;
            CpuCapPercent = settings.HasCpuShare ? settings.CpuCapPercent : (uint?)null;
            VmName = vm.Name;
            VmId = vm.Id;
            Server = vm.Server;
            TotalExits = m.TotalExits;
            IoExits = m.IoExits;
            EptExits = m.EptExits;
            HltExits = m.HltExits;
            CpuidExits = m.CpuidExits;
            MsrExits = m.MsrExits;
            InterruptExits = m.InterruptExits;
            OtherExits = m.OtherExits;
            ConsoleBytesOut = m.ConsoleBytesOut;
            ConsoleBytesIn = m.ConsoleBytesIn;
            GuestTsc = m.GuestTsc;
            RunTime = TimeSpan.FromMilliseconds(m.RunTimeMs);
            PrivatePages = m.Has(CounterId.PrivatePages) ? m.PrivatePages : (ulong?)null;
            SharedPages = m.Has(CounterId.SharedPages) ? m.SharedPages : (ulong?)null;
            if (m.Has(CounterId.DiskBytesWritten))
            {
                DiskReads = m.Get(CounterId.DiskReads);
                DiskWrites = m.Get(CounterId.DiskWrites);
                DiskBytesRead = m.Get(CounterId.DiskBytesRead);
                DiskBytesWritten = m.Get(CounterId.DiskBytesWritten);
            }
            if (m.Has(CounterId.NetworkDrops))
            {
                NetworkFramesSent = m.Get(CounterId.NetworkFramesSent);
                NetworkFramesReceived = m.Get(CounterId.NetworkFramesReceived);
                NetworkBytesSent = m.Get(CounterId.NetworkBytesSent);
                NetworkBytesReceived = m.Get(CounterId.NetworkBytesReceived);
                NetworkDrops = m.Get(CounterId.NetworkDrops);
            }
        }

        public string VmName { get; }
        public uint VmId { get; }
        public ulong TotalExits { get; }
        public ulong IoExits { get; }
        public ulong EptExits { get; }
        public ulong HltExits { get; }
        public ulong CpuidExits { get; }
        public ulong MsrExits { get; }
        public ulong InterruptExits { get; }
        public ulong OtherExits { get; }
        public ulong ConsoleBytesOut { get; }
        public ulong ConsoleBytesIn { get; }
        public ulong GuestTsc { get; }
        /// <summary>The VM's CPU time: host time its vCPU ran (what the scheduler shares out by weight and cap).</summary>
        public TimeSpan RunTime { get; }
        /// <summary>The CPU weight and cap (percent, 0 = none) the VM runs under; null if the host does not say.</summary>
        public uint? CpuWeight { get; }
        public uint? CpuCapPercent { get; }
        /// <summary>4-KiB pages only this VM holds; null if the host does not count them.</summary>
        public ulong? PrivatePages { get; }
        /// <summary>4-KiB pages this VM shares copy-on-write; null if the host does not count them.</summary>
        public ulong? SharedPages { get; }
        public double? PrivateMB => Pages.ToMB(PrivatePages);
        public double? SharedMB => Pages.ToMB(SharedPages);
        /// <summary>Read and write requests of the VM's virtio disk (0 without a disk); null if the host does not count them.</summary>
        public ulong? DiskReads { get; }
        public ulong? DiskWrites { get; }
        /// <summary>Bytes the VM's disk requests moved; null if the host does not count them.</summary>
        public ulong? DiskBytesRead { get; }
        public ulong? DiskBytesWritten { get; }
        /// <summary>Frames and bytes the VM's network adapter sent and received (0 without one); null if the host does not count them.</summary>
        public ulong? NetworkFramesSent { get; }
        public ulong? NetworkFramesReceived { get; }
        public ulong? NetworkBytesSent { get; }
        public ulong? NetworkBytesReceived { get; }
        /// <summary>Its frames that went nowhere (malformed, no switch, spoofed source, a full queue, a too-small buffer).</summary>
        public ulong? NetworkDrops { get; }
        /// <summary>Exits per second of guest run time (0 before the guest has run).</summary>
        public double ExitsPerSecond => RunTime.TotalSeconds > 0 ? Math.Round(TotalExits / RunTime.TotalSeconds, 1) : 0;
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => VmName;
    }

    /// <summary>
    /// Console output of a VM (Get-HvVmConsole): <see cref="Text"/> from stream offset <see cref="StartOffset"/> to
    /// <see cref="NextOffset"/> (pass it to -Offset to read on). The default view prints the text with each line
    /// prefixed by the VM's name; ToString() is the text alone.
    /// </summary>
    public sealed class HvVmConsoleOutput
    {
        internal HvVmConsoleOutput(HvVm vm, string text, ulong startOffset, ulong nextOffset, bool dropped)
        {
            VmName = vm.Name;
            VmId = vm.Id;
            Server = vm.Server;
            Text = text;
            StartOffset = startOffset;
            NextOffset = nextOffset;
            Dropped = dropped;
        }

        public string VmName { get; }
        public uint VmId { get; }
        public string Text { get; }
        public ulong StartOffset { get; }
        public ulong NextOffset { get; }
        /// <summary>Output before StartOffset was lost (the host's console buffer wrapped).</summary>
        public bool Dropped { get; }
        public HvHost Server { get; }

        /// <summary>Each line of <see cref="Text"/> as "[name] line" (the default view).</summary>
        public string PrefixedText
        {
            get
            {
                if (string.IsNullOrEmpty(Text))
                {
                    return string.Empty;
                }
                StringBuilder sb = new StringBuilder();
                string[] lines = Text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
                for (int i = 0; i < lines.Length; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('\n');
                    }
                    sb.Append('[').Append(VmName).Append("] ").Append(lines[i].TrimEnd('\r'));
                }
                return sb.ToString();
            }
        }

        public override string ToString() => Text;
    }

    /// <summary>A snapshot of a VM (Checkpoint-HvVm, Get-HvVmSnapshot): what Restore-HvVmSnapshot returns the VM to.</summary>
    public sealed class HvVmSnapshot
    {
        internal HvVmSnapshot(HvVm vm, SnapshotInfo info)
        {
            Id = info.Id;
            Name = info.Name;
            VmId = vm.Id;
            VmName = vm.Name;
            Server = vm.Server;
            Age = TimeSpan.FromMilliseconds(info.AgeMs);
            CreationTime = DateTime.Now - Age;
            PrivatePages = info.PrivatePages;
            SharedPages = info.SharedPages;
        }

        /// <summary>The host's id of the snapshot (per host, never reused).</summary>
        public uint Id { get; }
        public string Name { get; }
        public uint VmId { get; }
        public string VmName { get; }
        /// <summary>When it was taken (local time, from the host's uptime: accurate to the round trip).</summary>
        public DateTime CreationTime { get; }
        /// <summary>How long ago it was taken, by the host's clock, when it was listed.</summary>
        public TimeSpan Age { get; }
        /// <summary>4-KiB pages only this snapshot holds: freed when it is removed.</summary>
        public ulong PrivatePages { get; }
        /// <summary>4-KiB pages it shares with its VM, other snapshots or the template.</summary>
        public ulong SharedPages { get; }
        public double? PrivateMB => Pages.ToMB(PrivatePages);
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => Name;
    }

    internal static class Pages
    {
        public static double? ToMB(ulong? pages) => pages.HasValue ? Math.Round(pages.Value * (double)ProtocolInfo.PageBytes / (1 << 20), 1) : (double?)null;
    }
}
