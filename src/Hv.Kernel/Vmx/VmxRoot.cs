using Hv.Core.Memory;
using Hv.Core.Text;
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
        public ulong Cr0Fixed0, Cr0Fixed1, Cr4Fixed0, Cr4Fixed1;
        public int PreemptionTimerShift;

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
            root.ProcessorControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueProcessorBasedControls : VmxCapability.MsrProcessorBasedControls),
                VmxControls.HltExiting | VmxControls.UseIoBitmaps | VmxControls.UseMsrBitmaps | VmxControls.ActivateSecondaryControls, out missing);
            anyMissing |= missing;
            root.SecondaryControls = VmxCapability.Adjust(Native.hv_rdmsr(VmxCapability.MsrSecondaryProcessorBasedControls),
                VmxControls.EnableEpt | VmxControls.EnableVpid | VmxControls.UnrestrictedGuest, out missing);
            anyMissing |= missing;
            root.ExitControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueExitControls : VmxCapability.MsrExitControls),
                VmxControls.HostAddressSpaceSize | VmxControls.AcknowledgeInterruptOnExit | VmxControls.ExitSaveIa32Efer | VmxControls.ExitLoadIa32Efer | VmxControls.SaveVmxPreemptionTimerValue, out missing);
            anyMissing |= missing;
            root.EntryControls = VmxCapability.Adjust(Native.hv_rdmsr(useTrue ? VmxCapability.MsrTrueEntryControls : VmxCapability.MsrEntryControls),
                VmxControls.EntryLoadIa32Efer, out missing);
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
