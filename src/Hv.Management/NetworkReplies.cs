using Hv.Core.Networking;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>What the switch and network adapter handlers share: finding a switch by a request's name, and the statuses.</summary>
    internal static class NetworkReplies
    {
        /// <summary>The switch named by a request field (compared in place: nothing is allocated), or null.</summary>
        internal static HostSwitch FindSwitch(HostSwitches switches, Utf8Field name)
        {
            for (int i = 0; i < switches.Count; i++)
            {
                HostSwitch s = switches.At(i);
                if (name.EqualsString(s.Name)) return s;
            }
            return null;
        }

        internal static Reply Translate(NetworkStatus status)
        {
            switch (status)
            {
                case NetworkStatus.Ok: return Reply.Ok;
                case NetworkStatus.NoSuchSwitch: return HypervisorAdapter.Fail(ErrorCode.NotFound, "no switch with that name");
                case NetworkStatus.NoSuchVm: return HypervisorAdapter.NoSuchVm;
                case NetworkStatus.InvalidName: return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "the name is not allowed");
                case NetworkStatus.NameInUse: return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "a switch with that name exists");
                case NetworkStatus.TooManySwitches: return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "the host has its maximum number of switches (16)");
                case NetworkStatus.SwitchInUse: return HypervisorAdapter.Fail(ErrorCode.InvalidState, "network adapters are connected to the switch: disconnect them first");
                case NetworkStatus.SwitchFull: return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "every port of the switch is in use (32)");
                case NetworkStatus.DuplicateMac: return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "another adapter on the switch has the same MAC address");
                case NetworkStatus.NoAdapter: return HypervisorAdapter.Fail(ErrorCode.NotFound, "the VM has no network adapter");
                case NetworkStatus.HasAdapter: return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "the VM has its network adapter already (one per VM in this version)");
                case NetworkStatus.NotPc: return HypervisorAdapter.Fail(ErrorCode.Unsupported, "only VMs of linux templates have PCI devices");
                case NetworkStatus.NotOff: return HypervisorAdapter.Fail(ErrorCode.InvalidState, "hardware changes need the VM off (created or stopped)");
                case NetworkStatus.ContinuesState: return HypervisorAdapter.Fail(ErrorCode.InvalidState,
                    "the VM continues a captured state whose guest has probed its PCI devices: give its template nic=1, or boot it afresh");
                default: return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "not enough free host memory");
            }
        }
    }
}
