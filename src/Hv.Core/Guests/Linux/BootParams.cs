using System;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Linux
{
    /// <summary>
    /// The zero page (struct boot_params, 4 KiB; boot.rst and zero-page.rst) a 64-bit Linux entry finds at RSI: the
    /// image's setup header copied in and completed by the loader (loader type, command line, initrd), the e820 memory
    /// map and the ACPI RSDP address. Built in a buffer, so it reaches guest memory in one write.
    /// </summary>
    public static class BootParams
    {
        public const int Size = 4096;
        public const int AcpiRsdpAddrOffset = 0x070;
        public const int E820EntriesOffset = 0x1E8;
        public const int E820TableOffset = 0x2D0;
        public const int TypeOfLoaderOffset = 0x210;
        public const int Code32StartOffset = 0x214;
        public const int RamdiskImageOffset = 0x218;
        public const int RamdiskSizeOffset = 0x21C;
        public const int CmdLinePtrOffset = 0x228;
        /// <summary>type_of_loader 0xFF: a boot loader without an assigned id.</summary>
        public const byte UndefinedLoader = 0xFF;

        /// <summary>
        /// Fills <paramref name="page"/> (<see cref="Size"/> bytes): zeroes, the setup header of <paramref name="image"/>,
        /// then the loader's fields. The RSDP address is passed only to kernels of boot protocol 2.14 or later.
        /// </summary>
        public static void Build(Span<byte> page, ReadOnlySpan<byte> image, BzImageHeader header, ulong kernelAddress,
            ulong commandLineAddress, ulong initrdAddress, ulong initrdSize, ulong ramSize, ulong rsdpAddress)
        {
            for (int i = 0; i < Size; i++)
            {
                page[i] = 0;
            }
            for (int i = BzImageHeader.SetupSectsOffset; i < header.HeaderEnd; i++)
            {
                page[i] = image[i];
            }
            page[TypeOfLoaderOffset] = UndefinedLoader;
            LittleEndian.WriteUInt32(page, Code32StartOffset, (uint)kernelAddress);
            LittleEndian.WriteUInt32(page, RamdiskImageOffset, (uint)initrdAddress);
            LittleEndian.WriteUInt32(page, RamdiskSizeOffset, (uint)initrdSize);
            LittleEndian.WriteUInt32(page, CmdLinePtrOffset, (uint)commandLineAddress);
            if (header.Version >= BzImageHeader.AcpiRsdpVersion)
            {
                LittleEndian.WriteUInt64(page, AcpiRsdpAddrOffset, rsdpAddress);
            }
            page[E820EntriesOffset] = E820Map.EntryCount;
            E820Map.Write(page.Slice(E820TableOffset, E820Map.EntryCount * E820Map.EntrySize), ramSize);
        }
    }
}
