using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // VMX operation on this CPU (SDM Vol. 3C 24.7): feature control, CR0/CR4 fixed bits, VMXON; and the control
    // values every VMCS uses, adjusted once to what the CPU allows.
    internal sealed unsafe class VmxRoot
    {
        public uint Revision;
        public uint PinControls, ProcessorControls, SecondaryControls, ExitControls, EntryControls;
        /// <summary>PAUSE exiting may be set (allowed-1, bits 63:32 of the capability MSR): VMs with several vCPUs use it.</summary>
        public bool PauseExitingAllowed;
        public ulong Cr0Fixed0, Cr0Fixed1, Cr4Fixed0, Cr4Fixed1;
        public int PreemptionTimerShift;
        /// <summary>RDTSCP runs in guests (the secondary control is allowed); otherwise CPUID hides it.</summary>
        public bool RdtscpEnabled;
        /// <summary>The host's XCR0: every component a guest may enable, so a guest using them all needs no XSETBV per exit. 0 without XSAVE.</summary>
        public ulong HostXcr0;
        /// <summary>The CR4 guest/host mask: bits whose change exits (<see cref="ControlRegisterPolicy.Cr4HostOwned"/>).</summary>
        public ulong Cr4HostOwned;

        // Returns null (and says why on the log) when this CPU cannot run our guests.
        public static VmxRoot Enable(PageSource pages, TextSink log)
        {
            ulong featureControl = Native.hv_rdmsr(Msr.Ia32FeatureControl);
            if ((featureControl & Msr.FeatureControlLock) == 0)
            {
                featureControl |= Msr.FeatureControlLock | Msr.FeatureControlVmxOutsideSmx;
                Native.hv_wrmsr(Msr.Ia32FeatureControl, featureControl);
            }
            if ((featureControl & Msr.FeatureControlVmxOutsideSmx) == 0)
            {
                log.WriteLine("vmx: disabled by firmware (IA32_FEATURE_CONTROL)");
                return null;
            }

            var root = new VmxRoot();
            ulong basic = Native.hv_rdmsr(VmxCapability.MsrVmxBasic);
            root.Revision = VmxCapability.VmcsRevision(basic);
            bool useTrue = VmxCapability.HasTrueControls(basic);
            root.Cr0Fixed0 = Native.hv_rdmsr(VmxCapability.MsrCr0Fixed0);
            root.Cr0Fixed1 = Native.hv_rdmsr(VmxCapability.MsrCr0Fixed1);
            root.Cr4Fixed0 = Native.hv_rdmsr(VmxCapability.MsrCr4Fixed0);
            root.Cr4Fixed1 = Native.hv_rdmsr(VmxCapability.MsrCr4Fixed1);
            root.PreemptionTimerShift = (int)(Native.hv_rdmsr(VmxCapability.MsrMisc) & 0x1F);

            uint missing, anyMissing = 0;
            root.PinControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTruePinBasedControls : VmxCapability.MsrPinBasedControls),
                VmxControls.ExternalInterruptExiting | VmxControls.NmiExiting | VmxControls.ActivateVmxPreemptionTimer, out missing);
            anyMissing |= missing;
            // TSC offsetting makes RDTSC agree with the guest's writes to IA32_TSC (MsrPolicy). CR8 accesses exit (no TPR shadow: the guest must not set the host's task priority); MOV DR exits until the
            // guest first uses a debug register (then they are switched per VM, see HardwareVcpu.ClaimDebugRegisters).
            root.ProcessorControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueProcessorBasedControls : VmxCapability.MsrProcessorBasedControls),
                VmxControls.HltExiting | VmxControls.UseIoBitmaps | VmxControls.UseMsrBitmaps | VmxControls.ActivateSecondaryControls
                | VmxControls.Cr8LoadExiting | VmxControls.Cr8StoreExiting | VmxControls.MovDrExiting | VmxControls.UseTscOffsetting, out missing);
            anyMissing |= missing;
            root.PauseExitingAllowed = ((Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueProcessorBasedControls : VmxCapability.MsrProcessorBasedControls) >> 32)
                & VmxControls.PauseExiting) != 0;
            ulong secondaryCapability = Native.hv_rdmsr(VmxCapability.MsrSecondaryProcessorBasedControls);
            root.RdtscpEnabled = ((secondaryCapability >> 32) & VmxControls.EnableRdtscp) != 0;
            root.SecondaryControls = VmxCapability.Adjust(secondaryCapability,
                VmxControls.EnableEpt | VmxControls.EnableVpid | VmxControls.UnrestrictedGuest | (root.RdtscpEnabled ? VmxControls.EnableRdtscp : 0), out missing);
            anyMissing |= missing;
            // DR7/IA32_DEBUGCTL and IA32_PAT are the guest's own across exits (SDM 27.3.1, 26.3.2.1).
            root.ExitControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueExitControls : VmxCapability.MsrExitControls),
                VmxControls.HostAddressSpaceSize | VmxControls.AcknowledgeInterruptOnExit | VmxControls.ExitSaveIa32Efer | VmxControls.ExitLoadIa32Efer
                | VmxControls.SaveVmxPreemptionTimerValue | VmxControls.ExitSaveDebugControls | VmxControls.ExitSaveIa32Pat | VmxControls.ExitLoadIa32Pat, out missing);
            anyMissing |= missing;
            root.EntryControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueEntryControls : VmxCapability.MsrEntryControls),
                VmxControls.EntryLoadIa32Efer | VmxControls.EntryLoadDebugControls | VmxControls.EntryLoadIa32Pat, out missing);
            anyMissing |= missing;
            if (anyMissing != 0)
            {
                log.Write("vmx: a required control is not supported: ");
                log.WriteHex(anyMissing, 8);
                log.WriteLine();
                return null;
            }

            Native.hv_write_cr0(VmxCapability.ApplyFixedBits(Native.hv_read_cr0(), root.Cr0Fixed0, root.Cr0Fixed1));
            Native.hv_write_cr4(VmxCapability.ApplyFixedBits(Native.hv_read_cr4() | ControlRegisterBits.Cr4VmxEnable, root.Cr4Fixed0, root.Cr4Fixed1));
            var cpuid = new HostCpuid();
            root.HostXcr0 = CpuidPolicy.SupportedXcr0(cpuid);
            if (root.HostXcr0 != 0)
            {
                Native.hv_write_cr4(Native.hv_read_cr4() | ControlRegisterBits.Cr4OsXsave);
                Native.hv_xsetbv(root.HostXcr0);
            }
            root.Cr4HostOwned = ControlRegisterPolicy.Cr4HostOwned(CpuidPolicy.GuestCr4Bits(cpuid));

            ulong region = pages.AllocatePage();
            if (region == 0)
            {
                log.WriteLine("vmx: no memory for the VMXON region");
                return null;
            }
            *(uint*)region = root.Revision;
            int status = Native.hv_vmxon(&region);
            if (status != 0)
            {
                log.Write("vmx: VMXON failed, status ");
                log.WriteDecimal((ulong)status);
                log.WriteLine();
                return null;
            }
            log.WriteLine("vmx: on (VMXON ok; EPT, VPID, unrestricted guest, preemption timer)");
            return root;
        }
    }
}
