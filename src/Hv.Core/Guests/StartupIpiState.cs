using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// Where an application processor starts after INIT and a STARTUP IPI with vector V (SDM Vol. 3A 9.4.4 and 11.6.1):
    /// real mode at CS:IP = (V &lt;&lt; 8):0000, i.e. CS.base = V &lt;&lt; 12, the other segments at 0 with 64 KiB limits,
    /// the rest of the INIT state (CR0 = ET|CD|NW as the guest sees it, RFLAGS = 2, EFER = 0). The vCPU runs it under
    /// unrestricted guest, like <see cref="RealModeLoader"/>'s guests.
    /// </summary>
    public static class StartupIpiState
    {
        private const uint RealModeLimit = 0xFFFF;
        private const uint InterruptVectorTableLimit = 0x3FF;
        /// <summary>CR0 after INIT: ET, and caching disabled (CD, NW) until the guest's trampoline sets it up (SDM 9.1.1).</summary>
        public const ulong InitCr0 = ControlRegisterBits.Cr0ExtensionType | (1UL << 30) | (1UL << 29);

        public static void Fill(GuestEntryState state, int vector)
        {
            state.Reset();
            ushort selector = (ushort)((vector & 0xFF) << 8);
            state.Cs = new GuestSegment(selector, (ulong)selector << 4, RealModeLimit, SegmentAccessRights.RealModeCode);
            state.SetDataSegments(new GuestSegment(0, 0, RealModeLimit, SegmentAccessRights.RealModeData));
            state.Ldtr = GuestSegment.Unusable();
            // TR may not be unusable even in real mode; a busy 16/32-bit TSS type passes the checks (SDM 26.3.1.2).
            state.Tr = new GuestSegment(0, 0, RealModeLimit, SegmentAccessRights.BusyTss);
            state.GdtrLimit = RealModeLimit;
            state.IdtrLimit = InterruptVectorTableLimit;
            state.Cr0 = InitCr0;
            state.Rflags = ControlRegisterBits.RflagsReserved1;
            state.Rip = 0;
        }
    }
}
