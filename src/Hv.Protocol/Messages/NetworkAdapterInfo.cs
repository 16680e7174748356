namespace Hv.Protocol.Messages
{
    /// <summary>A VM's network adapter (GetNetworkAdapter).</summary>
    public sealed class NetworkAdapterInfo
    {
        /// <summary>The adapter's MAC address, first octet most significant (02:00:00:00:00:01 is 0x020000000001).</summary>
        public ulong Mac { get; set; }
        /// <summary>The switch it is connected to; empty when it is not connected (link down).</summary>
        public string SwitchName { get; set; }
        public ulong TransmittedFrames { get; set; }
        public ulong TransmittedBytes { get; set; }
        public ulong ReceivedFrames { get; set; }
        public ulong ReceivedBytes { get; set; }
        /// <summary>Frames the guest sent that the adapter refused (malformed, offloads it did not offer, no cable).</summary>
        public ulong TransmitDrops { get; set; }
        /// <summary>Frames that arrived for a receive buffer too small to hold them.</summary>
        public ulong ReceiveDrops { get; set; }
        /// <summary>Frames the guest sent with a source MAC other than the adapter's: dropped by the switch.</summary>
        public ulong SpoofedDrops { get; set; }
        /// <summary>Frames for the guest dropped because it was not taking them (its port's queue was full).</summary>
        public ulong QueueFullDrops { get; set; }
    }
}
