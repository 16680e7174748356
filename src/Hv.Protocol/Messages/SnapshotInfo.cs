namespace Hv.Protocol.Messages
{
    /// <summary>A snapshot of a VM (ListSnapshots).</summary>
    public sealed class SnapshotInfo
    {
        /// <summary>The host's id of the snapshot (per host, never reused).</summary>
        public uint Id { get; set; }
        public uint VmId { get; set; }
        public string Name { get; set; }
        /// <summary>Host uptime (ms) when the snapshot was taken.</summary>
        public ulong CreatedUptimeMs { get; set; }
        /// <summary>Host uptime (ms) when the list was read.</summary>
        public ulong HostUptimeMs { get; set; }
        /// <summary>Pages only this snapshot holds (freed when it is removed).</summary>
        public ulong PrivatePages { get; set; }
        /// <summary>Pages it shares with its VM, other snapshots or a template.</summary>
        public ulong SharedPages { get; set; }

        /// <summary>How long ago it was taken when the list was read, by the host's clock (ms).</summary>
        public ulong AgeMs { get { return HostUptimeMs > CreatedUptimeMs ? HostUptimeMs - CreatedUptimeMs : 0; } }
    }
}
