namespace Hv.Core.Networking
{
    /// <summary>What the switch did with one frame a port sent.</summary>
    public enum ForwardResult
    {
        /// <summary>Sent to the one port that learned the destination.</summary>
        Forwarded,
        /// <summary>Sent to every other port: a broadcast, multicast or not-yet-learned destination.</summary>
        Flooded,
        /// <summary>The destination lives on the sending port itself: a frame never goes back where it came from.</summary>
        Filtered,
        /// <summary>The source MAC is not the sending adapter's own (spoofing): dropped and counted.</summary>
        DroppedSpoofed,
        /// <summary>Shorter than an Ethernet header or longer than <see cref="EthernetFrame.MaxLength"/>.</summary>
        DroppedMalformed,
        /// <summary>The port is not connected to this switch.</summary>
        NotConnected,
    }
}
