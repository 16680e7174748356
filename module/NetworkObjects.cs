using Hv.Protocol.Messages;

namespace Hv.PowerShell
{
    /// <summary>A virtual switch on a host (Get-HvSwitch); it carries its <see cref="Server"/> for the pipeline.</summary>
    public sealed class HvSwitch
    {
        internal HvSwitch(HvHost server, SwitchInfo info)
        {
            Server = server;
            Name = info.Name;
            ConnectedAdapters = info.ConnectedPorts;
            MaxAdapters = info.MaxPorts;
            ForwardedFrames = info.ForwardedFrames;
            FloodedFrames = info.FloodedFrames;
            FilteredFrames = info.FilteredFrames;
            SpoofedDrops = info.SpoofedDrops;
            MalformedDrops = info.MalformedDrops;
            QueueFullDrops = info.QueueFullDrops;
        }

        public string Name { get; }
        /// <summary>VM network adapters connected now.</summary>
        public uint ConnectedAdapters { get; }
        public uint MaxAdapters { get; }
        /// <summary>Frames sent to the one adapter that owns their destination MAC.</summary>
        public ulong ForwardedFrames { get; }
        /// <summary>Frames sent to every other adapter (broadcast, multicast, not-yet-learned destination).</summary>
        public ulong FloodedFrames { get; }
        /// <summary>Frames addressed to their own sender's port (delivered nowhere).</summary>
        public ulong FilteredFrames { get; }
        /// <summary>Frames dropped because their source MAC was not the sending adapter's, over the adapters connected now.</summary>
        public ulong SpoofedDrops { get; }
        /// <summary>Frames dropped as too short or too long, over the adapters connected now.</summary>
        public ulong MalformedDrops { get; }
        /// <summary>Frames dropped because the receiving guest was not taking them, over the adapters connected now.</summary>
        public ulong QueueFullDrops { get; }
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => Name;
    }
}

namespace Hv.PowerShell
{
    /// <summary>
    /// A VM's network adapter (Get-HvVmNetworkAdapter). It carries the VM's name and host, so it pipes into
    /// Connect-HvVmNetworkAdapter and the other adapter cmdlets.
    /// </summary>
    public sealed class HvVmNetworkAdapter
    {
        internal HvVmNetworkAdapter(HvVm vm, NetworkAdapterInfo info)
        {
            Server = vm.Server;
            VMName = vm.Name;
            VMId = vm.Id;
            MacAddress = FormatMac(info.Mac);
            SwitchName = string.IsNullOrEmpty(info.SwitchName) ? null : info.SwitchName;
            TransmittedFrames = info.TransmittedFrames;
            TransmittedBytes = info.TransmittedBytes;
            ReceivedFrames = info.ReceivedFrames;
            ReceivedBytes = info.ReceivedBytes;
            TransmitDrops = info.TransmitDrops;
            ReceiveDrops = info.ReceiveDrops;
            SpoofedDrops = info.SpoofedDrops;
            QueueFullDrops = info.QueueFullDrops;
        }

        public string VMName { get; }
        public uint VMId { get; }
        /// <summary>The adapter's own address, as the guest finds it in the device (e.g. 02:5e:10:aa:03:7c).</summary>
        public string MacAddress { get; }
        /// <summary>The switch it is connected to; null when it is not connected.</summary>
        public string SwitchName { get; }
        /// <summary>The guest sees its link up exactly while the adapter is connected to a switch.</summary>
        public bool Connected => SwitchName != null;
        public ulong TransmittedFrames { get; }
        public ulong TransmittedBytes { get; }
        public ulong ReceivedFrames { get; }
        public ulong ReceivedBytes { get; }
        /// <summary>Frames the guest sent that the adapter refused (malformed, or sent while not connected).</summary>
        public ulong TransmitDrops { get; }
        /// <summary>Frames that arrived for a receive buffer too small to hold them.</summary>
        public ulong ReceiveDrops { get; }
        /// <summary>Frames the guest sent with a source MAC not its adapter's own, dropped by the switch (since it connected).</summary>
        public ulong SpoofedDrops { get; }
        /// <summary>Frames for the guest dropped because it was not taking them (since it connected).</summary>
        public ulong QueueFullDrops { get; }
        public HvHost Server { get; }
        public string ComputerName => Server?.ToString();

        public override string ToString() => VMName + " " + MacAddress;

        internal static string FormatMac(ulong mac)
        {
            var parts = new string[6];
            for (int i = 0; i < 6; i++)
            {
                parts[i] = ((byte)(mac >> ((5 - i) * 8))).ToString("x2");
            }
            return string.Join(":", parts);
        }
    }
}
