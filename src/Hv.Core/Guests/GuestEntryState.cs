using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// The register state a loader chooses for a vCPU's first VM entry. Plain data: the kernel writes it
    /// into the guest-state area (SDM 24.4) and then applies what the CPU forces (CR0/CR4 fixed bits via
    /// <see cref="VmxCapability.ApplyFixedBits"/>, DR7, activity state, VMCS link pointer). Values here
    /// already satisfy the segment and mode checks of SDM 26.3.1 for an unrestricted guest.
    /// </summary>
    public sealed class GuestEntryState
    {
        public GuestSegment Es;
        public GuestSegment Cs;
        public GuestSegment Ss;
        public GuestSegment Ds;
        public GuestSegment Fs;
        public GuestSegment Gs;
        public GuestSegment Ldtr;
        public GuestSegment Tr;

        public ulong GdtrBase;
        public uint GdtrLimit;
        public ulong IdtrBase;
        public uint IdtrLimit;

        public ulong Cr0;
        public ulong Cr3;
        public ulong Cr4;
        public ulong Efer;

        public ulong Rip;
        public ulong Rsp;
        public ulong Rflags;
        public ulong Rax;
        public ulong Rbx;
        /// <summary>The Linux 64-bit boot protocol passes the zero page (boot_params) here.</summary>
        public ulong Rsi;

        /// <summary>The VM-entry control "IA-32e mode guest" must be set exactly when this is true (26.3.1.1).</summary>
        public bool LongMode
        {
            get { return (Efer & ControlRegisterBits.EferLongModeActive) != 0; }
        }

        /// <summary>Gives ES, SS, DS, FS and GS the same segment (flat models use one data segment for all).</summary>
        public void SetDataSegments(GuestSegment segment)
        {
            Es = segment;
            Ss = segment;
            Ds = segment;
            Fs = segment;
            Gs = segment;
        }

        /// <summary>Clears every field so a reused object carries nothing over from a previous load.</summary>
        public void Reset()
        {
            GuestSegment empty = new GuestSegment(0, 0, 0, 0);
            SetDataSegments(empty);
            Cs = empty;
            Ldtr = empty;
            Tr = empty;
            GdtrBase = 0;
            GdtrLimit = 0;
            IdtrBase = 0;
            IdtrLimit = 0;
            Cr0 = 0;
            Cr3 = 0;
            Cr4 = 0;
            Efer = 0;
            Rip = 0;
            Rsp = 0;
            Rflags = 0;
            Rax = 0;
            Rbx = 0;
            Rsi = 0;
        }
    }
}
