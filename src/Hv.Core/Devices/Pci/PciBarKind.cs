namespace Hv.Core.Devices.Pci
{
    /// <summary>What a base address register decodes (PCI Local Bus 3.0, 6.2.5.1).</summary>
    public enum PciBarKind : byte
    {
        /// <summary>Not implemented: reads 0, writes ignored.</summary>
        None,
        /// <summary>I/O space (bit 0 = 1).</summary>
        Io,
        /// <summary>32-bit memory space anywhere below 4 GiB (bits 2:1 = 00).</summary>
        Memory32,
        /// <summary>64-bit memory space (bits 2:1 = 10); the next BAR holds the upper half.</summary>
        Memory64,
        /// <summary>The upper half of the 64-bit BAR below it.</summary>
        Memory64High,
    }
}
