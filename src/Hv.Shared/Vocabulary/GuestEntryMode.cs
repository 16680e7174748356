namespace Hv
{
    /// <summary>
    /// How a template's image starts (guests/README.md): the loader the hypervisor uses, the byte a template upload
    /// carries, New-HvTemplate's -EntryMode. Stable numbers: only append.
    /// </summary>
    public enum GuestEntryMode
    {
        /// <summary>A flat binary at 0x8000 in 16-bit real mode (needs unrestricted guest).</summary>
        Real = 0,
        /// <summary>A flat 64-bit binary at 1 MiB in long mode, on identity page tables the hypervisor builds.</summary>
        Long = 1,
        /// <summary>A Multiboot (v1) kernel in 32-bit protected mode with an info block.</summary>
        Multiboot = 2,
        /// <summary>
        /// A Linux bzImage through the 64-bit boot protocol, with its initrd, ACPI tables and e820 map (templates shipped
        /// in the ISO only: an upload carries one image, so it cannot bring the initrd).
        /// </summary>
        Linux = 3,
    }
}
