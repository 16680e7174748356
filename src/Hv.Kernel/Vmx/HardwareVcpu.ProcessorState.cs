using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The guest state the VMCS does not switch (GuestStateInventory): CR2 and the XSAVE state go with every entry and
    // exit (boot/vmx.asm; the host's handlers use SSE); the MSRs and the debug registers only when the processor last
    // ran another VM, so a VM that runs alone or never touches its debug registers pays nothing for them.
    internal sealed unsafe partial class HardwareVcpu
    {
        // Whose MSRs (GuestMsrs) and whose DR0-DR3/DR6 the processor holds now; null: nobody's that matters.
        private static HardwareVcpu s_msrOwner, s_debugOwner;
        private bool _debugClaimed;

        // At the start of a slice: the MSRs, after reading back the last owner's KERNEL_GS_BASE (SWAPGS changes it
        // without an exit); the debug registers if this guest claimed them, else the last owner's are saved (another
        // VM's single steps and breakpoints write DR6) and the processor's are nobody's.
        private void SwitchProcessorState()
        {
            if (s_msrOwner != this)
            {
                if (s_msrOwner != null) s_msrOwner.Msrs.KernelGsBase = Native.hv_rdmsr(Msr.Ia32KernelGsBase);
                GuestMsrs msrs = Msrs;
                for (int i = 0; i < GuestMsrs.Count; i++) Native.hv_wrmsr(GuestMsrs.Number(i), msrs.Get(i));
                s_msrOwner = this;
            }
            if (s_debugOwner == this) return;
            if (_debugClaimed) LoadDebugRegisters();
            else if (s_debugOwner != null)
            {
                s_debugOwner.SaveDebugRegisters();
                s_debugOwner = null;
            }
        }

        // A released or reassigned vCPU: the next VM to run loads all of its own over what the processor holds.
        private void ForgetProcessorState()
        {
            if (s_msrOwner == this) s_msrOwner = null;
            if (s_debugOwner == this) s_debugOwner = null;
            _debugClaimed = false;
        }

        public override void PullProcessorState()
        {
            if (s_msrOwner == this) Msrs.KernelGsBase = Native.hv_rdmsr(Msr.Ia32KernelGsBase);
            if (s_debugOwner == this) SaveDebugRegisters();
        }

        public override void ClaimDebugRegisters()
        {
            if (!MakeCurrent()) return;
            _debugClaimed = true;
            Native.hv_vmwrite(VmcsField.ProcessorBasedControls, Native.hv_vmread(VmcsField.ProcessorBasedControls) & ~(ulong)VmxControls.MovDrExiting);
            LoadDebugRegisters();
        }

        // The XSAVE mask always covers x87 and SSE (the host's handlers use SSE whatever the guest's XCR0 says), plus
        // what the guest enabled in XCR0 once CR4.OSXSAVE is on; the processor runs the guest with the guest's XCR0 then.
        public override void ExtendedControlChanged()
        {
            ulong host = _root.HostXcr0;
            if (host == 0) return;
            bool osxsave = (ReadField(VmcsField.GuestCr4) & ControlRegisterBits.Cr4OsXsave) != 0;
            _exitInfo[3] = ControlRegisterBits.Xcr0X87 | ControlRegisterBits.Xcr0Sse | (osxsave ? Switched.Xcr0 : 0);
            _exitInfo[4] = osxsave ? Switched.Xcr0 : host;
            _exitInfo[5] = host;
        }

        public override void FlushGuestTranslations()
        {
            ulong* descriptor = stackalloc ulong[2];
            descriptor[0] = _vpid;
            descriptor[1] = 0;
            if (Native.hv_invvpid(SingleContextInvalidation, descriptor) != 0) Native.hv_invvpid(GlobalInvalidation, descriptor);
        }

        private void LoadDebugRegisters()
        {
            if (s_debugOwner != null && s_debugOwner != this) s_debugOwner.SaveDebugRegisters();
            ulong* dr = stackalloc ulong[5];
            SwitchedRegisters sw = Switched;
            dr[0] = sw.Dr0; dr[1] = sw.Dr1; dr[2] = sw.Dr2; dr[3] = sw.Dr3; dr[4] = sw.Dr6;
            Native.hv_write_debug_registers(dr);
            s_debugOwner = this;
        }

        private void SaveDebugRegisters()
        {
            ulong* dr = stackalloc ulong[5];
            Native.hv_read_debug_registers(dr);
            SwitchedRegisters sw = Switched;
            sw.Dr0 = dr[0]; sw.Dr1 = dr[1]; sw.Dr2 = dr[2]; sw.Dr3 = dr[3]; sw.Dr6 = dr[4];
        }
    }
}
