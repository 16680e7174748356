using Hv.Core.Networking;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>CreateSwitch: a new named switch; the name is checked before it is copied, so a refusal allocates nothing.</summary>
    internal sealed class CreateSwitchHandler : AdapterHandler
    {
        private readonly NameRequest _message = new NameRequest(Opcode.CreateSwitch);

        public CreateSwitchHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Reply named = Adapter.CheckName(_message.Name);
            if (!named.IsOk) return named;
            HostSwitches switches = Hypervisor.Switches;
            if (NetworkReplies.FindSwitch(switches, _message.Name) != null) return NetworkReplies.Translate(NetworkStatus.NameInUse);
            if (switches.Count == switches.Capacity) return NetworkReplies.Translate(NetworkStatus.TooManySwitches);
            string name = _message.Name.ToNewString();
            NetworkStatus status = Hypervisor.CreateSwitch(name);
            if (status != NetworkStatus.Ok) Owned.Free(name);
            return NetworkReplies.Translate(status);
        }
    }

    /// <summary>ListSwitches: every switch with its ports and counters.</summary>
    internal sealed class ListSwitchesHandler : AdapterHandler
    {
        private readonly ListSwitchesMessage _message = new ListSwitchesMessage();

        public ListSwitchesHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            _message.Begin(response);
            HostSwitches switches = Hypervisor.Switches;
            for (int i = 0; i < switches.Count; i++)
            {
                HostSwitch s = switches.At(i);
                VirtualSwitch b = s.Switch;
                if (!_message.Add(s.Name, (uint)b.ConnectedPorts, (uint)b.MaxPorts, b.ForwardedFrames, b.FloodedFrames, b.FilteredFrames,
                                  s.SpoofedDrops, s.MalformedDrops, s.QueueFullDrops)) break;
            }
            return Reply.Ok;
        }
    }

    /// <summary>RemoveSwitch: frees a switch no adapter is connected to (compared in place: nothing is allocated).</summary>
    internal sealed class RemoveSwitchHandler : AdapterHandler
    {
        private readonly NameRequest _message = new NameRequest(Opcode.RemoveSwitch);

        public RemoveSwitchHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            HostSwitch found = NetworkReplies.FindSwitch(Hypervisor.Switches, _message.Name);
            if (found == null) return NetworkReplies.Translate(NetworkStatus.NoSuchSwitch);
            return NetworkReplies.Translate(Hypervisor.RemoveSwitch(found.Name));
        }
    }
}
