using Hv.Core.Networking;

namespace Hv.Core.Vm
{
    /// <summary>The host's virtual switches (New/Get/Remove-HvSwitch).</summary>
    public sealed partial class Hypervisor
    {
        /// <summary>Most switches a host has at once.</summary>
        public const int MaxSwitches = 16;

        private readonly HostSwitches _switches;

        public HostSwitches Switches { get { return _switches; } }

        /// <summary>A new switch; on Ok the host owns <paramref name="name"/>, otherwise the caller still does.</summary>
        public NetworkStatus CreateSwitch(string name)
        {
            HostSwitch created;
            return _switches.Create(name, out created);
        }

        /// <summary>Removes a switch no adapter is connected to (SwitchInUse otherwise: disconnect them first).</summary>
        public NetworkStatus RemoveSwitch(string name)
        {
            return _switches.Remove(name);
        }
    }
}
