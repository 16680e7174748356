using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Loads the PT_LOAD segments of a little-endian ELF32 i386 executable at their physical addresses
    /// (p_paddr), as a Multiboot loader does for kernels without the a.out kludge (System V ABI, ELF
    /// "Program Loading"). Every header and segment is checked before the first byte is written.
    /// </summary>
    public static class Elf32Loader
    {
        /// <summary>Program headers examined at most; a real kernel has a handful, a hostile one millions.</summary>
        public const int MaxProgramHeaders = 64;

        private const int ElfHeaderSize = 52;
        private const int ProgramHeaderSize = 32;
        private const uint PtLoad = 1;
        private const ushort EtExec = 2;
        private const ushort EmI386 = 3;

        /// <summary>
        /// Loads the image; segments must lie in [<paramref name="lowest"/>, <paramref name="ramSize"/>) or in
        /// [<see cref="GuestLayout.MultibootLowLoadStart"/>, <see cref="GuestLayout.ConventionalMemoryEnd"/>)
        /// and not overlap. <paramref name="entry"/> is e_entry translated from virtual to physical through
        /// the segment that contains it; <paramref name="end"/> is where the highest segment ends.
        /// </summary>
        public static GuestLoadStatus Load(ReadOnlySpan<byte> image, GuestMemoryAccess memory, ulong lowest,
            ulong ramSize, out uint entry, out ulong end)
        {
            entry = 0;
            end = 0;
            int phoff;
            int phentsize;
            int phnum;
            GuestLoadStatus status = ReadHeader(image, out phoff, out phentsize, out phnum);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }
            status = CheckSegments(image, phoff, phentsize, phnum, lowest, ramSize);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }
            if (!TranslateEntry(image, phoff, phentsize, phnum, LittleEndian.ReadUInt32(image, 24), out entry))
            {
                return GuestLoadStatus.EntryOutsideImage;
            }

            for (int i = 0; i < phnum; i++)
            {
                int ph = phoff + i * phentsize;
                if (!IsLoad(image, ph))
                {
                    continue;
                }
                uint offset = LittleEndian.ReadUInt32(image, ph + 4);
                uint paddr = LittleEndian.ReadUInt32(image, ph + 12);
                uint filesz = LittleEndian.ReadUInt32(image, ph + 16);
                uint memsz = LittleEndian.ReadUInt32(image, ph + 20);
                if ((ulong)paddr + memsz > end)
                {
                    end = (ulong)paddr + memsz;
                }
                if (!memory.Write(paddr, image.Slice((int)offset, (int)filesz))
                    || !GuestWrites.Zero(memory, (ulong)paddr + filesz, memsz - filesz))
                {
                    return GuestLoadStatus.WriteFailed;
                }
            }
            return GuestLoadStatus.Ok;
        }

        private static GuestLoadStatus ReadHeader(ReadOnlySpan<byte> image, out int phoff, out int phentsize,
            out int phnum)
        {
            phoff = 0;
            phentsize = 0;
            phnum = 0;
            // e_ident: 0x7F 'E' 'L' 'F', class 1 (32-bit), data 1 (little-endian), version 1.
            if (image.Length < ElfHeaderSize || image[0] != 0x7F || image[1] != (byte)'E' || image[2] != (byte)'L'
                || image[3] != (byte)'F' || image[4] != 1 || image[5] != 1 || image[6] != 1
                || LittleEndian.ReadUInt16(image, 16) != EtExec || LittleEndian.ReadUInt16(image, 18) != EmI386)
            {
                return GuestLoadStatus.BadElf;
            }
            uint tableOffset = LittleEndian.ReadUInt32(image, 28);
            int entrySize = LittleEndian.ReadUInt16(image, 42);
            int count = LittleEndian.ReadUInt16(image, 44);
            if (entrySize < ProgramHeaderSize)
            {
                return GuestLoadStatus.BadElf;
            }
            if (count > MaxProgramHeaders)
            {
                return GuestLoadStatus.TooManySegments;
            }
            if ((ulong)tableOffset + (ulong)count * (ulong)entrySize > (ulong)image.Length)
            {
                return GuestLoadStatus.BadElf;
            }
            phoff = (int)tableOffset;
            phentsize = entrySize;
            phnum = count;
            return GuestLoadStatus.Ok;
        }

        private static GuestLoadStatus CheckSegments(ReadOnlySpan<byte> image, int phoff, int phentsize, int phnum,
            ulong lowest, ulong ramSize)
        {
            int loads = 0;
            for (int i = 0; i < phnum; i++)
            {
                int ph = phoff + i * phentsize;
                if (!IsLoad(image, ph))
                {
                    continue;
                }
                loads++;
                ulong offset = LittleEndian.ReadUInt32(image, ph + 4);
                ulong paddr = LittleEndian.ReadUInt32(image, ph + 12);
                ulong filesz = LittleEndian.ReadUInt32(image, ph + 16);
                ulong memsz = LittleEndian.ReadUInt32(image, ph + 20);
                if (filesz > memsz || offset + filesz > (ulong)image.Length)
                {
                    return GuestLoadStatus.BadSegment;
                }
                bool low = paddr >= GuestLayout.MultibootLowLoadStart && paddr + memsz <= GuestLayout.ConventionalMemoryEnd;
                if (paddr < lowest && !low)
                {
                    return GuestLoadStatus.BelowOneMiB;
                }
                if (paddr + memsz > ramSize)
                {
                    return GuestLoadStatus.DoesNotFit;
                }
                for (int j = 0; j < i; j++)
                {
                    int other = phoff + j * phentsize;
                    if (!IsLoad(image, other))
                    {
                        continue;
                    }
                    ulong otherStart = LittleEndian.ReadUInt32(image, other + 12);
                    ulong otherEnd = otherStart + LittleEndian.ReadUInt32(image, other + 20);
                    if (paddr < otherEnd && otherStart < paddr + memsz)
                    {
                        return GuestLoadStatus.SegmentsOverlap;
                    }
                }
            }
            return loads == 0 ? GuestLoadStatus.NoLoadableSegments : GuestLoadStatus.Ok;
        }

        /// <summary>Finds the segment whose virtual range holds e_entry and maps it to the physical address.</summary>
        private static bool TranslateEntry(ReadOnlySpan<byte> image, int phoff, int phentsize, int phnum,
            uint virtualEntry, out uint entry)
        {
            entry = 0;
            for (int i = 0; i < phnum; i++)
            {
                int ph = phoff + i * phentsize;
                if (!IsLoad(image, ph))
                {
                    continue;
                }
                ulong vaddr = LittleEndian.ReadUInt32(image, ph + 8);
                ulong paddr = LittleEndian.ReadUInt32(image, ph + 12);
                ulong memsz = LittleEndian.ReadUInt32(image, ph + 20);
                if (virtualEntry >= vaddr && virtualEntry < vaddr + memsz)
                {
                    entry = (uint)(virtualEntry - vaddr + paddr);
                    return true;
                }
            }
            return false;
        }

        /// <summary>A PT_LOAD entry with something to load; empty segments take no memory and are ignored.</summary>
        private static bool IsLoad(ReadOnlySpan<byte> image, int ph)
        {
            return LittleEndian.ReadUInt32(image, ph) == PtLoad && LittleEndian.ReadUInt32(image, ph + 20) != 0;
        }
    }
}
