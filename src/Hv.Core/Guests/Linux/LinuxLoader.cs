using System;
using Hv.Core.Guests.Acpi;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Linux
{
    /// <summary>
    /// Boots an unmodified Linux bzImage through the 64-bit boot protocol (Documentation/arch/x86/boot.rst, "64-bit Boot
    /// Protocol"): the protected-mode kernel at its pref_address, the initrd at the top of what it may use, the ACPI
    /// tables (<see cref="AcpiTables"/>, their address also in the zero page), the zero page
    /// and command line below 1 MiB, identity page tables over all RAM, and a GDT with __BOOT_CS = 0x10 and
    /// __BOOT_DS = 0x18; the vCPU starts in long mode at the kernel + 0x200 with RSI = zero page and interrupts off.
    /// Limits: guest RAM from pref_address + init_size (Debian 12's cloud kernel: 16 MiB + 51.5 MiB, so 128 MiB is a
    /// comfortable minimum) up to 4 GiB (the zero page's initrd and command-line pointers are 32 bits; Hv's own limit is
    /// lower); the command line at most cmdline_size bytes (2047 for 6.1) and 4095; the initrd up to the RAM between the
    /// kernel's init_size and min(end of RAM, initrd_addr_max).
    /// </summary>
    public static class LinuxLoader
    {
        /// <summary>The 64-bit entry point is 0x200 bytes into the protected-mode kernel.</summary>
        public const ulong EntryOffset = 0x200;
        public const int MaxCommandLine = 4095;
        private const ulong FourGiB = 1UL << 32;
        private const ulong PageMask = 0xFFF;

        /// <summary>
        /// Loads <paramref name="kernel"/> and the optional <paramref name="initrd"/> (null: none; mapped in place when it
        /// can be) for a VM of <paramref name="processors"/> vCPUs (the MADT lists them).
        /// </summary>
        public static GuestLoadStatus Load(ReadOnlySpan<byte> kernel, ImageBytes initrd, GuestMemoryAccess memory,
            ulong ramSize, ReadOnlySpan<byte> commandLine, GuestEntryState state, int processors = 1)
        {
            int initrdLength = initrd == null ? 0 : initrd.Length;
            if (kernel.Length == 0)
            {
                return GuestLoadStatus.ImageEmpty;
            }
            BzImageHeader header = new BzImageHeader();
            GuestLoadStatus status = BzImageHeader.Parse(kernel, header);
            if (status != GuestLoadStatus.Ok)
            {
                return status;
            }
            if ((ulong)commandLine.Length > header.CmdlineSize || commandLine.Length > MaxCommandLine)
            {
                return GuestLoadStatus.CommandLineTooLong;
            }
            if (ramSize > FourGiB || IdentityPageTables.End(ramSize) > GuestLayout.LinuxBootParamsAddress)
            {
                return GuestLoadStatus.RamTooLarge;
            }
            ulong kernelAddress = header.PrefAddress;
            if (ramSize < kernelAddress || header.InitSize > ramSize - kernelAddress)
            {
                return GuestLoadStatus.DoesNotFit;
            }
            ulong kernelEnd = kernelAddress + header.InitSize;
            ulong initrdAddress = 0;
            if (initrdLength > 0)
            {
                // As high as allowed (GRUB does the same), page aligned, clear of what the kernel decompresses into.
                ulong top = ramSize < (ulong)header.InitrdAddrMax + 1 ? ramSize : (ulong)header.InitrdAddrMax + 1;
                if (top < kernelEnd || (ulong)initrdLength > top - kernelEnd
                    || ((top - (ulong)initrdLength) & ~PageMask) < kernelEnd)
                {
                    return GuestLoadStatus.InitrdDoesNotFit;
                }
                initrdAddress = (top - (ulong)initrdLength) & ~PageMask;
            }

            byte[] zeroPage = new byte[BootParams.Size];
            BootParams.Build(zeroPage, kernel, header, kernelAddress, GuestLayout.LinuxCommandLineAddress, initrdAddress,
                (ulong)initrdLength, ramSize, AcpiTables.RsdpAddress);
            if (!IdentityPageTables.Write(memory, ramSize)
                || !AcpiTables.Write(memory, processors)
                || !memory.Write(kernelAddress, kernel.Slice(header.KernelOffset))
                || (initrdLength > 0 && !memory.Place(initrdAddress, initrd))
                || !memory.Write(GuestLayout.LinuxBootParamsAddress, zeroPage)
                || !memory.Write(GuestLayout.LinuxCommandLineAddress, commandLine)
                || !GuestWrites.Zero(memory, GuestLayout.LinuxCommandLineAddress + (ulong)commandLine.Length, 1))
            {
                return GuestLoadStatus.WriteFailed;
            }
            state.Reset();
            if (!FlatGdt.InstallForLinux(memory, state))
            {
                return GuestLoadStatus.WriteFailed;
            }
            IdentityPageTables.EnterLongMode(state);
            state.Rip = kernelAddress + EntryOffset;
            state.Rsi = GuestLayout.LinuxBootParamsAddress;
            // The kernel sets its own stack before using one; this one, below the loader's structures, is only a fallback.
            state.Rsp = GuestLayout.LowStackTop;
            return GuestLoadStatus.Ok;
        }
    }
}
