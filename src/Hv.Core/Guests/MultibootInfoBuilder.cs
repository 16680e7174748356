using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Writes the Multiboot v1 information structure (Multiboot Specification 0.6.96 §3.3) and what it
    /// points to into guest memory at the addresses of <see cref="GuestLayout"/>: memory sizes, a memory
    /// map, the boot loader name and the command line. The guest finds it through EBX.
    /// </summary>
    public static class MultibootInfoBuilder
    {
        public const uint FlagMemory = 1u << 0;
        public const uint FlagCommandLine = 1u << 2;
        public const uint FlagModules = 1u << 3;
        public const uint FlagMemoryMap = 1u << 6;
        public const uint FlagBootLoaderName = 1u << 9;

        /// <summary>Command-line bytes accepted, without the NUL the builder appends.</summary>
        public const int MaxCommandLine = 1024;
        /// <summary>Size of the structure up to and including the framebuffer fields (§3.3).</summary>
        public const int InfoSize = 116;
        /// <summary>Each memory-map entry: size (u32, excludes itself) + base (u64) + length (u64) + type (u32).</summary>
        public const int MapEntrySize = 24;
        public const uint MapTypeAvailable = 1;
        public const uint MapTypeReserved = 2;
        /// <summary>All conventional memory is RAM here (no EBDA), so the classic 640 KiB.</summary>
        public const uint MemLowerKiB = 640;

        private const int MapEntries = 3;
        private const ulong FourGiB = 1UL << 32;

        /// <summary>
        /// Builds the block for a VM with <paramref name="ramSize"/> bytes of RAM (more than 1 MiB) and the
        /// given command line (ASCII, no NUL needed). Checks before writing.
        /// </summary>
        /// <remarks><paramref name="moduleCount"/> modules are in the mods table (<see cref="MultibootModules"/>).</remarks>
        public static GuestLoadStatus Build(GuestMemoryAccess memory, ulong ramSize, ReadOnlySpan<byte> commandLine, int moduleCount = 0)
        {
            if (commandLine.Length > MaxCommandLine)
            {
                return GuestLoadStatus.CommandLineTooLong;
            }
            if (ramSize <= GuestLayout.HighMemoryStart)
            {
                return GuestLoadStatus.DoesNotFit;
            }

            // mem_upper: KiB from 1 MiB to the first hole; a 32-bit field, so RAM beyond 4 GiB is only in the map.
            ulong upper = ((ramSize < FourGiB ? ramSize : FourGiB) - GuestLayout.HighMemoryStart) / 1024;

            Span<byte> info = stackalloc byte[InfoSize];
            for (int i = 0; i < InfoSize; i++)
            {
                info[i] = 0;
            }
            uint flags = FlagMemory | FlagCommandLine | FlagMemoryMap | FlagBootLoaderName;
            if (moduleCount > 0)
            {
                flags |= FlagModules;
                LittleEndian.WriteUInt32(info, 20, (uint)moduleCount);
                LittleEndian.WriteUInt32(info, 24, (uint)GuestLayout.MultibootModulesAddress);
            }
            LittleEndian.WriteUInt32(info, 0, flags);
            LittleEndian.WriteUInt32(info, 4, MemLowerKiB);
            LittleEndian.WriteUInt32(info, 8, (uint)upper);
            LittleEndian.WriteUInt32(info, 16, (uint)GuestLayout.MultibootCommandLineAddress);
            LittleEndian.WriteUInt32(info, 44, MapEntries * MapEntrySize);
            LittleEndian.WriteUInt32(info, 48, (uint)GuestLayout.MultibootMemoryMapAddress);
            LittleEndian.WriteUInt32(info, 64, (uint)GuestLayout.MultibootLoaderNameAddress);

            Span<byte> map = stackalloc byte[MapEntries * MapEntrySize];
            WriteMapEntry(map, 0, 0, GuestLayout.ConventionalMemoryEnd, MapTypeAvailable);
            WriteMapEntry(map, 1, GuestLayout.ConventionalMemoryEnd,
                GuestLayout.HighMemoryStart - GuestLayout.ConventionalMemoryEnd, MapTypeReserved);
            WriteMapEntry(map, 2, GuestLayout.HighMemoryStart, ramSize - GuestLayout.HighMemoryStart, MapTypeAvailable);

            Span<byte> terminator = stackalloc byte[1];
            terminator[0] = 0;
            Span<byte> loaderName = stackalloc byte[3];
            loaderName[0] = (byte)'H';
            loaderName[1] = (byte)'v';
            loaderName[2] = 0;
            if (!memory.Write(GuestLayout.MultibootInfoAddress, info)
                || !memory.Write(GuestLayout.MultibootMemoryMapAddress, map)
                || !memory.Write(GuestLayout.MultibootLoaderNameAddress, loaderName)
                || !memory.Write(GuestLayout.MultibootCommandLineAddress, commandLine)
                || !memory.Write(GuestLayout.MultibootCommandLineAddress + (ulong)commandLine.Length, terminator))
            {
                return GuestLoadStatus.WriteFailed;
            }
            return GuestLoadStatus.Ok;
        }

        private static void WriteMapEntry(Span<byte> map, int index, ulong baseAddress, ulong length, uint type)
        {
            int at = index * MapEntrySize;
            LittleEndian.WriteUInt32(map, at, MapEntrySize - 4);
            LittleEndian.WriteUInt64(map, at + 4, baseAddress);
            LittleEndian.WriteUInt64(map, at + 12, length);
            LittleEndian.WriteUInt32(map, at + 20, type);
        }
    }
}
