using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// The MOV-to-CR writes that exit, checked as the processor checks them (SDM Vol. 2B "MOV—Move to/from Control
    /// Registers", Vol. 3A 2.5); false means the instruction faults with #GP(0) and nothing changed.
    ///
    /// - CR0 exits when the guest changes a bit VMX forces on (NE; the CR0 guest/host mask) or CD/NW (which the
    ///   processor keeps clear: <see cref="Cr0GuestCacheBits"/>). Undefined bits 31:0 are
    ///   ignored, bits 63:32 fault; PG without PE, NW without CD, PG with EFER.LME and no CR4.PAE, clearing PG in 64-bit
    ///   code or with CR4.PCIDE fault. The guest keeps its own view (the read shadow) while the processor runs with NE
    ///   set; a PG change with EFER.LME enters or leaves IA-32e mode (EFER.LMA and the "IA-32e mode guest" entry control).
    /// - CR4 exits when the guest changes a bit the host owns: VMXE (forced on by VMX, read as 0), OSXSAVE (the world
    ///   switch's XSAVE mask follows it) and every bit whose feature CPUID does not advertise, which faults.
    ///   PAE cannot be cleared in IA-32e mode; PCIDE can be set only in IA-32e mode with CR3[11:0] = 0.
    /// - CR8 (the task priority; no TPR shadow, so CR8 accesses exit): bits 63:4 are reserved and fault.
    /// </summary>
    public static class ControlRegisterPolicy
    {
        /// <summary>CR0 bits that exist (SDM Vol. 3A 2.5): PE MP EM TS ET NE WP AM NW CD PG.</summary>
        public const ulong Cr0Defined = 0xE005003FUL;
        /// <summary>
        /// CR0.CD and CR0.NW are the guest's belief only: the processor keeps caching on (memory types come from the EPT,
        /// and a guest that disables its caches must not slow the host). Linux sets CD around its MTRR set-up.
        /// </summary>
        public const ulong Cr0GuestCacheBits = ControlRegisterBits.Cr0CacheDisable | ControlRegisterBits.Cr0NotWriteThrough;

        /// <summary>The CR0 guest/host mask: the bits VMX forces on (<paramref name="forced"/>) and the cache bits.</summary>
        public static ulong Cr0HostOwned(ulong forced) => forced | Cr0GuestCacheBits;

        /// <summary>CR4 bits VMX forces on (IA32_VMX_CR4_FIXED0) that the guest reads as it wrote them.</summary>
        public const ulong Cr4HostForced = ControlRegisterBits.Cr4VmxEnable;
        /// <summary>CR4 changes that change how linear addresses translate: cached translations are dropped.</summary>
        private const ulong Cr4PagingBits = (1UL << 4) | ControlRegisterBits.Cr4PhysicalAddressExtension | (1UL << 7)
                                          | ControlRegisterBits.Cr4PcidEnable | ControlRegisterBits.Cr4Smep | ControlRegisterBits.Cr4Smap;
        private const ulong CsLongMode = 1UL << 13;

        /// <summary>CR4 guest/host mask: the bits whose change exits, given the CR4 bits the guest may set.</summary>
        public static ulong Cr4HostOwned(ulong allowedCr4) => Cr4HostForced | ControlRegisterBits.Cr4OsXsave | ~allowedCr4;

        /// <summary>CR0 as the guest believes it is: its own bits where the host owns them (the read shadow).</summary>
        public static ulong GuestCr0(Vcpu cpu) => Merge(cpu, VmcsField.GuestCr0, VmcsField.Cr0GuestHostMask, VmcsField.Cr0ReadShadow);

        public static ulong GuestCr4(Vcpu cpu) => Merge(cpu, VmcsField.GuestCr4, VmcsField.Cr4GuestHostMask, VmcsField.Cr4ReadShadow);

        private static ulong Merge(Vcpu cpu, uint actual, uint mask, uint shadow)
        {
            ulong m = cpu.ReadField(mask);
            return (cpu.ReadField(actual) & ~m) | (cpu.ReadField(shadow) & m);
        }

        public static bool WriteCr0(Vcpu cpu, ulong value)
        {
            if ((value >> 32) != 0) return false;
            value = (value & Cr0Defined) | ControlRegisterBits.Cr0ExtensionType;
            if ((value & ControlRegisterBits.Cr0Paging) != 0 && (value & ControlRegisterBits.Cr0ProtectionEnable) == 0) return false;
            if ((value & ControlRegisterBits.Cr0NotWriteThrough) != 0 && (value & ControlRegisterBits.Cr0CacheDisable) == 0) return false;
            ulong old = GuestCr0(cpu);
            ulong cr4 = GuestCr4(cpu);
            ulong efer = cpu.ReadField(VmcsField.GuestIa32Efer);
            bool pagingOn = (old & ControlRegisterBits.Cr0Paging) == 0 && (value & ControlRegisterBits.Cr0Paging) != 0;
            bool pagingOff = (old & ControlRegisterBits.Cr0Paging) != 0 && (value & ControlRegisterBits.Cr0Paging) == 0;
            bool lme = (efer & ControlRegisterBits.EferLongModeEnable) != 0;
            if (pagingOn && lme && (cr4 & ControlRegisterBits.Cr4PhysicalAddressExtension) == 0) return false;
            if (pagingOff)
            {
                if ((cr4 & ControlRegisterBits.Cr4PcidEnable) != 0) return false;
                bool longCode = (efer & ControlRegisterBits.EferLongModeActive) != 0 && (cpu.ReadField(VmcsField.GuestCsAccessRights) & CsLongMode) != 0;
                if (longCode) return false;
            }
            ulong forced = cpu.ReadField(VmcsField.Cr0GuestHostMask) & ~Cr0GuestCacheBits;
            cpu.WriteField(VmcsField.Cr0ReadShadow, value);
            cpu.WriteField(VmcsField.GuestCr0, (value & ~Cr0GuestCacheBits) | forced);
            if ((pagingOn || pagingOff) && lme)
            {
                ulong entry = cpu.ReadField(VmcsField.EntryControls);
                if (pagingOn)
                {
                    cpu.WriteField(VmcsField.GuestIa32Efer, efer | ControlRegisterBits.EferLongModeActive);
                    cpu.WriteField(VmcsField.EntryControls, entry | VmxControls.Ia32eModeGuest);
                }
                else
                {
                    cpu.WriteField(VmcsField.GuestIa32Efer, efer & ~ControlRegisterBits.EferLongModeActive);
                    cpu.WriteField(VmcsField.EntryControls, entry & ~VmxControls.Ia32eModeGuest);
                }
            }
            if (((old ^ value) & (ControlRegisterBits.Cr0Paging | ControlRegisterBits.Cr0WriteProtect | ControlRegisterBits.Cr0CacheDisable)) != 0)
            {
                cpu.FlushGuestTranslations();
            }
            return true;
        }

        /// <param name="allowedCr4">The CR4 bits the guest may set (<see cref="CpuidPolicy.GuestCr4Bits"/>).</param>
        public static bool WriteCr4(Vcpu cpu, ulong value, ulong allowedCr4)
        {
            if ((value & ~allowedCr4) != 0) return false;
            ulong old = GuestCr4(cpu);
            bool ia32e = (cpu.ReadField(VmcsField.GuestIa32Efer) & ControlRegisterBits.EferLongModeActive) != 0;
            if (ia32e && (value & ControlRegisterBits.Cr4PhysicalAddressExtension) == 0) return false;
            if ((old & ControlRegisterBits.Cr4PcidEnable) == 0 && (value & ControlRegisterBits.Cr4PcidEnable) != 0
                && (!ia32e || (cpu.ReadField(VmcsField.GuestCr3) & 0xFFF) != 0))
            {
                return false;
            }
            cpu.WriteField(VmcsField.Cr4ReadShadow, value);
            cpu.WriteField(VmcsField.GuestCr4, value | Cr4HostForced);
            if (((old ^ value) & Cr4PagingBits) != 0) cpu.FlushGuestTranslations();
            if (((old ^ value) & ControlRegisterBits.Cr4OsXsave) != 0) cpu.ExtendedControlChanged();
            return true;
        }

        public static bool WriteCr8(Vcpu cpu, ulong value)
        {
            if ((value & ~0xFUL) != 0) return false;
            cpu.Switched.Cr8 = value;
            return true;
        }
    }
}
