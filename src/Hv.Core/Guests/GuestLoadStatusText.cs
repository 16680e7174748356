namespace Hv.Core.Guests
{
    /// <summary>Why a loader refused an image, in words for the boot log (a refused template names its reason).</summary>
    public static class GuestLoadStatusText
    {
        public static string Describe(GuestLoadStatus status)
        {
            switch (status)
            {
                case GuestLoadStatus.Ok: return "loaded";
                case GuestLoadStatus.ImageEmpty: return "the image is empty";
                case GuestLoadStatus.DoesNotFit: return "the image, its bss, modules or the loader's structures do not fit in the guest's RAM";
                case GuestLoadStatus.RamTooLarge: return "more RAM than the loader's page tables can map";
                case GuestLoadStatus.NoMultibootHeader: return "no Multiboot header in the first 8 KiB";
                case GuestLoadStatus.BadChecksum: return "the Multiboot header's checksum is wrong";
                case GuestLoadStatus.UnsupportedFlags: return "the Multiboot header asks for something Hv does not provide (e.g. a video mode)";
                case GuestLoadStatus.BadLoadAddresses: return "the Multiboot load addresses contradict each other or the file";
                case GuestLoadStatus.BelowOneMiB: return "code would load below 1 MiB where the loader keeps its structures (ELF segments may use 0x8000-0x9FFFF)";
                case GuestLoadStatus.EntryOutsideImage: return "the entry point is outside what gets loaded";
                case GuestLoadStatus.BadElf: return "not a little-endian ELF32 i386 executable, or its program headers are outside the file";
                case GuestLoadStatus.TooManySegments: return "too many ELF program headers";
                case GuestLoadStatus.NoLoadableSegments: return "no loadable ELF segment";
                case GuestLoadStatus.BadSegment: return "an ELF segment lies outside the file or is larger in the file than in memory";
                case GuestLoadStatus.SegmentsOverlap: return "ELF segments overlap";
                case GuestLoadStatus.CommandLineTooLong: return "the command line is too long";
                case GuestLoadStatus.NotBzImage: return "not a Linux bzImage (no 0xAA55 boot flag and HdrS magic)";
                case GuestLoadStatus.BootProtocolTooOld: return "Linux boot protocol older than 2.12";
                case GuestLoadStatus.No64BitEntry: return "the kernel has no 64-bit entry point (XLF_KERNEL_64)";
                case GuestLoadStatus.BadSetupHeader: return "the Linux setup header contradicts the file or itself";
                case GuestLoadStatus.InitrdDoesNotFit: return "the initrd does not fit between the kernel and the end of usable RAM";
                case GuestLoadStatus.TooManyModules: return "more than 16 Multiboot modules, or a module name over 71 characters";
                case GuestLoadStatus.WriteFailed: return "guest memory refused a write (a loader bug or no memory left)";
                default: return "refused by the loader";
            }
        }
    }
}
