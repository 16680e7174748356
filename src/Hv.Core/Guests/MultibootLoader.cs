using System;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Boots a Multiboot v1 kernel (Multiboot Specification 0.6.96) the way GRUB legacy would: loads it by
    /// the a.out-kludge address fields, or else by its ELF32 program headers, builds the information block
    /// and enters in 32-bit protected mode with paging off, EAX = 0x2BADB002, EBX = info block (§3.2).
    /// Kernels load at or above 1 MiB (ELF segments also in 0x8000-0x9FFFF) and fit below both the end of RAM and 4 GiB.
    /// </summary>
    public static class MultibootLoader
    {
        /// <summary>What the kernel finds in EAX to know a Multiboot loader started it (§3.2).</summary>
        public const uint BootloaderMagic = 0x2BADB002;

        private const ulong FourGiB = 1UL << 32;

        /// <summary>Loads the kernel and its <paramref name="modules"/> (null: none), page-aligned after the kernel.</summary>
        public static GuestLoadStatus Load(ReadOnlySpan<byte> image, GuestMemoryAccess memory, ulong ramSize,
            ReadOnlySpan<byte> commandLine, GuestEntryState state, MultibootModule[] modules = null)
        {
            if (image.Length == 0)
            {
                return GuestLoadStatus.ImageEmpty;
            }
            if (commandLine.Length > MultibootInfoBuilder.MaxCommandLine)
            {
                return GuestLoadStatus.CommandLineTooLong;
            }
            MultibootHeader header = new MultibootHeader();
            GuestLoadStatus status = MultibootHeader.Find(image, header);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }

            // Paging is off at entry: a 32-bit kernel can reach only the first 4 GiB.
            ulong limit = ramSize < FourGiB ? ramSize : FourGiB;
            uint entry;
            ulong end;
            if (header.HasAddressFields)
            {
                status = LoadByAddressFields(image, header, memory, limit, out entry, out end);
            }
            else
            {
                status = Elf32Loader.Load(image, memory, GuestLayout.HighMemoryStart, limit, out entry, out end);
            }
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }
            // Modules go above everything the kernel loads, and above 1 MiB even when all of it is low.
            status = MultibootModules.Place(memory, modules, end < GuestLayout.HighMemoryStart ? GuestLayout.HighMemoryStart : end, limit);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }

            status = MultibootInfoBuilder.Build(memory, ramSize, commandLine, modules == null ? 0 : modules.Length);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }
            state.Reset();
            if (!FlatGdt.Install(memory, false, state))
            {
                return GuestLoadStatus.WriteFailed;
            }
            // IDTR limit 0: the spec leaves IDTR undefined and forbids interrupts until the kernel sets one up.
            state.Cr0 = ControlRegisterBits.Cr0ProtectionEnable | ControlRegisterBits.Cr0ExtensionType;
            state.Rflags = ControlRegisterBits.RflagsReserved1;
            state.Rax = BootloaderMagic;
            state.Rbx = GuestLayout.MultibootInfoAddress;
            state.Rip = entry;
            state.Rsp = GuestLayout.LowStackTop;
            return GuestLoadStatus.Ok;
        }

        /// <summary>
        /// The a.out kludge (§3.1.3): the file from offset (header offset − (header_addr − load_addr)) is
        /// copied to load_addr up to load_end_addr (0: to the end of the file); bss_end_addr (0: no bss)
        /// is zeroed from there. Every relation the spec states is checked, plus: nothing below 1 MiB or
        /// beyond <paramref name="limit"/>, and the entry inside the loaded bytes.
        /// </summary>
        private static GuestLoadStatus LoadByAddressFields(ReadOnlySpan<byte> image, MultibootHeader header,
            GuestMemoryAccess memory, ulong limit, out uint entry, out ulong end)
        {
            entry = 0;
            end = 0;
            ulong loadAddress = header.LoadAddress;
            ulong headerAddress = header.HeaderAddress;
            if (loadAddress > headerAddress || headerAddress - loadAddress > (ulong)header.Offset)
            {
                return GuestLoadStatus.BadLoadAddresses;
            }
            ulong fileOffset = (ulong)header.Offset - (headerAddress - loadAddress);
            ulong available = (ulong)image.Length - fileOffset;
            ulong loadEnd = header.LoadEndAddress == 0 ? loadAddress + available : header.LoadEndAddress;
            if (loadEnd <= loadAddress || loadEnd - loadAddress > available)
            {
                return GuestLoadStatus.BadLoadAddresses;
            }
            ulong bssEnd = header.BssEndAddress == 0 ? loadEnd : header.BssEndAddress;
            if (bssEnd < loadEnd)
            {
                return GuestLoadStatus.BadLoadAddresses;
            }
            if (loadAddress < GuestLayout.HighMemoryStart)
            {
                return GuestLoadStatus.BelowOneMiB;
            }
            if (bssEnd > limit)
            {
                return GuestLoadStatus.DoesNotFit;
            }
            if (header.EntryAddress < loadAddress || header.EntryAddress >= loadEnd)
            {
                return GuestLoadStatus.EntryOutsideImage;
            }

            if (!memory.Write(loadAddress, image.Slice((int)fileOffset, (int)(loadEnd - loadAddress)))
                || !GuestWrites.Zero(memory, loadEnd, bssEnd - loadEnd))
            {
                return GuestLoadStatus.WriteFailed;
            }
            entry = header.EntryAddress;
            end = bssEnd;
            return GuestLoadStatus.Ok;
        }
    }
}
