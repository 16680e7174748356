namespace Hv.Protocol.Messages
{
    /// <summary>A host's virtual switch and its counters (ListSwitches).</summary>
    public sealed class SwitchInfo
    {
        public string Name { get; set; }
        /// <summary>Adapters connected now.</summary>
        public uint ConnectedPorts { get; set; }
        public uint MaxPorts { get; set; }
        /// <summary>Frames sent to the one port that learned their destination.</summary>
        public ulong ForwardedFrames { get; set; }
        /// <summary>Frames sent to every other port (broadcast, multicast, unknown destination).</summary>
        public ulong FloodedFrames { get; set; }
        /// <summary>Frames whose destination was on their own port (delivered nowhere).</summary>
        public ulong FilteredFrames { get; set; }
        /// <summary>Frames dropped because their source MAC was not the sending adapter's (spoofing), over connected adapters.</summary>
        public ulong SpoofedDrops { get; set; }
        /// <summary>Frames dropped as too short or too long, over connected adapters.</summary>
        public ulong MalformedDrops { get; set; }
        /// <summary>Frames dropped because a receiving guest's queue was full, over connected adapters.</summary>
        public ulong QueueFullDrops { get; set; }
    }
}
