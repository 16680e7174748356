using Hv.Core.Memory;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>HostInfo: the host's version, CPU features, memory, uptime, VM count and shared memory.</summary>
    internal sealed class HostInfoHandler : AdapterHandler
    {
        private readonly HostInfoMessage _message = new HostInfoMessage();

        public HostInfoHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            HostFacts facts = Adapter.Facts;
            HostInfo info = _message.Info;
            info.Version = facts.Version;
            info.CpuFeatures = facts.CpuFeatures;
            info.CpuFeatureNames = facts.CpuFeatureNames;
            info.MemoryTotalBytes = facts.MemoryTotalBytes;
            info.MemoryFreeBytes = facts.MemoryFreeBytes();
            info.UptimeMs = facts.UptimeMilliseconds();
            info.VmCount = (uint)Hypervisor.Vms.Count;
            info.MemorySharedBytes = Hypervisor.Sharing.CountSharedPages() * PageSource.PageSize;
            return Reply.Ok;
        }
    }
}
