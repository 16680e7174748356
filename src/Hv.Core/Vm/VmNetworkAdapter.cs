using Hv.Core.Devices.Virtio;
using Hv.Core.Networking;

namespace Hv.Core.Vm
{
    /// <summary>
    /// A PC VM's network adapter: its virtio-net function (PCI 00:02.0, the VM's own MAC in its configuration) and the
    /// host switch it is connected to, if any. As the switch's <see cref="PortListener"/> it moves arriving frames into
    /// the guest's receive queue at once while the VM runs (the device then interrupts it by MSI-X); while the VM is
    /// paused or off they wait in the port's bounded queue, and <see cref="Deliver"/> moves them when it runs again.
    /// </summary>
    public sealed class VmNetworkAdapter : PortListener
    {
        private readonly VirtualMachine _vm;
        private readonly VirtioNet _device;
        private HostSwitch _switch;
        private ulong _leftPortDrops;

        internal VmNetworkAdapter(VirtualMachine vm, VirtioNet device)
        {
            _vm = vm;
            _device = device;
        }

        public VirtioNet Device { get { return _device; } }
        public ulong Mac { get { return _device.Mac; } }
        /// <summary>The switch it is connected to, or null (link down).</summary>
        public HostSwitch Switch { get { return _switch; } }
        public SwitchPort Port { get { return _device.Port; } }

        /// <summary>
        /// Frames of this adapter that went nowhere since it was made: the device's (malformed or sent unplugged, too big
        /// for a receive buffer) and its switch ports' (spoofed or malformed sends, a full receive queue). A port's
        /// counters start afresh at each connection, so what it counted is kept here when the adapter leaves it.
        /// </summary>
        public ulong Drops
        {
            get { return _device.TransmitDrops + _device.ReceiveDrops + _leftPortDrops + PortDrops(_device.Port); }
        }

        private static ulong PortDrops(SwitchPort port)
        {
            return port == null ? 0 : port.DroppedSpoofed + port.DroppedMalformed + port.DroppedQueueFull;
        }

        /// <summary>Connects to <paramref name="target"/> (after leaving any other switch): link up.</summary>
        public NetworkStatus Connect(HostSwitch target)
        {
            if (_switch == target) return NetworkStatus.Ok;
            SwitchPort port;
            SwitchStatus status = target.Switch.Connect(_vm.Id, _device.Mac, out port);
            if (status == SwitchStatus.Full) return NetworkStatus.SwitchFull;
            if (status == SwitchStatus.DuplicateMac) return NetworkStatus.DuplicateMac;
            if (status != SwitchStatus.Ok) return NetworkStatus.InvalidName;
            Disconnect();
            port.Listener = this;
            _device.Connect(port);
            _switch = target;
            return NetworkStatus.Ok;
        }

        /// <summary>Leaves its switch, if any: link down, the port's waiting frames and learned addresses go.</summary>
        public void Disconnect()
        {
            if (_switch == null) return;
            SwitchPort port = _device.Port;
            _leftPortDrops += PortDrops(port);
            _device.Disconnect();
            _switch.Switch.Disconnect(port);
            _switch = null;
        }

        /// <summary>Moves frames waiting in the port into the guest (the VM runs again, or its driver added buffers).</summary>
        public void Deliver()
        {
            if (_vm.State == VmState.Running) _device.DeliverReceived();
        }

        public override void FramesArrived(SwitchPort port)
        {
            Deliver();
        }

        /// <summary>Gives back the listener record (the device belongs to the VM's PCI bus, the port to its switch).</summary>
        internal void Free()
        {
            Disconnect();
            Owned.Free(this);
        }
    }
}
