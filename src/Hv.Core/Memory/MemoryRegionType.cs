namespace Hv.Core.Memory
{
    /// <summary>
    /// Firmware memory types as Multiboot2 reports them (Multiboot2 spec 3.6.8, the E820 numbering).
    /// Values outside this list are kept as-is and treated as reserved.
    /// </summary>
    public enum MemoryRegionType : uint
    {
        Usable = 1,
        Reserved = 2,
        AcpiReclaimable = 3,
        /// <summary>ACPI NVS: must be preserved across hibernation.</summary>
        AcpiNvs = 4,
        Defective = 5,
    }
}
