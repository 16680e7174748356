using Hv.Core.Guests;
using Hv.Core.Vmx;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The processor of a host without usable VT-x: every vCPU is refused (so is every VM), management still works.
    internal sealed class NoVirtualizationProcessor : HostProcessor
    {
        public override Vcpu CreateVcpu(GuestEntryState entry, ulong eptPointer, ushort vpid) => null;
        public override Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid) => null;
        public override void FlushTranslations(ulong eptPointer) { }
        public override ulong Now() => Native.hv_rdtsc();
    }
}
