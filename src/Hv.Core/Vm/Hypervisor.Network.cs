using Hv.Core.Networking;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The host's virtual switches (New/Get/Remove-HvSwitch) and the VMs' network adapters (Add/Remove/Connect-
    /// HvVmNetworkAdapter). A PC VM has at most one adapter, a virtio-net function at PCI 00:02.0 with the VM's own MAC.
    /// It is there from the VM's first instruction when its template says nic=1 (so a primed template's guest probes
    /// it and every clone continues with it), or it is added while the VM is off and boots afresh: a guest that
    /// continues a captured state has enumerated its PCI bus already and would never see a device added later.
    /// </summary>
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

        /// <summary>Gives a PC VM that is off, and boots afresh at its next start, its network adapter (not connected).</summary>
        public NetworkStatus AddNetworkAdapter(uint vmId)
        {
            VirtualMachine vm = _vms.Find(vmId);
            NetworkStatus status = CheckHardwareChange(vm);
            if (status != NetworkStatus.Ok) return status;
            if (vm.Network != null) return NetworkStatus.HasAdapter;
            if (!vm.InstallNetwork(vm.MacAddress)) return NetworkStatus.OutOfMemory;
            vm.Platform.Pci.Reset(); // BARs as firmware would leave them: the VM has not run since it was made or stopped
            return NetworkStatus.Ok;
        }

        /// <summary>Takes a VM's adapter away (it leaves its switch); the VM must be off and boot afresh at its next start.</summary>
        public NetworkStatus RemoveNetworkAdapter(uint vmId)
        {
            VirtualMachine vm = _vms.Find(vmId);
            NetworkStatus status = CheckHardwareChange(vm);
            if (status != NetworkStatus.Ok) return status;
            if (vm.Network == null) return NetworkStatus.NoAdapter;
            vm.RemoveNetwork();
            return NetworkStatus.Ok;
        }

        /// <summary>
        /// Connects a VM's adapter to the switch <paramref name="switchName"/> (leaving any other), or disconnects it when
        /// null; in any VM state. The guest sees its link go up or down (VIRTIO_NET_S_LINK_UP, a configuration interrupt).
        /// </summary>
        public NetworkStatus ConnectNetworkAdapter(uint vmId, HostSwitch target)
        {
            VirtualMachine vm = _vms.Find(vmId);
            if (vm == null) return NetworkStatus.NoSuchVm;
            if (vm.Network == null) return NetworkStatus.NoAdapter;
            if (target == null)
            {
                vm.Network.Disconnect();
                return NetworkStatus.Ok;
            }
            return vm.Network.Connect(target);
        }

        // A PC's adapter goes in or out only while the VM is off, and only when its next start boots the guest afresh.
        private NetworkStatus CheckHardwareChange(VirtualMachine vm)
        {
            if (vm == null) return NetworkStatus.NoSuchVm;
            if (vm.Platform == null) return NetworkStatus.NotPc;
            if (vm.State != VmState.Created && vm.State != VmState.Stopped) return NetworkStatus.NotOff;
            return NextStartContinues(vm) ? NetworkStatus.ContinuesState : NetworkStatus.Ok;
        }

        // Whether the VM's next start continues a captured guest (see Start and Rebuild) instead of booting.
        private bool NextStartContinues(VirtualMachine vm)
        {
            if (vm.State == VmState.Created) return vm.ContinuesCapture;
            TemplateImage image = vm.Template == null ? null : _templates.Find(vm.Template.Name);
            return image != null && image.IsPrimed && Clones(image, vm, vm.MemorySize);
        }

        // A restart that continues the primed template (a VM imported from an image older than format 8, which came without
        // its adapter) gets the adapter the primed guest probed, so the guest does not find its device gone.
        private void MatchPrimedNetwork(VirtualMachine vm, TemplateImage image)
        {
            if (vm.Platform != null && vm.Network == null && image.IsPrimed && Clones(image, vm, vm.MemorySize) && image.PrimedState.HasNetwork)
                vm.InstallNetwork(vm.MacAddress);
        }

        // An imported VM's adapter (export format 8) keeps its exported MAC: its guest may have set that address on its
        // interface (a clone of the primed linux template does) and its peers have learned it, and the switch would drop
        // every frame sent with an address other than the adapter's. It joins the switch of the name it was connected to
        // when this host has one (switches are the host's own: a name is all that can match); when it has none, or that
        // switch refuses it (full, or a VM there has the same MAC: an import beside its original), it stays unconnected.
        private void KeepImportedAdapter(VirtualMachine vm, ulong mac, string switchName)
        {
            if (vm.Network == null || mac == 0) return;
            vm.MacAddress = mac;
            vm.Network.Device.SetMac(mac);
            HostSwitch target = switchName == null ? null : _switches.Find(switchName);
            if (target != null) vm.Network.Connect(target);
        }

        // The adapter of a PC VM whose template has one (nic=1) or that continues a state with one, with the VM's own MAC.
        private HypervisorStatus GiveNetworkAdapter(VirtualMachine vm, Hv.Core.Vmx.VcpuState continued)
        {
            bool wanted = continued != null ? continued.HasNetwork : vm.Template != null && vm.Template.NetworkAdapter;
            if (!wanted) return HypervisorStatus.Ok;
            if (!vm.InstallNetwork(vm.MacAddress)) return HypervisorStatus.OutOfMemory;
            if (continued == null) vm.Platform.Pci.Reset();
            return HypervisorStatus.Ok;
        }
    }
}
