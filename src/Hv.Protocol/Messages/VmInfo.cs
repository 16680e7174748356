using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// A VM as the host reports it. From ListVms only the summary fields are set (<see cref="IsSummary"/>): id, name,
    /// state, stop reason, memory, vCPUs and pages; GetVm fills everything.
    /// </summary>
    public sealed class VmInfo
    {
        /// <param name="detailed">A GetVm record: it carries the stop detail and the counters.</param>
        public VmInfo(bool detailed)
        {
            IsSummary = !detailed;
            if (detailed)
            {
                StopDetail = new Utf8Field(ProtocolInfo.MaxTextBytes);
                Metrics = new VmMetrics();
            }
        }

        public uint Id { get; set; }
        public string Name { get; set; }
        public VmState State { get; set; }
        public StopReason StopReason { get; set; }
        /// <summary>The host's line about the stop, e.g. "ept-violation at GPA 0x40000000 (read)"; empty before it stops. Null in a summary.</summary>
        public Utf8Field StopDetail { get; private set; }
        /// <summary>The guest's exit code (debug-exit port, exit hypercall), 0 if none.</summary>
        public int ExitCode { get; set; }
        public uint MemoryMiB { get; set; }
        public uint Vcpus { get; set; }
        /// <summary>The template it was made from; empty when none (imported, or the template was removed).</summary>
        public string Template { get; set; }
        /// <summary>Its counters; null in a summary.</summary>
        public VmMetrics Metrics { get; private set; }
        public bool IsSummary { get; private set; }
        /// <summary>4-KiB pages only this VM holds (freed when it is removed); see <see cref="HasPages"/>.</summary>
        public ulong PrivatePages { get; set; }
        /// <summary>4-KiB pages it shares copy-on-write with its template, snapshots or other VMs.</summary>
        public ulong SharedPages { get; set; }
        /// <summary>False when the host did not say (an older host).</summary>
        public bool HasPages { get; set; }
        /// <summary>Its CPU weight against other VMs (1..10000, 100 by default); see <see cref="HasCpuShare"/>.</summary>
        public uint CpuWeight { get; set; }
        /// <summary>The most of a core it may use, in percent; 0 = no cap.</summary>
        public uint CpuCapPercent { get; set; }
        /// <summary>False when the host did not report weight and cap (an older host).</summary>
        public bool HasCpuShare { get; set; }
        /// <summary>The administrator's notes (Set-HvVm -Notes); null or empty when none. GetVm only.</summary>
        public string Notes { get; set; }
    }
}
