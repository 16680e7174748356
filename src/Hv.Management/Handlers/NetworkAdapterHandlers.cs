using Hv.Core.Networking;
using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>AddNetworkAdapter: a PC VM that is off and boots afresh gets its virtio-net adapter (not connected).</summary>
    internal sealed class AddNetworkAdapterHandler : AdapterHandler
    {
        private readonly AddNetworkAdapterMessage _message = new AddNetworkAdapterMessage();

        public AddNetworkAdapterHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return NetworkReplies.Translate(Hypervisor.AddNetworkAdapter(_message.VmId));
        }
    }

    /// <summary>RemoveNetworkAdapter: takes a VM's adapter away (it leaves its switch); the VM off and booting afresh.</summary>
    internal sealed class RemoveNetworkAdapterHandler : AdapterHandler
    {
        private readonly RemoveNetworkAdapterMessage _message = new RemoveNetworkAdapterMessage();

        public RemoveNetworkAdapterHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return NetworkReplies.Translate(Hypervisor.RemoveNetworkAdapter(_message.VmId));
        }
    }

    /// <summary>GetNetworkAdapter: the adapter's MAC, switch and counters (present = false for a VM without one).</summary>
    internal sealed class GetNetworkAdapterHandler : AdapterHandler
    {
        private readonly GetNetworkAdapterMessage _message = new GetNetworkAdapterMessage();

        public GetNetworkAdapterHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            GetNetworkAdapterMessage m = _message;
            VirtualMachine vm = Hypervisor.Find(m.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            VmNetworkAdapter nic = vm.Network;
            m.Present = nic != null;
            if (nic == null) return Reply.Ok;
            m.Mac = nic.Mac;
            m.SwitchName = nic.Switch == null ? null : nic.Switch.Name;
            m.TransmittedFrames = nic.Device.TransmittedFrames;
            m.TransmittedBytes = nic.Device.TransmittedBytes;
            m.ReceivedFrames = nic.Device.ReceivedFrames;
            m.ReceivedBytes = nic.Device.ReceivedBytes;
            m.TransmitDrops = nic.Device.TransmitDrops;
            m.ReceiveDrops = nic.Device.ReceiveDrops;
            SwitchPort port = nic.Port;
            m.SpoofedDrops = port == null ? 0 : port.DroppedSpoofed;
            m.QueueFullDrops = port == null ? 0 : port.DroppedQueueFull;
            return Reply.Ok;
        }
    }

    /// <summary>ConnectNetworkAdapter: connects a VM's adapter to a switch (leaving any other), or disconnects it (empty name).</summary>
    internal sealed class ConnectNetworkAdapterHandler : AdapterHandler
    {
        private readonly ConnectNetworkAdapterMessage _message = new ConnectNetworkAdapterMessage();

        public ConnectNetworkAdapterHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            ConnectNetworkAdapterMessage m = _message;
            HostSwitch target = null;
            if (m.SwitchName.Length != 0)
            {
                target = NetworkReplies.FindSwitch(Hypervisor.Switches, m.SwitchName);
                if (target == null) return NetworkReplies.Translate(NetworkStatus.NoSuchSwitch);
            }
            return NetworkReplies.Translate(Hypervisor.ConnectNetworkAdapter(m.VmId, target));
        }
    }
}
