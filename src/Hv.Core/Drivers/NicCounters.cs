namespace Hv.Core.Drivers
{
    /// <summary>What a NIC driver did with frames, and what it refused from the device.</summary>
    public sealed class NicCounters
    {
        public ulong FramesReceived;
        public ulong FramesSent;

        /// <summary>Received frames dropped: reported errors, a frame split over descriptors, a length out of range.</summary>
        public ulong ReceiveErrors;

        /// <summary>Transmits refused because every descriptor was still in flight (or the frame was too long).</summary>
        public ulong TransmitBusy;

        /// <summary>Completions from the device that made no sense (an index or length out of range): ignored.</summary>
        public ulong DeviceErrors;
    }
}
