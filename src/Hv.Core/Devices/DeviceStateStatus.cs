namespace Hv.Core.Devices
{
    /// <summary>Outcome of loading a device's saved state; on any failure the device keeps its previous state.</summary>
    public enum DeviceStateStatus
    {
        Ok,
        /// <summary>The bytes end before the state does.</summary>
        Truncated,
        /// <summary>Saved by another device model or another layout version.</summary>
        WrongVersion,
        /// <summary>A field holds a value the device could never have had (a queue size above the maximum, say).</summary>
        Invalid,
    }
}
