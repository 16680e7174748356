namespace Hv.Protocol.Messages
{
    /// <summary>A host disk image (ListDisks): what New-HvDisk made or uploaded.</summary>
    public sealed class DiskInfo
    {
        public string Name { get; set; }
        public ulong SizeBytes { get; set; }
        /// <summary>Host memory only this image holds (its non-zero pages and their tables): what removing it gives back.</summary>
        public ulong AllocatedBytes { get; set; }
    }
}
