namespace Hv.Core.Devices
{
    public enum PortMapStatus
    {
        Ok,
        /// <summary>The range is empty, runs past port 0xFFFF, or no device was given.</summary>
        BadRange,
        /// <summary>Part of the range already belongs to another device.</summary>
        Overlap,
        /// <summary>The bus already holds <see cref="PortBus.MaxMappings"/> ranges.</summary>
        Full,
    }
}
