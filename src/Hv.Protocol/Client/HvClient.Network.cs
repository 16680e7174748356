using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>The host switch and VM network adapter messages (one method each).</summary>
    public sealed partial class HvClient
    {
        /// <summary>Makes a virtual switch named <paramref name="name"/> on the host.</summary>
        public void CreateSwitch(string name, int timeoutMs = 0)
        {
            var m = new NameRequest(Opcode.CreateSwitch);
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }

        /// <summary>The host's switches with their counters.</summary>
        public SwitchInfo[] ListSwitches(int timeoutMs = 0)
        {
            return Call(new ListSwitchesMessage(), timeoutMs).Switches;
        }

        /// <summary>Removes a switch (refused with InvalidState while adapters are connected to it).</summary>
        public void RemoveSwitch(string name, int timeoutMs = 0)
        {
            var m = new NameRequest(Opcode.RemoveSwitch);
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }
    
        /// <summary>Gives a PC VM that is off (and boots afresh at its next start) its network adapter.</summary>
        public void AddNetworkAdapter(uint vmId, int timeoutMs = 0)
        {
            Call(new AddNetworkAdapterMessage { VmId = vmId }, timeoutMs);
        }

        /// <summary>Takes a VM's network adapter away (the VM off, booting afresh at its next start).</summary>
        public void RemoveNetworkAdapter(uint vmId, int timeoutMs = 0)
        {
            Call(new RemoveNetworkAdapterMessage { VmId = vmId }, timeoutMs);
        }

        /// <summary>The VM's network adapter, or null when it has none.</summary>
        public NetworkAdapterInfo GetNetworkAdapter(uint vmId, int timeoutMs = 0)
        {
            return Call(new GetNetworkAdapterMessage { VmId = vmId }, timeoutMs).Adapter;
        }

        /// <summary>Connects the VM's adapter to the switch <paramref name="switchName"/>, or disconnects it (null or empty).</summary>
        public void ConnectNetworkAdapter(uint vmId, string switchName, int timeoutMs = 0)
        {
            var m = new ConnectNetworkAdapterMessage { VmId = vmId };
            if (!string.IsNullOrEmpty(switchName))
            {
                SetName(m.SwitchName, switchName, nameof(switchName));
            }
            Call(m, timeoutMs);
        }
    }
}
