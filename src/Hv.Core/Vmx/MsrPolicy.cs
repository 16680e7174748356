using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Which MSRs a guest may touch through RDMSR/WRMSR exits, and where each lives. An allow-list: any MSR not
    /// named here makes the instruction fault with #GP(0), as a real CPU does for an MSR it lacks, so guests
    /// probe safely (Linux uses rdmsr_safe) and no host MSR is ever exposed.
    ///
    /// - IA32_TSC: guest TSC = host TSC + VMCS TSC offset; a write moves the offset (SDM Vol. 3C "Time-Stamp Counter Offset").
    /// - IA32_TSC_ADJUST is that offset: a vCPU starts with offset 0 (its TSC is the host's), and every write to IA32_TSC
    ///   changes TSC_ADJUST by the same amount as the TSC (SDM Vol. 3B 18.17.3), exactly as the offset moves. Linux
    ///   trusts a TSC with TSC_ADJUST, invariant TSC and few nodes without a clocksource watchdog.
    /// - IA32_APIC_BASE: #GP, as on a CPU without a local APIC (CPUID.1:EDX.APIC is hidden until an APIC model exists).
    /// - IA32_MISC_ENABLE: reads fast strings on, BTS and PEBS unavailable, everything else (thermal control,
    ///   performance monitoring, EIST, MONITOR/MWAIT, CPUID limit, xTPR, XD disable) off, matching CPUID; a write may
    ///   toggle only fast strings (ignored: REP MOVS/STOS run natively), any other change → #GP.
    /// - IA32_MTRRCAP, IA32_MTRR_DEF_TYPE, the variable and fixed MTRRs: per vCPU in <see cref="GuestMtrrs"/>, which
    ///   checks memory types and reserved bits; MTRRCAP is read-only.
    /// - IA32_TSC_AUX: per vCPU in <see cref="GuestMsrs"/> (RDTSCP and RDPID read it without exiting); bits 63:32 → #GP.
    /// - IA32_BIOS_SIGN_ID: reads microcode revision 0 (a guest has no microcode to update); writes (the zeroing before
    ///   the CPUID that latches the revision) are ignored.
    /// - IA32_FEATURE_CONTROL: reads locked with VMX disabled (we offer no nested VMX); any write → #GP, as
    ///   for a locked register (SDM Vol. 3C "Enabling and Entering VMX Operation").
    /// - IA32_EFER, IA32_PAT, SYSENTER_CS/ESP/EIP, FS/GS base: the VMCS guest-state fields, which the CPU loads
    ///   on entry and saves on exit (the backend sets the load/save EFER and PAT controls).
    /// - STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE (which SWAPGS changes without an exit), TSC_AUX: no VMCS field; kept in the vCPU's <see cref="GuestMsrs"/>,
    ///   which a hardware vCPU loads into the processor.
    /// Writes are checked as hardware checks them: reserved EFER bits, LME changed while paging is on, invalid
    /// PAT memory types and non-canonical addresses all fault with #GP.
    /// </summary>
    public static class MsrPolicy
    {
        /// <summary>Fast-string operations enabled (bit 0), BTS unavailable (11), PEBS unavailable (12) (SDM Vol. 4 Table 2-2).</summary>
        public const ulong MiscEnableValue = (1UL << 0) | (1UL << 11) | (1UL << 12);
        private const ulong MiscEnableWritable = 1UL << 0;
        /// <summary>Lock bit set, VMX-inside-SMX (bit 1) and VMX-outside-SMX (bit 2) clear.</summary>
        public const ulong FeatureControlValue = 1;

        private const ulong EferSce = ControlRegisterBits.EferSyscallEnable;
        private const ulong EferLme = ControlRegisterBits.EferLongModeEnable;
        private const ulong EferLma = ControlRegisterBits.EferLongModeActive;
        private const ulong EferNxe = ControlRegisterBits.EferNoExecuteEnable;

        /// <summary>Reads <paramref name="msr"/> for the guest; false means the RDMSR must fault with #GP(0).</summary>
        public static bool Read(Vcpu cpu, uint msr, out ulong value)
        {
            switch (msr)
            {
                case Msr.Ia32Tsc:
                    value = cpu.GuestTsc();
                    return true;
                case Msr.Ia32TscAdjust:
                    value = cpu.TscAdjust;
                    return true;
                case Msr.Ia32MiscEnable:
                    value = MiscEnableValue;
                    return true;
                case Msr.Ia32MtrrCap:
                    value = GuestMtrrs.Capabilities;
                    return true;
                case Msr.Ia32FeatureControl:
                    value = FeatureControlValue;
                    return true;
                case Msr.Ia32BiosSignId:
                    value = 0;
                    return true;
                case Msr.Ia32SysenterCs:
                    value = cpu.ReadField(VmcsField.GuestIa32SysenterCs);
                    return true;
                case Msr.Ia32SysenterEsp:
                    value = cpu.ReadField(VmcsField.GuestIa32SysenterEsp);
                    return true;
                case Msr.Ia32SysenterEip:
                    value = cpu.ReadField(VmcsField.GuestIa32SysenterEip);
                    return true;
                case Msr.Ia32Pat:
                    value = cpu.ReadField(VmcsField.GuestIa32Pat);
                    return true;
                case Msr.Ia32Efer:
                    value = cpu.ReadField(VmcsField.GuestIa32Efer);
                    return true;
                case Msr.Ia32FsBase:
                    value = cpu.ReadField(VmcsField.GuestFsBase);
                    return true;
                case Msr.Ia32GsBase:
                    value = cpu.ReadField(VmcsField.GuestGsBase);
                    return true;
                case Msr.Ia32Star:
                    value = cpu.Msrs.Star;
                    return true;
                case Msr.Ia32Lstar:
                    value = cpu.Msrs.Lstar;
                    return true;
                case Msr.Ia32Cstar:
                    value = cpu.Msrs.Cstar;
                    return true;
                case Msr.Ia32Fmask:
                    value = cpu.Msrs.Fmask;
                    return true;
                case Msr.Ia32KernelGsBase:
                    cpu.PullProcessorState(); // SWAPGS may have changed it
                    value = cpu.Msrs.KernelGsBase;
                    return true;
                case Msr.Ia32TscAux:
                    value = cpu.Msrs.TscAux;
                    return true;
                default:
                    int mtrr = GuestMtrrs.Slot(msr);
                    value = mtrr >= 0 ? cpu.Mtrrs.Get(mtrr) : 0;
                    return mtrr >= 0;
            }
        }

        private static void MoveTsc(Vcpu cpu, ulong delta)
        {
            cpu.WriteField(VmcsField.TscOffset, unchecked(cpu.ReadField(VmcsField.TscOffset) + delta));
            cpu.TscAdjust = unchecked(cpu.TscAdjust + delta);
        }

        /// <summary>Writes <paramref name="msr"/> for the guest; false means the WRMSR must fault with #GP(0) and nothing changed.</summary>
        public static bool Write(Vcpu cpu, uint msr, ulong value)
        {
            switch (msr)
            {
                // SDM Vol. 3B 17.17.3: a write to one moves the other by the same amount.
                case Msr.Ia32Tsc:
                    MoveTsc(cpu, unchecked(value - cpu.GuestTsc()));
                    return true;
                case Msr.Ia32TscAdjust:
                    MoveTsc(cpu, unchecked(value - cpu.TscAdjust));
                    return true;
                case Msr.Ia32MiscEnable:
                    return ((value ^ MiscEnableValue) & ~MiscEnableWritable) == 0;
                case Msr.Ia32BiosSignId:
                    return true;
                case Msr.Ia32SysenterCs:
                    cpu.WriteField(VmcsField.GuestIa32SysenterCs, value & 0xFFFFFFFFUL);
                    return true;
                case Msr.Ia32SysenterEsp:
                    return WriteAddress(cpu, VmcsField.GuestIa32SysenterEsp, value);
                case Msr.Ia32SysenterEip:
                    return WriteAddress(cpu, VmcsField.GuestIa32SysenterEip, value);
                case Msr.Ia32Pat:
                    if (!IsValidPat(value))
                    {
                        return false;
                    }
                    cpu.WriteField(VmcsField.GuestIa32Pat, value);
                    return true;
                case Msr.Ia32Efer:
                    return WriteEfer(cpu, value);
                case Msr.Ia32FsBase:
                    return WriteAddress(cpu, VmcsField.GuestFsBase, value);
                case Msr.Ia32GsBase:
                    return WriteAddress(cpu, VmcsField.GuestGsBase, value);
                case Msr.Ia32Star:
                    cpu.Msrs.Star = value;
                    return true;
                case Msr.Ia32Lstar:
                    if (!IsCanonical(value))
                    {
                        return false;
                    }
                    cpu.Msrs.Lstar = value;
                    return true;
                case Msr.Ia32Cstar:
                    if (!IsCanonical(value))
                    {
                        return false;
                    }
                    cpu.Msrs.Cstar = value;
                    return true;
                case Msr.Ia32Fmask:
                    cpu.Msrs.Fmask = value;
                    return true;
                case Msr.Ia32KernelGsBase:
                    if (!IsCanonical(value))
                    {
                        return false;
                    }
                    cpu.Msrs.KernelGsBase = value;
                    return true;
                case Msr.Ia32TscAux:
                    if ((value >> 32) != 0)
                    {
                        return false;
                    }
                    cpu.Msrs.TscAux = value;
                    return true;
                default:
                    // Includes IA32_FEATURE_CONTROL, which reads as locked, and the read-only IA32_MTRRCAP.
                    int mtrr = GuestMtrrs.Slot(msr);
                    if (mtrr < 0 || !GuestMtrrs.IsValid(mtrr, value))
                    {
                        return false;
                    }
                    cpu.Mtrrs.Set(mtrr, value);
                    return true;
            }
        }

        /// <summary>
        /// Canonical for 48-bit linear addresses: bits 63:47 all equal (SDM Vol. 1 "Canonical Addressing"). Guests using
        /// 5-level paging would need 57 bits; we do not offer LA57 yet.
        /// </summary>
        public static bool IsCanonical(ulong address)
        {
            ulong upper = address >> 47;
            return upper == 0 || upper == 0x1FFFF;
        }

        private static bool WriteAddress(Vcpu cpu, uint field, ulong value)
        {
            if (!IsCanonical(value))
            {
                return false;
            }
            cpu.WriteField(field, value);
            return true;
        }

        private static bool WriteEfer(Vcpu cpu, ulong value)
        {
            if ((value & ~(EferSce | EferLme | EferLma | EferNxe)) != 0)
            {
                return false;
            }
            ulong current = cpu.ReadField(VmcsField.GuestIa32Efer);
            // Changing LME while paging is on faults (SDM Vol. 3A "Initializing IA-32e Mode").
            if (((current ^ value) & EferLme) != 0 && (cpu.ReadField(VmcsField.GuestCr0) & ControlRegisterBits.Cr0Paging) != 0)
            {
                return false;
            }
            // LMA is status the processor maintains; a write cannot change it.
            cpu.WriteField(VmcsField.GuestIa32Efer, (value & ~EferLma) | (current & EferLma));
            return true;
        }

        /// <summary>Each of the 8 PAT entries must be UC(0), WC(1), WT(4), WP(5), WB(6) or UC-(7) (SDM Vol. 3A "Programming the PAT").</summary>
        private static bool IsValidPat(ulong value)
        {
            for (int i = 0; i < 8; i++)
            {
                ulong type = (value >> (i * 8)) & 0xFF;
                if (type == 2 || type == 3 || type > 7)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
