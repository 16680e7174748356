namespace Hv.Core.Guests
{
    /// <summary>
    /// Where the loaders put things in guest-physical memory. Everything the hypervisor builds lives below
    /// 1 MiB, clear of the real-mode IVT/BIOS data area (0-0x4FF) and of anything a kernel loads at 1 MiB+.
    /// Test guests rely on these addresses (guests/README.md).
    /// </summary>
    public static class GuestLayout
    {
        /// <summary>The flat loaders store the RAM size in bytes here as a little-endian qword.</summary>
        public const ulong RamSizeAddress = 0x500;
        /// <summary>Flat GDT: null, code 0x08, data 0x10, busy TSS 0x18 (16-byte slot).</summary>
        public const ulong GdtAddress = 0x1000;
        public const ulong TssAddress = 0x1080;
        /// <summary>Multiboot information block; its memory map, loader name and command line follow it.</summary>
        public const ulong MultibootInfoAddress = 0x2000;
        public const ulong MultibootMemoryMapAddress = 0x2080;
        public const ulong MultibootLoaderNameAddress = 0x2100;
        public const ulong MultibootCommandLineAddress = 0x2200;
        /// <summary>Multiboot mods table (16 entries of 16 bytes), then each module's string in a 72-byte slot.</summary>
        public const ulong MultibootModulesAddress = 0x2700;
        public const ulong MultibootModuleNamesAddress = 0x2800;
        public const int MultibootModuleNameSize = 72;
        /// <summary>Stack top for real-mode and Multiboot guests (the spec leaves ESP undefined).</summary>
        public const ulong LowStackTop = 0x7000;
        public const ulong RealModeLoadAddress = 0x8000;
        /// <summary>
        /// Below 1 MiB a Multiboot kernel's ELF segments may use [this, <see cref="ConventionalMemoryEnd"/>): above the
        /// GDT, the information block and the stack the loader puts below it.
        /// </summary>
        public const ulong MultibootLowLoadStart = 0x8000;
        /// <summary>Long-mode identity tables: PML4, then one PDPT, then one PD per GiB of RAM.</summary>
        public const ulong PageTablesAddress = 0x10000;
        /// <summary>Linux: the zero page (boot_params, 4 KiB) and the kernel command line after it (up to 4 KiB).</summary>
        public const ulong LinuxBootParamsAddress = 0x20000;
        public const ulong LinuxCommandLineAddress = 0x21000;
        /// <summary>
        /// ACPI tables (RSDP first, so it is in the 0xE0000-0xFFFFF area a kernel searches), reserved in the e820 map.
        /// </summary>
        public const ulong AcpiTablesAddress = 0xE0000;
        public const ulong AcpiTablesEnd = 0x100000;
        /// <summary>End of conventional memory (640 KiB); 0xA0000-0xFFFFF is the legacy VGA/ROM hole.</summary>
        public const ulong ConventionalMemoryEnd = 0xA0000;
        public const ulong HighMemoryStart = 0x100000;
    }
}
