using Hv.Core.Guests;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The CPU layer of a host without usable VT-x: every VM creation is refused, management still works.
    internal sealed class NoVirtualizationBackend : CpuBackend
    {
        public override Vcpu Create(uint vmId, GuestEntryState entry, ulong eptPointer) => null;
        public override uint Run(Vcpu cpu, ulong newSliceTicks) => EntryFailed;
        public override void Destroy(Vcpu cpu) { }
        public override void Capture(Vcpu cpu, VcpuState state) { }
        public override Vcpu CreateFromState(uint vmId, VcpuState state, ulong eptPointer) => null;
        public override void FlushTranslations(ulong eptPointer) { }
        public override void LoadGuestMsrs(GuestMsrs msrs) { }
        public override ulong Now() => Native.hv_rdtsc();
    }
}
