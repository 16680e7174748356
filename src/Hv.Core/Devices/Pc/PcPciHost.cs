using System;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pci;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// A PC VM's PCI side: configuration mechanism #1 at ports 0xCF8-0xCFF, bus 0 with the i440FX host bridge at
    /// 00:00.0, and the functions the VM is given (a virtio disk at <see cref="DiskDevice"/>). Their BARs lie in
    /// [<see cref="MmioBase"/>, <see cref="MmioLimit"/>), a hole below 4 GiB above any VM's RAM
    /// (<c>Hypervisor.MaxMemorySize</c> is 1 GiB) and below the IOAPIC; the DSDT's PCI0 _CRS names the same window.
    /// There is no firmware, so the functions get their BARs here (<see cref="PciResourceAssigner"/>) as a BIOS would
    /// give them, and their MSI-X messages go to the local APIC (<see cref="LocalApicMessageSink"/>). INTx is not
    /// routed (the DSDT has no _PRT): Linux's virtio driver uses MSI-X.
    /// </summary>
    public sealed class PcPciHost
    {
        public const ulong MmioBase = 0xC0000000;
        public const ulong MmioLimit = IoApic.DefaultBase;
        public const int HostBridgeDevice = 0;
        public const int DiskDevice = 1;
        /// <summary>
        /// The VM's network adapter. Its state is kept apart from <see cref="SaveState"/> (<see cref="SaveNetworkState"/>):
        /// the platform's saved bytes, which the export format carries, stay those of the host bridge and the disk.
        /// </summary>
        public const int NetworkDevice = 2;
        /// <summary>The most functions a PC VM has (host bridge and disk).</summary>
        public const int MaxFunctions = 2;
        /// <summary>Room for one function's saved state (a virtio-blk function needs under 200 bytes).</summary>
        public const int FunctionStateCapacity = 256;
        // PCI I/O ports are not used by any function yet: the window the DSDT offers starts above the legacy ports.
        private const uint IoBase = 0x1000, IoLimit = 0x10000;
        private const byte StateVersion = 1;

        private readonly PciBus _bus = new PciBus();
        private readonly PciConfigMechanism _config;
        private readonly LocalApicMessageSink _sink;
        private PciFunction _network;

        public PcPciHost(ApicCluster apics)
        {
            _config = new PciConfigMechanism(_bus);
            _sink = new LocalApicMessageSink(apics);
            _bus.Attach(HostBridgeDevice, 0, new PciHostBridge());
        }

        public PciBus Bus { get { return _bus; } }

        /// <summary>Gives the PCI side back with its functions (their platform is being freed).</summary>
        public void Free()
        {
            _bus.Free();
            Owned.Free(_config);
            Owned.Free(_sink);
            Owned.Free(this);
        }

        /// <summary>Puts <paramref name="function"/> at <paramref name="device"/>.0 with its interrupts wired; once, before <see cref="Reset"/>.</summary>
        public PciStatus Attach(int device, PciFunction function)
        {
            if (Persisted == MaxFunctions || _network != null) return PciStatus.InUse;
            PciStatus status = _bus.Attach(device, 0, function);
            if (status == PciStatus.Ok) function.ConnectInterrupts(_sink);
            return status;
        }

        /// <summary>The network adapter at <see cref="NetworkDevice"/>.0, or null.</summary>
        public PciFunction Network { get { return _network; } }

        /// <summary>Puts the network adapter at <see cref="NetworkDevice"/>.0 with its interrupts wired; before <see cref="Reset"/>.</summary>
        public PciStatus AttachNetwork(PciFunction adapter)
        {
            if (_network != null) return PciStatus.InUse;
            PciStatus status = _bus.Attach(NetworkDevice, 0, adapter);
            if (status != PciStatus.Ok) return status;
            adapter.ConnectInterrupts(_sink);
            _network = adapter;
            return PciStatus.Ok;
        }

        /// <summary>Takes the network adapter off the bus (the VM is off); returns it, or null when there was none.</summary>
        public PciFunction DetachNetwork()
        {
            if (_network == null) return null;
            PciFunction removed = _network;
            _bus.Detach(NetworkDevice, 0);
            _network = null;
            return removed;
        }

        /// <summary>Bytes <see cref="SaveNetworkState"/> may write: the function's state length (u16) and its state.</summary>
        public const int NetworkStateCapacity = 2 + FunctionStateCapacity;

        /// <summary>The network adapter's state (a separate part of a capture); -1 without an adapter or when it does not fit.</summary>
        public int SaveNetworkState(Span<byte> destination)
        {
            if (_network == null || destination.Length < NetworkStateCapacity) return -1;
            int length = _network.SaveState(destination.Slice(2, FunctionStateCapacity));
            if (length < 0) return -1;
            destination[0] = (byte)length;
            destination[1] = (byte)(length >> 8);
            return 2 + length;
        }

        /// <summary>Restores <see cref="SaveNetworkState"/>'s bytes into the adapter (all or nothing).</summary>
        public DeviceStateStatus LoadNetworkState(ReadOnlySpan<byte> source)
        {
            if (_network == null || source.Length < 2) return DeviceStateStatus.Invalid;
            int length = source[0] | (source[1] << 8);
            if (length > FunctionStateCapacity || 2 + length > source.Length) return DeviceStateStatus.Invalid;
            return _network.LoadState(source.Slice(2, length));
        }

        // The functions SaveState carries: all but the network adapter, which is attached last.
        private int Persisted { get { return _bus.Count - (_network != null ? 1 : 0); } }

        public PortMapStatus MapPorts(PortBus ports)
        {
            return ports.Map(PciConfigMechanism.AddressPort, PciConfigMechanism.PortCount, _config);
        }

        /// <summary>Power-on: every function reset, then given its BARs and decoding as firmware leaves them.</summary>
        public void Reset()
        {
            _config.Reset();
            for (int i = 0; i < _bus.Count; i++)
            {
                _bus.Attached(i).Reset();
            }
            PciResourceAssigner.Assign(_bus, MmioBase, MmioLimit, IoBase, IoLimit);
        }

        /// <summary>Bytes <see cref="SaveState"/> writes: a version, CONFIG_ADDRESS, the function count and a fixed slot per function.</summary>
        public const int StateSize = 1 + PciConfigMechanism.StateSize + 1 + MaxFunctions * (2 + FunctionStateCapacity);

        public int SaveState(Span<byte> destination)
        {
            if (destination.Length < StateSize) return -1;
            destination.Slice(0, StateSize).Clear();
            destination[0] = StateVersion;
            int at = 1;
            at += _config.SaveState(destination.Slice(at, PciConfigMechanism.StateSize));
            destination[at++] = (byte)Persisted;
            for (int i = 0; i < Persisted; i++)
            {
                int length = _bus.Attached(i).SaveState(destination.Slice(at + 2, FunctionStateCapacity));
                if (length < 0) return -1;
                destination[at] = (byte)length;
                destination[at + 1] = (byte)(length >> 8);
                at += 2 + FunctionStateCapacity;
            }
            return StateSize;
        }

        /// <summary>
        /// Restores <see cref="SaveState"/>'s bytes; the caller (<see cref="PcPlatform.LoadState"/>) restores its backup
        /// when this fails part-way. The saved functions must be this VM's (same count, same IDs and sizes).
        /// </summary>
        public DeviceStateStatus LoadState(ReadOnlySpan<byte> source)
        {
            if (source.Length < StateSize) return DeviceStateStatus.Truncated;
            if (source[0] != StateVersion) return DeviceStateStatus.WrongVersion;
            int at = 1;
            DeviceStateStatus status = _config.LoadState(source.Slice(at, PciConfigMechanism.StateSize));
            at += PciConfigMechanism.StateSize;
            if (status != DeviceStateStatus.Ok) return status;
            if (source[at++] != Persisted) return DeviceStateStatus.Invalid;
            for (int i = 0; i < Persisted; i++)
            {
                int length = source[at] | (source[at + 1] << 8);
                if (length > FunctionStateCapacity) return DeviceStateStatus.Invalid;
                status = _bus.Attached(i).LoadState(source.Slice(at + 2, length));
                if (status != DeviceStateStatus.Ok) return status;
                at += 2 + FunctionStateCapacity;
            }
            return DeviceStateStatus.Ok;
        }
    }
}
