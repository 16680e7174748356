using Hv.Core.Devices;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Pci;
using Hv.Core.Devices.Virtio;
using Hv.Core.Storage;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>A VM's PC devices: the platform, the virtio disk and network adapter, and their capture and restore.</summary>
    public sealed partial class VirtualMachine
    {
        /// <summary>
        /// Its PC platform (APIC, IOAPIC, 8259s, PIT, RTC, 8042, ACPI PM, COM1's IRQ 4), or null for a bare VM (the
        /// NASM guests: COM1 without interrupts, vectors only by hypercall). Linux templates get one.
        /// </summary>
        public PcPlatform Platform { get { return _platform; } }

        /// <summary>
        /// Makes this a PC: <paramref name="platform"/> (made for this VM's UART) gets its ports beside COM1, its APIC and
        /// IOAPIC pages and PCI memory window on the MMIO bus, and becomes the interrupt source. Once, before the VM first runs.
        /// </summary>
        public bool InstallPlatform(PcPlatform platform)
        {
            if (_platform != null || platform.MapPorts(_ports) != PortMapStatus.Ok) return false;
            if (!MapMmio(LocalApic.DefaultBase, 0x1000, new PlatformMmio(platform, LocalApic.DefaultBase))
                || !MapMmio(IoApic.DefaultBase, IoApic.PageSize, new PlatformMmio(platform, IoApic.DefaultBase))
                || !MapMmio(PcPciHost.MmioBase, PcPciHost.MmioLimit - PcPciHost.MmioBase, new PciMmioWindow(platform.Pci.Bus, PcPciHost.MmioBase)))
            {
                return false;
            }
            _platform = platform;
            platform.SetProcessorCount(_cpus.Count);
            _interrupts = new PlatformInterrupts(platform);
            return true;
        }

        // The bus owns a device it mapped; one it refused is freed here.
        private bool MapMmio(ulong first, ulong length, MmioDevice device)
        {
            if (_mmio.Map(first, length, device, Hypervisor.MaxMemorySize) == MmioMapStatus.Ok) return true;
            Owned.Free(device);
            return false;
        }

        /// <summary>Its virtio disk at PCI 00:01.0 (a PC whose template has disk=), or null.</summary>
        public VirtioBlock Disk { get { return _disk; } }

        /// <summary>
        /// Plugs <paramref name="image"/> (the VM's from now on, released with it) into its PC platform as a virtio disk
        /// whose serial number is the VM's name. Once, after <see cref="InstallPlatform"/> and before the VM first runs.
        /// </summary>
        public bool InstallDisk(DiskImage image)
        {
            if (_platform == null || _disk != null) return false;
            var disk = new VirtioBlock(image, readOnly: false);
            disk.SetSerial(_name);
            disk.Memory = _memory;
            if (_platform.AttachDisk(disk) != PciStatus.Ok)
            {
                disk.Free(); // the image stays the caller's
                return false;
            }
            _disk = disk;
            return true;
        }

        /// <summary>Its network adapter at PCI 00:02.0 (a PC whose template has nic=1, or one given by Add-HvVmNetworkAdapter), or null.</summary>
        public VmNetworkAdapter Network { get { return _network; } }

        /// <summary>
        /// Plugs a virtio network adapter with address <paramref name="mac"/> into its PC platform (not connected to any
        /// switch). After <see cref="InstallPlatform"/> and the disk; the caller resets the bus when the VM boots afresh.
        /// </summary>
        public bool InstallNetwork(ulong mac)
        {
            if (_platform == null || _network != null) return false;
            var device = new VirtioNet(mac);
            device.Memory = _memory;
            if (_platform.Pci.AttachNetwork(device) != PciStatus.Ok)
            {
                device.Free();
                return false;
            }
            _network = new VmNetworkAdapter(this, device);
            return true;
        }

        /// <summary>
        /// The VM's record is freed: the adapter leaves its switch and its record is freed; the device stays on the PCI bus,
        /// whose owner (the platform) gives its functions back.
        /// </summary>
        private void ReleaseNetwork()
        {
            if (_network == null) return;
            _network.Free();
            _network = null;
        }

        /// <summary>
        /// It was made to continue a captured state (a primed template's clone, a copy, an import) rather than boot: its
        /// guest has probed its PCI devices already, so hardware added before its first start would go unseen.
        /// </summary>
        public bool ContinuesCapture;

        /// <summary>Takes the adapter away (the VM is off): it leaves its switch and the bus, and its device is freed.</summary>
        public void RemoveNetwork()
        {
            if (_network == null) return;
            _platform.Pci.DetachNetwork().Free();
            _network.Free();
            _network = null;
        }

        /// <summary>Captures the vCPU and, for a PC, its devices (a snapshot, a fork, an export, a primed template).</summary>
        public void Capture(VcpuState state)
        {
            _cpus.Bsp.Capture(state);
            state.HasDevices = _platform != null && _platform.SaveState(state.DeviceState) == PcPlatform.StateSize;
            state.HasNetwork = state.HasDevices && _network != null && _platform.Pci.SaveNetworkState(state.NetworkState) >= 0;
        }

        /// <summary>
        /// Puts the devices back as <paramref name="state"/> captured them; false (nothing changed) when the state has no
        /// devices for a PC, devices for a bare VM, or device bytes the platform refuses.
        /// </summary>
        public bool LoadDevices(VcpuState state)
        {
            if (_platform == null || !state.HasDevices) return (_platform == null) == !state.HasDevices;
            if (_platform.LoadState(state.DeviceState) != DeviceStateStatus.Ok) return false;
            // The adapter continues as captured when both have one; one the captured guest never saw starts at power-on.
            if (_network != null)
            {
                if (!state.HasNetwork || _platform.Pci.LoadNetworkState(state.NetworkState) != DeviceStateStatus.Ok) _network.Device.Reset();
            }
            _cpus.WakeAll(); // a captured vCPU is never halted: HLT completes before the capture's exit
            return true;
        }
    }
}
