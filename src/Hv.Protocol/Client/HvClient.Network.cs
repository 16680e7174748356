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
            var m = new SwitchNameRequest(Opcode.CreateSwitch);
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
            var m = new SwitchNameRequest(Opcode.RemoveSwitch);
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }
    }
}
