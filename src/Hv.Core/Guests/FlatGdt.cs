using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// The GDT and TSS the protected-mode and long-mode loaders put in guest memory at
    /// <see cref="GuestLayout.GdtAddress"/>. VM entry does not read the GDT, but a guest that reloads a
    /// segment register or executes STR before building its own tables must find descriptors that agree
    /// with the registers it was started with, so the VMCS values are derived from these very descriptors.
    /// </summary>
    internal static class FlatGdt
    {
        public const ushort CodeSelector = 0x08;
        public const ushort DataSelector = 0x10;
        public const ushort TssSelector = 0x18;
        /// <summary>The Linux boot protocol wants __BOOT_CS = 0x10 and __BOOT_DS = 0x18 (Documentation/arch/x86/boot.rst).</summary>
        public const ushort LinuxCodeSelector = 0x10;

        // Flat 4 GiB descriptors (SDM Vol. 3A §3.4.5): limit 0xFFFFF with G=1, base 0.
        private const ulong Code32Descriptor = 0x00CF9B000000FFFFUL;
        private const ulong Code64Descriptor = 0x00AF9B000000FFFFUL;
        private const ulong DataDescriptor = 0x00CF93000000FFFFUL;
        // A TSS needs 104 bytes (Vol. 3A §7.2.1, §7.7); the I/O map base at offset 102 points past its end,
        // so the guest has no I/O permission bitmap.
        private const int TssSize = 104;
        private const int TssIoMapBaseOffset = 102;
        // After the code selector: code, data, TSS (two slots: a 64-bit system descriptor is 16 bytes, §7.2.3).
        private const int DescriptorsAfterNull = 4 * 8;

        /// <summary>
        /// Writes the GDT (with a 32- or 64-bit code segment at 0x08, data 0x10, TSS 0x18) and a zeroed TSS, and points
        /// CS, the data segments, TR, LDTR and GDTR of <paramref name="state"/> at them.
        /// </summary>
        public static bool Install(GuestMemoryAccess memory, bool longMode, GuestEntryState state)
        {
            return Install(memory, longMode ? Code64Descriptor : Code32Descriptor, CodeSelector, state);
        }

        /// <summary>The same flat 64-bit GDT shifted up one slot: null, null, code 0x10, data 0x18, TSS 0x20.</summary>
        public static bool InstallForLinux(GuestMemoryAccess memory, GuestEntryState state)
        {
            return Install(memory, Code64Descriptor, LinuxCodeSelector, state);
        }

        private static bool Install(GuestMemoryAccess memory, ulong code, ushort codeSelector, GuestEntryState state)
        {
            ushort dataSelector = (ushort)(codeSelector + 8);
            ushort tssSelector = (ushort)(codeSelector + 16);
            ulong tss = TssDescriptor(GuestLayout.TssAddress, TssSize - 1);
            int gdtSize = codeSelector + DescriptorsAfterNull;

            Span<byte> gdt = stackalloc byte[LinuxCodeSelector + DescriptorsAfterNull];
            for (int i = 0; i < codeSelector; i += 8)
            {
                LittleEndian.WriteUInt64(gdt, i, 0);
            }
            LittleEndian.WriteUInt64(gdt, codeSelector, code);
            LittleEndian.WriteUInt64(gdt, dataSelector, DataDescriptor);
            LittleEndian.WriteUInt64(gdt, tssSelector, tss);
            // Upper half of the 16-byte TSS descriptor: base bits 63:32 = 0, rest reserved 0.
            LittleEndian.WriteUInt64(gdt, tssSelector + 8, 0);

            Span<byte> tssBytes = stackalloc byte[TssSize];
            for (int i = 0; i < TssSize; i++)
            {
                tssBytes[i] = 0;
            }
            LittleEndian.WriteUInt16(tssBytes, TssIoMapBaseOffset, TssSize);

            if (!memory.Write(GuestLayout.GdtAddress, gdt.Slice(0, gdtSize)) || !memory.Write(GuestLayout.TssAddress, tssBytes))
            {
                return false;
            }

            state.Cs = GuestSegment.FromDescriptor(codeSelector, code);
            state.SetDataSegments(GuestSegment.FromDescriptor(dataSelector, DataDescriptor));
            state.Tr = GuestSegment.FromDescriptor(tssSelector, tss);
            state.Ldtr = GuestSegment.Unusable();
            state.GdtrBase = GuestLayout.GdtAddress;
            state.GdtrLimit = (uint)gdtSize - 1;
            return true;
        }

        /// <summary>
        /// A busy 32/64-bit TSS descriptor (type 11): TR must hold a busy TSS at VM entry (26.3.1.2), and a
        /// loaded TR is busy by definition.
        /// </summary>
        private static ulong TssDescriptor(ulong baseAddress, uint limit)
        {
            return (limit & 0xFFFFUL)
                | ((baseAddress & 0xFFFFFFUL) << 16)
                | ((ulong)SegmentAccessRights.BusyTss << 40)
                | (((ulong)(limit >> 16) & 0xF) << 48)
                | (((baseAddress >> 24) & 0xFF) << 56);
        }
    }
}
