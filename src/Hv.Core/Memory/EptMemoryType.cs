namespace Hv.Core.Memory
{
    /// <summary>
    /// EPT memory types (SDM Vol. 3C §28.3.7, the same encodings as PAT/MTRR types). Values 2, 3 and 7 are
    /// reserved and cause an EPT misconfiguration in a leaf entry.
    /// </summary>
    public enum EptMemoryType
    {
        Uncacheable = 0,
        WriteCombining = 1,
        WriteThrough = 4,
        WriteProtected = 5,
        WriteBack = 6,
    }
}
