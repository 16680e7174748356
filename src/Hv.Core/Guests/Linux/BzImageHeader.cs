using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Linux
{
    /// <summary>
    /// The real-mode setup header of a Linux bzImage (Documentation/arch/x86/boot.rst, "The Real-Mode Kernel Header"),
    /// read by <see cref="Parse"/> and checked for what Hv's 64-bit entry needs: boot protocol 2.12 or later (xloadflags),
    /// a kernel with a 64-bit entry point (XLF_KERNEL_64), and sizes that agree with the file.
    /// </summary>
    public sealed class BzImageHeader
    {
        // Offsets in the image file (and, for the header copy, in the zero page).
        public const int SetupSectsOffset = 0x1F1;
        public const int SysSizeOffset = 0x1F4;
        public const int BootFlagOffset = 0x1FE;
        /// <summary>The byte at 0x201 is the offset of the setup code's jump: the header ends at 0x202 plus it.</summary>
        public const int JumpOffset = 0x201;
        public const int HeaderEndBase = 0x202;
        public const int MagicOffset = 0x202;
        public const int VersionOffset = 0x206;
        public const int LoadFlagsOffset = 0x211;
        public const int InitrdAddrMaxOffset = 0x22C;
        public const int KernelAlignmentOffset = 0x230;
        public const int RelocatableOffset = 0x234;
        public const int XLoadFlagsOffset = 0x236;
        public const int CmdlineSizeOffset = 0x238;
        public const int PrefAddressOffset = 0x258;
        public const int InitSizeOffset = 0x260;
        /// <summary>The last field Hv reads (init_size, 4 bytes) ends here; shorter headers are refused.</summary>
        public const int MinimumHeaderEnd = 0x264;

        public const ushort BootFlag = 0xAA55;
        /// <summary>"HdrS" as a little-endian dword.</summary>
        public const uint Magic = 0x53726448;
        /// <summary>2.12: xloadflags exists, so a loader can tell a kernel has a 64-bit entry.</summary>
        public const ushort MinimumVersion = 0x020C;
        /// <summary>2.14: acpi_rsdp_addr in the zero page is read by the kernel.</summary>
        public const ushort AcpiRsdpVersion = 0x020E;
        /// <summary>xloadflags bit 0: the kernel has the legacy 64-bit entry point at its start + 0x200.</summary>
        public const ushort XlfKernel64 = 1 << 0;
        private const uint SectorSize = 512;
        private const int DefaultSetupSects = 4;

        public int SetupSects;
        /// <summary>Bytes of the protected-mode kernel: the rest of the file after the setup sectors (as GRUB loads it).</summary>
        public ulong KernelSize;
        /// <summary>syssize in bytes (the header counts 16-byte paragraphs); the file must hold at least this much.</summary>
        public ulong SysSize;
        /// <summary>Offset of the protected-mode kernel in the file: after the boot sector and the setup sectors.</summary>
        public int KernelOffset;
        public int HeaderEnd;
        public ushort Version;
        public uint InitrdAddrMax;
        public uint KernelAlignment;
        public bool Relocatable;
        public ushort XLoadFlags;
        public uint CmdlineSize;
        public ulong PrefAddress;
        /// <summary>Bytes of memory the kernel needs from its load address while it decompresses and starts.</summary>
        public uint InitSize;

        public static GuestLoadStatus Parse(ReadOnlySpan<byte> image, BzImageHeader header)
        {
            if (image.Length < MinimumHeaderEnd
                || LittleEndian.ReadUInt16(image, BootFlagOffset) != BootFlag
                || LittleEndian.ReadUInt32(image, MagicOffset) != Magic)
            {
                return GuestLoadStatus.NotBzImage;
            }
            header.Version = LittleEndian.ReadUInt16(image, VersionOffset);
            header.HeaderEnd = HeaderEndBase + image[JumpOffset];
            if (header.Version < MinimumVersion || header.HeaderEnd < MinimumHeaderEnd)
            {
                return GuestLoadStatus.BootProtocolTooOld;
            }
            header.XLoadFlags = LittleEndian.ReadUInt16(image, XLoadFlagsOffset);
            if ((header.XLoadFlags & XlfKernel64) == 0)
            {
                return GuestLoadStatus.No64BitEntry;
            }
            header.SetupSects = image[SetupSectsOffset] == 0 ? DefaultSetupSects : image[SetupSectsOffset];
            header.KernelOffset = (header.SetupSects + 1) * (int)SectorSize;
            header.SysSize = (ulong)LittleEndian.ReadUInt32(image, SysSizeOffset) * 16;
            header.InitrdAddrMax = LittleEndian.ReadUInt32(image, InitrdAddrMaxOffset);
            header.KernelAlignment = LittleEndian.ReadUInt32(image, KernelAlignmentOffset);
            header.Relocatable = image[RelocatableOffset] != 0;
            header.CmdlineSize = LittleEndian.ReadUInt32(image, CmdlineSizeOffset);
            header.PrefAddress = LittleEndian.ReadUInt64(image, PrefAddressOffset);
            header.InitSize = LittleEndian.ReadUInt32(image, InitSizeOffset);
            // The header must lie inside the setup code, and syssize must not claim more than the file holds; the kernel
            // must also be able to run where it is loaded (init_size covers at least the loaded bytes).
            if (header.HeaderEnd > header.KernelOffset || header.KernelOffset >= image.Length)
            {
                return GuestLoadStatus.BadSetupHeader;
            }
            header.KernelSize = (ulong)(image.Length - header.KernelOffset);
            if (header.SysSize == 0 || header.SysSize > header.KernelSize || header.InitSize < header.KernelSize)
            {
                return GuestLoadStatus.BadSetupHeader;
            }
            // kernel_alignment must be a power of two; pref_address must honour it and lie at or above 1 MiB.
            if (header.KernelAlignment == 0 || (header.KernelAlignment & (header.KernelAlignment - 1)) != 0
                || header.PrefAddress < GuestLayout.HighMemoryStart || (header.PrefAddress & (header.KernelAlignment - 1)) != 0)
            {
                return GuestLoadStatus.BadSetupHeader;
            }
            return GuestLoadStatus.Ok;
        }
    }
}
