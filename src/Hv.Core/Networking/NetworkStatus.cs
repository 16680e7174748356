namespace Hv.Core.Networking
{
    /// <summary>Outcome of a host switch or VM network adapter request (<see cref="HostSwitches"/>, Hypervisor.Network).</summary>
    public enum NetworkStatus
    {
        Ok,
        /// <summary>No switch of that name.</summary>
        NoSuchSwitch,
        /// <summary>No VM with that id.</summary>
        NoSuchVm,
        /// <summary>A name <see cref="Text.NameRule"/> refuses.</summary>
        InvalidName,
        /// <summary>A switch with that name exists.</summary>
        NameInUse,
        /// <summary>The host has its maximum number of switches.</summary>
        TooManySwitches,
        /// <summary>Adapters are connected to the switch: it is not removed until they are disconnected.</summary>
        SwitchInUse,
        /// <summary>Every port of the switch is in use.</summary>
        SwitchFull,
        /// <summary>Another adapter on the switch has the same MAC address.</summary>
        DuplicateMac,
        /// <summary>The VM has no network adapter.</summary>
        NoAdapter,
        /// <summary>The VM has its one network adapter already.</summary>
        HasAdapter,
        /// <summary>The VM is not a PC (only Linux templates' VMs have PCI devices).</summary>
        NotPc,
        /// <summary>Adding or removing hardware needs the VM off (Created or Stopped).</summary>
        NotOff,
        /// <summary>
        /// The VM continues a captured state (a primed template's clone, a copy, an import) whose guest has probed its PCI
        /// devices already: hardware added now would never be seen by it.
        /// </summary>
        ContinuesState,
        OutOfMemory,
    }
}
