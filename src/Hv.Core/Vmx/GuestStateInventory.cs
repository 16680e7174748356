using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>Where one piece of a guest's architectural state lives while other VMs run.</summary>
    public enum GuestStateHome
    {
        /// <summary>A VMCS guest-state field: the processor saves it on exit and loads it on entry (SDM Vol. 3C 24.4, 27.3, 26.3.2).</summary>
        Vmcs,
        /// <summary><see cref="GuestRegisters"/>: the exit stub saves it and the entry stub loads it on every exit (boot/vmx.asm).</summary>
        WorldSwitch,
        /// <summary>The vCPU's XSAVE area: XSAVE after every exit, XRSTOR before every entry, with the guest's XCR0 components.</summary>
        XsaveArea,
        /// <summary><see cref="GuestMsrs"/>: loaded into the processor when the vCPU's slice starts after another VM's, read back (SWAPGS) before another's loads.</summary>
        ProcessorMsr,
        /// <summary><see cref="SwitchedRegisters"/>: loaded into the processor only once the guest touched one (MOV-DR exiting until then).</summary>
        DebugRegister,
        /// <summary><see cref="SwitchedRegisters"/>: every guest access exits and is emulated; the processor never holds it.</summary>
        Emulated,
    }

    /// <summary>One row of <see cref="GuestStateInventory"/>: a register, where it lives, and the SDM section that says why.</summary>
    public readonly struct GuestStateItem
    {
        public readonly string Name;
        public readonly GuestStateHome Home;
        /// <summary>The VMCS field encoding (<see cref="GuestStateHome.Vmcs"/>) or the MSR number (<see cref="GuestStateHome.ProcessorMsr"/>), else 0.</summary>
        public readonly uint Id;
        public readonly string Sdm;

        public GuestStateItem(string name, GuestStateHome home, uint id, string sdm)
        {
            Name = name;
            Home = home;
            Id = id;
            Sdm = sdm;
        }
    }

    /// <summary>
    /// Every piece of state a guest can see and another VM could change, in one table: each is either in the VMCS
    /// guest-state area or kept per vCPU and switched by the host, so no VM reads what another wrote. The tests check
    /// the rest of the code against this table (the VMCS fields are captured in <see cref="VcpuState"/>, the MSRs go
    /// through <see cref="MsrPolicy"/> and <see cref="GuestMsrs"/>), and guests/cpustate.asm proves it in a real VM.
    /// Not here because no guest can see them: the host's CR3 and IDT (VMCS host-state area); nor because they are not
    /// offered: SPEC_CTRL, PKRU, MPX and AVX-512 state, IA32_XSS, the PMU (CPUID hides them, their MSRs fault).
    /// </summary>
    public static class GuestStateInventory
    {
        public static readonly GuestStateItem[] Items =
        {
            new GuestStateItem("RAX..R15", GuestStateHome.WorldSwitch, 0, "Vol. 3C 27.1 (exits save no general registers)"),
            new GuestStateItem("RSP, RIP, RFLAGS", GuestStateHome.Vmcs, VmcsField.GuestRip, "Vol. 3C 24.4.1"),
            new GuestStateItem("CR0", GuestStateHome.Vmcs, VmcsField.GuestCr0, "Vol. 3C 24.4.1; guest view in the read shadow, 24.6.6"),
            new GuestStateItem("CR0 read shadow", GuestStateHome.Vmcs, VmcsField.Cr0ReadShadow, "Vol. 3C 24.6.6"),
            new GuestStateItem("CR2", GuestStateHome.WorldSwitch, 0, "Vol. 3C 27.3.1 (not saved by exits)"),
            new GuestStateItem("CR3", GuestStateHome.Vmcs, VmcsField.GuestCr3, "Vol. 3C 24.4.1"),
            new GuestStateItem("CR4", GuestStateHome.Vmcs, VmcsField.GuestCr4, "Vol. 3C 24.4.1"),
            new GuestStateItem("CR4 read shadow", GuestStateHome.Vmcs, VmcsField.Cr4ReadShadow, "Vol. 3C 24.6.6"),
            new GuestStateItem("CR8 (TPR)", GuestStateHome.Emulated, 0, "Vol. 3C 25.1.3 (CR8-load/store exiting)"),
            new GuestStateItem("DR0-DR3", GuestStateHome.DebugRegister, 0, "Vol. 3C 27.3.1 (only DR7 is saved); Vol. 3B 18.2"),
            new GuestStateItem("DR6", GuestStateHome.DebugRegister, 0, "Vol. 3C 27.3.1; Vol. 3B 18.2.3"),
            new GuestStateItem("DR7", GuestStateHome.Vmcs, VmcsField.GuestDr7, "Vol. 3C 27.3.1 (\"save debug controls\"), 26.3.2.1"),
            new GuestStateItem("IA32_DEBUGCTL", GuestStateHome.Vmcs, VmcsField.GuestIa32DebugCtl, "Vol. 3C 27.3.1, 26.3.2.1"),
            new GuestStateItem("ES, CS, SS, DS selectors/bases/limits/rights", GuestStateHome.Vmcs, VmcsField.GuestCsBase, "Vol. 3C 24.4.1"),
            new GuestStateItem("FS base (IA32_FS_BASE)", GuestStateHome.Vmcs, VmcsField.GuestFsBase, "Vol. 3C 24.4.1"),
            new GuestStateItem("GS base (IA32_GS_BASE)", GuestStateHome.Vmcs, VmcsField.GuestGsBase, "Vol. 3C 24.4.1"),
            new GuestStateItem("LDTR, TR, GDTR, IDTR", GuestStateHome.Vmcs, VmcsField.GuestTrBase, "Vol. 3C 24.4.1"),
            new GuestStateItem("IA32_EFER", GuestStateHome.Vmcs, VmcsField.GuestIa32Efer, "Vol. 3C 24.4.1 (save/load IA32_EFER controls)"),
            new GuestStateItem("IA32_PAT", GuestStateHome.Vmcs, VmcsField.GuestIa32Pat, "Vol. 3C 24.4.1 (save/load IA32_PAT controls)"),
            new GuestStateItem("IA32_SYSENTER_CS", GuestStateHome.Vmcs, VmcsField.GuestIa32SysenterCs, "Vol. 3C 24.4.1"),
            new GuestStateItem("IA32_SYSENTER_ESP", GuestStateHome.Vmcs, VmcsField.GuestIa32SysenterEsp, "Vol. 3C 24.4.1"),
            new GuestStateItem("IA32_SYSENTER_EIP", GuestStateHome.Vmcs, VmcsField.GuestIa32SysenterEip, "Vol. 3C 24.4.1"),
            new GuestStateItem("interruptibility, activity, pending debug exceptions", GuestStateHome.Vmcs, VmcsField.GuestInterruptibilityState, "Vol. 3C 24.4.2"),
            new GuestStateItem("PDPTEs (PAE paging)", GuestStateHome.Vmcs, VmcsField.GuestPdpte0, "Vol. 3C 24.4.2"),
            new GuestStateItem("IA32_STAR", GuestStateHome.ProcessorMsr, Msr.Ia32Star, "Vol. 3C 24.4.1 (no field); Vol. 3A 5.8.8"),
            new GuestStateItem("IA32_LSTAR", GuestStateHome.ProcessorMsr, Msr.Ia32Lstar, "Vol. 3A 5.8.8"),
            new GuestStateItem("IA32_CSTAR", GuestStateHome.ProcessorMsr, Msr.Ia32Cstar, "Vol. 3A 5.8.8"),
            new GuestStateItem("IA32_FMASK", GuestStateHome.ProcessorMsr, Msr.Ia32Fmask, "Vol. 3A 5.8.8"),
            new GuestStateItem("IA32_KERNEL_GS_BASE", GuestStateHome.ProcessorMsr, Msr.Ia32KernelGsBase, "Vol. 2B SWAPGS (swapped without an exit)"),
            new GuestStateItem("IA32_TSC_AUX", GuestStateHome.ProcessorMsr, Msr.Ia32TscAux, "Vol. 2B RDTSCP/RDPID (read without an exit)"),
            new GuestStateItem("IA32_TSC (offset)", GuestStateHome.Vmcs, VmcsField.TscOffset, "Vol. 3C 25.3 (TSC offsetting)"),
            new GuestStateItem("IA32_TSC_ADJUST", GuestStateHome.Emulated, Msr.Ia32TscAdjust, "Vol. 3B 17.17.3 (RDMSR/WRMSR exit; Vcpu.TscAdjust)"),
            new GuestStateItem("x87, MXCSR, XMM0-15", GuestStateHome.XsaveArea, 0, "Vol. 1 13.4 (legacy region)"),
            new GuestStateItem("YMM0-15 upper halves", GuestStateHome.XsaveArea, 0, "Vol. 1 13.5.3 (AVX state)"),
            new GuestStateItem("XCR0", GuestStateHome.Emulated, 0, "Vol. 3C 25.1.2 (XSETBV exits); loaded by the world switch"),
        };
    }
}
