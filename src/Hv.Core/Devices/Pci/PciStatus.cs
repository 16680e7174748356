namespace Hv.Core.Devices.Pci
{
    /// <summary>Outcome of the PCI set-up calls (attaching functions, declaring BARs and capabilities, assigning addresses).</summary>
    public enum PciStatus
    {
        Ok,
        /// <summary>A device number above 31, a function above 7, a BAR index above 5, or a size that is not a power of two.</summary>
        InvalidArgument,
        /// <summary>The slot, BAR or configuration-space bytes are already taken.</summary>
        InUse,
        /// <summary>The capability list has no room left below offset 0x100.</summary>
        ConfigSpaceFull,
        /// <summary>The BARs do not fit in the window they were to be placed in.</summary>
        WindowFull,
    }
}
