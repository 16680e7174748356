using Hv.Core.Vm;
using Hv.Protocol.Server;

namespace Hv.Management
{
    /// <summary>A handler of one message, carried out on the hypervisor through the adapter.</summary>
    internal abstract class AdapterHandler : MessageHandler
    {
        protected readonly HypervisorAdapter Adapter;

        protected AdapterHandler(HypervisorAdapter adapter)
        {
            Adapter = adapter;
        }

        protected Hypervisor Hypervisor { get { return Adapter.Hypervisor; } }
    }
}
