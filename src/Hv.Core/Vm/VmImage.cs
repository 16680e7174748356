using System;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The byte layout of an exported VM (Export-HvVm / Import-HvVm / Move-HvVm), little-endian:
    /// <code>
    ///   "HVVM" u16 version (8; 2 to 7 are read too) u16 0 | u64 memory size | u8 n + name | u8 n + template name
    ///   u16 field count + u64 × count (VcpuState.Fields order) | u64 × 19 registers (GuestRegisters order, CR2 last)
    ///   1024 B XSAVE image | u64 × 6 MSRs (STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE, TSC_AUX)
    ///   u64 × 7 switched registers (DR0, DR1, DR2, DR3, DR6, CR8, XCR0) | u64 × 28 MTRRs (GuestMtrrs order)
    ///   version 3 on: u16 CPU weight | u8 CPU cap percent (a version-2 image gets the defaults)
    ///   version 4 on: u8 1 if a PC + PcPlatform.StateSize bytes of its devices (zeros for a bare VM; versions 4 and 5:
    ///                 PcPlatform.StateSizeBeforePci bytes, the platform before PCI)
    ///   version 5 on: u64 the guest's TSC (an older image's guest continues on the host's TSC) | u64 its TSC_ADJUST
    ///   version 7 on: u64 the size of its disk in 512-byte sectors (0: no disk)
    ///   version 8 on: u8 1 if it has a network adapter | u64 the adapter's MAC | u8 n + 64 bytes: the name of the switch
    ///                 it was connected to (n = 0: none; zeros after the name) | PcPciHost.NetworkStateCapacity bytes:
    ///                 the adapter's device state (VcpuState.NetworkState; all zeros without an adapter)
    ///   page bitmap: one bit per 4 KiB guest page, set when the page follows (all-zero pages are left out)
    ///   version 7, a VM with a disk: disk bitmap, one bit per 4 KiB of the disk, set when that page was written (holes
    ///                 read as zeros and do not travel: a 16 MiB disk never written costs its 512-byte bitmap)
    ///   the pages whose bit is set, 4096 bytes each, in address order; then the disk's, in disk order
    ///   SHA-256 of every byte before it (32 bytes)
    /// </code>
    /// The size is known before the first byte is sent, and any offset can be read on its own (a resumable download).
    /// </summary>
    public static class VmImage
    {
        public const uint Magic = 0x4D565648; // "HVVM"
        public const ushort Version = 8;
        /// <summary>The oldest version still read: it has no CPU weight and cap.</summary>
        public const ushort OldestVersion = 2;
        public const int PageSize = 4096;
        public const int RegisterCount = 19;
        public const int MsrCount = GuestMsrs.Count;
        public const int SwitchedCount = SwitchedRegisters.Count;
        public const int MtrrCount = GuestMtrrs.Count;
        public const int DigestBytes = 32;

        /// <summary>Bytes before the page bitmap for the given name lengths (in bytes) in an image of <paramref name="version"/>.</summary>
        public static int HeaderBytes(int nameBytes, int templateBytes, ushort version)
            => 4 + 2 + 2 + 8 + 1 + nameBytes + 1 + templateBytes + 2 + 8 * VcpuState.Fields.Length + 8 * RegisterCount
               + VcpuState.FpuStateBytes + 8 * MsrCount + 8 * SwitchedCount + 8 * MtrrCount + (version >= 3 ? 3 : 0)
               + (version >= 6 ? 1 + Hv.Core.Devices.Pc.PcPlatform.StateSize : version >= 4 ? 1 + Hv.Core.Devices.Pc.PcPlatform.StateSizeBeforePci : 0) + (version >= 5 ? 16 : 0)
               + (version >= 7 ? 8 : 0) + NetworkAdapterBytes(version);

        /// <summary>The network adapter's part of the header (version 8 on): fixed size, so the header's size is known early.</summary>
        public static int NetworkAdapterBytes(ushort version)
            => version >= 8 ? 1 + 8 + 1 + Hv.Core.Text.NameRule.MaxLength + Hv.Core.Devices.Pc.PcPciHost.NetworkStateCapacity : 0;

        public static int BitmapBytes(ulong memorySize) => (int)((memorySize / PageSize + 7) / 8);

        /// <summary>The bytes of a disk's bitmap: a bit per 4 KiB page of it, the last page perhaps partial.</summary>
        public static int DiskBitmapBytes(ulong diskSectors) => (int)((DiskPages(diskSectors) + 7) / 8);

        /// <summary>4 KiB pages of a disk of <paramref name="diskSectors"/> sectors (the last one perhaps partial).</summary>
        public static ulong DiskPages(ulong diskSectors) => (diskSectors * 512 + PageSize - 1) / PageSize;

        internal static ulong Register(GuestRegisters r, int i)
        {
            switch (i)
            {
                case 0: return r.Rax; case 1: return r.Rcx; case 2: return r.Rdx; case 3: return r.Rbx;
                case 4: return r.Rsp; case 5: return r.Rbp; case 6: return r.Rsi; case 7: return r.Rdi;
                case 8: return r.R8; case 9: return r.R9; case 10: return r.R10; case 11: return r.R11;
                case 12: return r.R12; case 13: return r.R13; case 14: return r.R14; case 15: return r.R15;
                case 16: return r.Rip; case 17: return r.Rflags; default: return r.Cr2;
            }
        }

        internal static void SetRegister(GuestRegisters r, int i, ulong v)
        {
            switch (i)
            {
                case 0: r.Rax = v; break; case 1: r.Rcx = v; break; case 2: r.Rdx = v; break; case 3: r.Rbx = v; break;
                case 4: r.Rsp = v; break; case 5: r.Rbp = v; break; case 6: r.Rsi = v; break; case 7: r.Rdi = v; break;
                case 8: r.R8 = v; break; case 9: r.R9 = v; break; case 10: r.R10 = v; break; case 11: r.R11 = v; break;
                case 12: r.R12 = v; break; case 13: r.R13 = v; break; case 14: r.R14 = v; break; case 15: r.R15 = v; break;
                case 16: r.Rip = v; break; case 17: r.Rflags = v; break; default: r.Cr2 = v; break;
            }
        }
    }
}
