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
