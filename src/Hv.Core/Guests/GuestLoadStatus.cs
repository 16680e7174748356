namespace Hv.Core.Guests
{
    /// <summary>
    /// Why a guest image was refused. Loaders check the whole image before writing anything, so a refused
    /// image leaves guest memory untouched (except <see cref="WriteFailed"/>, which means a bug in the checks).
    /// </summary>
    public enum GuestLoadStatus
    {
        Ok,
        ImageEmpty,
        /// <summary>The image, its bss, the stack or loader structures would not fit in guest RAM.</summary>
        DoesNotFit,
        /// <summary>More RAM than the loader's structures can describe (long-mode page tables below 1 MiB).</summary>
        RamTooLarge,
        /// <summary>No Multiboot magic at a 4-aligned offset in the first 8192 bytes.</summary>
        NoMultibootHeader,
        BadChecksum,
        /// <summary>A Multiboot requirement bit (0-15) we do not provide, e.g. video mode information.</summary>
        UnsupportedFlags,
        /// <summary>a.out-kludge addresses that contradict each other or the file.</summary>
        BadLoadAddresses,
        /// <summary>
        /// Code would be loaded below 1 MiB where the loader keeps its structures: a.out-kludge images anywhere below
        /// 1 MiB (GRUB refuses them too), ELF segments outside [0x8000, 0xA0000) (<see cref="GuestLayout.MultibootLowLoadStart"/>).
        /// </summary>
        BelowOneMiB,
        /// <summary>The entry point is not inside what gets loaded.</summary>
        EntryOutsideImage,
        /// <summary>Not a little-endian ELF32 i386 executable, or its program header table is out of the file.</summary>
        BadElf,
        TooManySegments,
        NoLoadableSegments,
        /// <summary>A segment's file part lies outside the file or is larger than its memory size.</summary>
        BadSegment,
        SegmentsOverlap,
        CommandLineTooLong,
        /// <summary>No boot flag 0xAA55 and "HdrS" magic: not a Linux bzImage.</summary>
        NotBzImage,
        /// <summary>A Linux boot protocol older than 2.12 (no xloadflags, so no known 64-bit entry).</summary>
        BootProtocolTooOld,
        /// <summary>The kernel's xloadflags lack XLF_KERNEL_64: it has no 64-bit entry point.</summary>
        No64BitEntry,
        /// <summary>Setup-header sizes or addresses that contradict the file or each other.</summary>
        BadSetupHeader,
        /// <summary>The initrd does not fit between the kernel's init_size and min(end of RAM, initrd_addr_max).</summary>
        InitrdDoesNotFit,
        /// <summary>More Multiboot modules than the mods table holds (16), or a module name longer than 71 characters.</summary>
        TooManyModules,
        /// <summary>Guest memory refused a write that the checks said would fit.</summary>
        WriteFailed,
    }
}
