using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>
    /// The Multiboot v1 OS image header (Multiboot Specification 0.6.96 §3.1): magic, flags and checksum,
    /// followed by the a.out-kludge address fields when flags bit 16 is set. Found by <see cref="Find"/>;
    /// the fields are raw and unchecked until <see cref="MultibootLoader"/> validates them.
    /// </summary>
    public sealed class MultibootHeader
    {
        public const uint Magic = 0x1BADB002;
        /// <summary>The header must lie wholly within the first 8192 bytes, 32-bit aligned (§3.1.1).</summary>
        public const int SearchLimit = 8192;
        /// <summary>Bit 0 asks for page-aligned modules (we load none), bit 1 for memory information.</summary>
        public const uint FlagPageAlignModules = 1u << 0;
        public const uint FlagMemoryInfo = 1u << 1;
        /// <summary>Bit 16: the address fields are valid and override the ELF headers (the "a.out kludge").</summary>
        public const uint FlagAddressFields = 1u << 16;
        /// <summary>Bits 0-15 are requirements: a loader that does not understand one must refuse (§3.1.2).</summary>
        public const uint RequirementMask = 0xFFFF;

        private const int BaseSize = 12;
        private const int AddressFieldsSize = 32;

        /// <summary>Offset of the magic in the image file.</summary>
        public int Offset;
        public uint Flags;
        public uint HeaderAddress;
        public uint LoadAddress;
        public uint LoadEndAddress;
        public uint BssEndAddress;
        public uint EntryAddress;

        public bool HasAddressFields
        {
            get { return (Flags & FlagAddressFields) != 0; }
        }

        /// <summary>
        /// Searches for the header: the first magic whose checksum holds (magic + flags + checksum = 0 mod
        /// 2^32; like GRUB, a magic with a wrong checksum is taken for data and the search goes on). All
        /// declared fields must lie inside the image and the search window. Fills <paramref name="header"/>.
        /// </summary>
        public static GuestLoadStatus Find(ReadOnlySpan<byte> image, MultibootHeader header)
        {
            int window = image.Length < SearchLimit ? image.Length : SearchLimit;
            bool sawMagic = false;
            for (int offset = 0; offset + BaseSize <= window; offset += 4)
            {
                if (LittleEndian.ReadUInt32(image, offset) != Magic)
                {
                    continue;
                }
                uint flags = LittleEndian.ReadUInt32(image, offset + 4);
                uint checksum = LittleEndian.ReadUInt32(image, offset + 8);
                if (unchecked(Magic + flags + checksum) != 0)
                {
                    sawMagic = true;
                    continue;
                }
                header.Offset = offset;
                header.Flags = flags;
                header.HeaderAddress = 0;
                header.LoadAddress = 0;
                header.LoadEndAddress = 0;
                header.BssEndAddress = 0;
                header.EntryAddress = 0;
                if ((flags & FlagAddressFields) != 0)
                {
                    if (offset + AddressFieldsSize > window)
                    {
                        return GuestLoadStatus.NoMultibootHeader;
                    }
                    header.HeaderAddress = LittleEndian.ReadUInt32(image, offset + 12);
                    header.LoadAddress = LittleEndian.ReadUInt32(image, offset + 16);
                    header.LoadEndAddress = LittleEndian.ReadUInt32(image, offset + 20);
                    header.BssEndAddress = LittleEndian.ReadUInt32(image, offset + 24);
                    header.EntryAddress = LittleEndian.ReadUInt32(image, offset + 28);
                }
                if ((flags & RequirementMask & ~(FlagPageAlignModules | FlagMemoryInfo)) != 0)
                {
                    return GuestLoadStatus.UnsupportedFlags;
                }
                return GuestLoadStatus.Ok;
            }
            return sawMagic ? GuestLoadStatus.BadChecksum : GuestLoadStatus.NoMultibootHeader;
        }
    }
}
