using Hv.Core.Net;

namespace Hv.Core.Drivers
{
    /// <summary>
    /// A NIC the host drives, as the network stack and the host loop see it: the stack's <see cref="NetworkDevice"/>
    /// (MAC, Transmit) plus polling. The driver never interrupts anyone: the host loop calls <see cref="Poll"/>,
    /// which hands each received frame to the stack and takes back finished transmissions.
    /// </summary>
    public abstract class HostNic : NetworkDevice
    {
        public readonly NicCounters Counters = new NicCounters();

        /// <summary>What the log calls it, e.g. "e1000 82540EM" or "virtio-net".</summary>
        public abstract string Model { get; }

        /// <summary>The link as the device reports it now.</summary>
        public abstract bool LinkUp { get; }

        /// <summary>Receives up to budget frames into stack and reclaims sent ones; returns the frames received.</summary>
        public abstract int Poll(NetStack stack, int budget);
    }
}
