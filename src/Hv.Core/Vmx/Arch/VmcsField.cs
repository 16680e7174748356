namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// VMCS field encodings for VMREAD/VMWRITE (SDM Vol. 3C Appendix B; the encoding scheme is §24.11.2
    /// "VMREAD, VMWRITE, and Encodings of VMCS Fields"). Bits 14:13 of an encoding give the width
    /// (0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural), bits 11:10 the type (0 = control, 1 = read-only
    /// exit information, 2 = guest state, 3 = host state). A 64-bit field's encoding + 1 ("high" access)
    /// names its upper half; the image is 64-bit, so only the full encodings are listed.
    /// Only the fields this hypervisor reads or writes are listed; the kernel owns the VMREAD/VMWRITE.
    /// </summary>
    public static class VmcsField
    {
        // ---- 16-bit control fields (B.1.1) ----
        public const uint Vpid = 0x0000;

        // ---- 16-bit guest-state fields (B.1.2) ----
        public const uint GuestEsSelector = 0x0800;
        public const uint GuestCsSelector = 0x0802;
        public const uint GuestSsSelector = 0x0804;
        public const uint GuestDsSelector = 0x0806;
        public const uint GuestFsSelector = 0x0808;
        public const uint GuestGsSelector = 0x080A;
        public const uint GuestLdtrSelector = 0x080C;
        public const uint GuestTrSelector = 0x080E;

        // ---- 16-bit host-state fields (B.1.3) ----
        public const uint HostEsSelector = 0x0C00;
        public const uint HostCsSelector = 0x0C02;
        public const uint HostSsSelector = 0x0C04;
        public const uint HostDsSelector = 0x0C06;
        public const uint HostFsSelector = 0x0C08;
        public const uint HostGsSelector = 0x0C0A;
        public const uint HostTrSelector = 0x0C0C;

        // ---- 64-bit control fields (B.2.1) ----
        public const uint IoBitmapA = 0x2000;
        public const uint IoBitmapB = 0x2002;
        public const uint MsrBitmap = 0x2004;
        public const uint ExitMsrStoreAddress = 0x2006;
        public const uint ExitMsrLoadAddress = 0x2008;
        public const uint EntryMsrLoadAddress = 0x200A;
        public const uint TscOffset = 0x2010;
        public const uint EptPointer = 0x201A;

        // ---- 64-bit read-only data field (B.2.2) ----
        public const uint GuestPhysicalAddress = 0x2400;

        // ---- 64-bit guest-state fields (B.2.3) ----
        /// <summary>Must be all ones when VMCS shadowing is off (SDM 26.3.1.5).</summary>
        public const uint VmcsLinkPointer = 0x2800;
        public const uint GuestIa32DebugCtl = 0x2802;
        public const uint GuestIa32Pat = 0x2804;
        public const uint GuestIa32Efer = 0x2806;
        public const uint GuestIa32PerfGlobalCtrl = 0x2808;
        /// <summary>PAE PDPTEs, loaded on entry when EPT is on and the guest uses PAE paging (SDM 26.3.2.4).</summary>
        public const uint GuestPdpte0 = 0x280A;
        public const uint GuestPdpte1 = 0x280C;
        public const uint GuestPdpte2 = 0x280E;
        public const uint GuestPdpte3 = 0x2810;

        // ---- 64-bit host-state fields (B.2.4) ----
        public const uint HostIa32Pat = 0x2C00;
        public const uint HostIa32Efer = 0x2C02;
        public const uint HostIa32PerfGlobalCtrl = 0x2C04;

        // ---- 32-bit control fields (B.3.1) ----
        public const uint PinBasedControls = 0x4000;
        public const uint ProcessorBasedControls = 0x4002;
        public const uint ExceptionBitmap = 0x4004;
        public const uint PageFaultErrorCodeMask = 0x4006;
        public const uint PageFaultErrorCodeMatch = 0x4008;
        public const uint Cr3TargetCount = 0x400A;
        public const uint ExitControls = 0x400C;
        public const uint ExitMsrStoreCount = 0x400E;
        public const uint ExitMsrLoadCount = 0x4010;
        public const uint EntryControls = 0x4012;
        public const uint EntryMsrLoadCount = 0x4014;
        /// <summary>Event injection (SDM 24.8.3): vector, type, deliver-error-code, valid bit 31.</summary>
        public const uint EntryInterruptionInfo = 0x4016;
        public const uint EntryExceptionErrorCode = 0x4018;
        public const uint EntryInstructionLength = 0x401A;
        public const uint TprThreshold = 0x401C;
        public const uint SecondaryProcessorBasedControls = 0x401E;

        // ---- 32-bit read-only data fields (B.3.2) ----
        public const uint VmInstructionError = 0x4400;
        public const uint ExitReason = 0x4402;
        public const uint ExitInterruptionInfo = 0x4404;
        public const uint ExitInterruptionErrorCode = 0x4406;
        public const uint IdtVectoringInfo = 0x4408;
        public const uint IdtVectoringErrorCode = 0x440A;
        public const uint ExitInstructionLength = 0x440C;
        public const uint ExitInstructionInfo = 0x440E;

        // ---- 32-bit guest-state fields (B.3.3) ----
        public const uint GuestEsLimit = 0x4800;
        public const uint GuestCsLimit = 0x4802;
        public const uint GuestSsLimit = 0x4804;
        public const uint GuestDsLimit = 0x4806;
        public const uint GuestFsLimit = 0x4808;
        public const uint GuestGsLimit = 0x480A;
        public const uint GuestLdtrLimit = 0x480C;
        public const uint GuestTrLimit = 0x480E;
        public const uint GuestGdtrLimit = 0x4810;
        public const uint GuestIdtrLimit = 0x4812;
        public const uint GuestEsAccessRights = 0x4814;
        public const uint GuestCsAccessRights = 0x4816;
        public const uint GuestSsAccessRights = 0x4818;
        public const uint GuestDsAccessRights = 0x481A;
        public const uint GuestFsAccessRights = 0x481C;
        public const uint GuestGsAccessRights = 0x481E;
        public const uint GuestLdtrAccessRights = 0x4820;
        public const uint GuestTrAccessRights = 0x4822;
        public const uint GuestInterruptibilityState = 0x4824;
        public const uint GuestActivityState = 0x4826;
        public const uint GuestSmbase = 0x4828;
        public const uint GuestIa32SysenterCs = 0x482A;
        /// <summary>Counts down in guest; exit when it reaches 0 if the pin-based control is on (SDM 25.5.1).</summary>
        public const uint VmxPreemptionTimerValue = 0x482E;

        // ---- 32-bit host-state field (B.3.4) ----
        public const uint HostIa32SysenterCs = 0x4C00;

        // ---- natural-width control fields (B.4.1) ----
        public const uint Cr0GuestHostMask = 0x6000;
        public const uint Cr4GuestHostMask = 0x6002;
        public const uint Cr0ReadShadow = 0x6004;
        public const uint Cr4ReadShadow = 0x6006;

        // ---- natural-width read-only data fields (B.4.2) ----
        public const uint ExitQualification = 0x6400;
        public const uint GuestLinearAddress = 0x640A;

        // ---- natural-width guest-state fields (B.4.3) ----
        public const uint GuestCr0 = 0x6800;
        public const uint GuestCr3 = 0x6802;
        public const uint GuestCr4 = 0x6804;
        public const uint GuestEsBase = 0x6806;
        public const uint GuestCsBase = 0x6808;
        public const uint GuestSsBase = 0x680A;
        public const uint GuestDsBase = 0x680C;
        public const uint GuestFsBase = 0x680E;
        public const uint GuestGsBase = 0x6810;
        public const uint GuestLdtrBase = 0x6812;
        public const uint GuestTrBase = 0x6814;
        public const uint GuestGdtrBase = 0x6816;
        public const uint GuestIdtrBase = 0x6818;
        public const uint GuestDr7 = 0x681A;
        public const uint GuestRsp = 0x681C;
        public const uint GuestRip = 0x681E;
        public const uint GuestRflags = 0x6820;
        public const uint GuestPendingDebugExceptions = 0x6822;
        public const uint GuestIa32SysenterEsp = 0x6824;
        public const uint GuestIa32SysenterEip = 0x6826;

        // ---- natural-width host-state fields (B.4.4) ----
        public const uint HostCr0 = 0x6C00;
        public const uint HostCr3 = 0x6C02;
        public const uint HostCr4 = 0x6C04;
        public const uint HostFsBase = 0x6C06;
        public const uint HostGsBase = 0x6C08;
        public const uint HostTrBase = 0x6C0A;
        public const uint HostGdtrBase = 0x6C0C;
        public const uint HostIdtrBase = 0x6C0E;
        public const uint HostIa32SysenterEsp = 0x6C10;
        public const uint HostIa32SysenterEip = 0x6C12;
        public const uint HostRsp = 0x6C14;
        public const uint HostRip = 0x6C16;
    }
}
