using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// The seam to a NIC driver. The stack calls <see cref="Transmit"/> with a complete Ethernet II frame (no
    /// FCS; the driver copies it before returning). The driver calls <see cref="NetStack.Receive"/> with each
    /// frame it receives (FCS stripped).
    /// </summary>
    public abstract class NetworkDevice
    {
        /// <summary>The NIC's 48-bit unicast address, first octet most significant.</summary>
        public abstract ulong MacAddress { get; }

        /// <summary>Queues one frame for sending; false if the device cannot take it now (the stack counts a drop).</summary>
        public abstract bool Transmit(ReadOnlySpan<byte> frame);
    }
}
