namespace Hv.Core.Devices
{
    /// <summary>Result of <see cref="MmioBus.Map"/>.</summary>
    public enum MmioMapStatus
    {
        Ok,
        /// <summary>No device, an empty or wrapping range, or a range not outside guest RAM.</summary>
        BadRange,
        Overlap,
        Full,
    }
}
