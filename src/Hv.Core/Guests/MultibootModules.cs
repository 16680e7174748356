using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Places a Multiboot kernel's modules (§3.3 mods_count/mods_addr): each page-aligned after the kernel (whole pages
    /// mapped in place when the bytes allow, <see cref="GuestMemoryAccess.Place"/>), and the mods table with each
    /// module's string (its name) at <see cref="GuestLayout.MultibootModulesAddress"/>. Checks everything before writing.
    /// </summary>
    public static class MultibootModules
    {
        /// <summary>The table (16 bytes each) and the NUL-terminated names fit below the stack's page.</summary>
        public const int MaxModules = 16;
        private const int EntrySize = 16;
        private const ulong PageMask = 0xFFF;

        public static GuestLoadStatus Place(GuestMemoryAccess memory, MultibootModule[] modules, ulong kernelEnd, ulong limit)
        {
            if (modules == null || modules.Length == 0)
            {
                return GuestLoadStatus.Ok;
            }
            if (modules.Length > MaxModules)
            {
                return GuestLoadStatus.TooManyModules;
            }
            ulong at = kernelEnd;
            for (int i = 0; i < modules.Length; i++)
            {
                if (modules[i].Name.Length > GuestLayout.MultibootModuleNameSize - 1)
                {
                    return GuestLoadStatus.TooManyModules;
                }
                at = (at + PageMask) & ~PageMask;
                if (at > limit || (ulong)modules[i].Bytes.Length > limit - at)
                {
                    return GuestLoadStatus.DoesNotFit;
                }
                at += (ulong)modules[i].Bytes.Length;
            }

            Span<byte> entry = stackalloc byte[EntrySize];
            Span<byte> name = stackalloc byte[GuestLayout.MultibootModuleNameSize];
            at = kernelEnd;
            for (int i = 0; i < modules.Length; i++)
            {
                at = (at + PageMask) & ~PageMask;
                ulong end = at + (ulong)modules[i].Bytes.Length;
                ulong nameAddress = GuestLayout.MultibootModuleNamesAddress + (ulong)(i * GuestLayout.MultibootModuleNameSize);
                LittleEndian.WriteUInt32(entry, 0, (uint)at);
                LittleEndian.WriteUInt32(entry, 4, (uint)end);
                LittleEndian.WriteUInt32(entry, 8, (uint)nameAddress);
                LittleEndian.WriteUInt32(entry, 12, 0);
                int length = modules[i].Name.Length;
                for (int c = 0; c < name.Length; c++) name[c] = c < length ? (byte)modules[i].Name[c] : (byte)0;
                if ((modules[i].Bytes.Length > 0 && !memory.Place(at, modules[i].Bytes))
                    || !memory.Write(GuestLayout.MultibootModulesAddress + (ulong)(i * EntrySize), entry)
                    || !memory.Write(nameAddress, name.Slice(0, length + 1)))
                {
                    return GuestLoadStatus.WriteFailed;
                }
                at = end;
            }
            return GuestLoadStatus.Ok;
        }
    }
}
