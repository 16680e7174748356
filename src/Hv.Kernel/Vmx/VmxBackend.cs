using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The VT-x implementation of the hypervisor's CPU layer.
    internal sealed class VmxBackend : CpuBackend
    {
        private readonly VmxRoot _root;
        private readonly PageSource _pages;

        public VmxBackend(VmxRoot root, PageSource pages)
        {
            _root = root;
            _pages = pages;
        }

        // The VPID is the VM id, so TLB entries of different VMs never mix (0 is the host's).
        public override Vcpu Create(uint vmId, GuestEntryState entry, ulong eptPointer)
            => HardwareVcpu.Create(_root, _pages, entry, eptPointer, (ushort)(vmId % 0xFFFF + 1));

        public override uint Run(Vcpu cpu, ulong newSliceTicks)
        {
            var hardware = (HardwareVcpu)cpu;
            if (newSliceTicks != 0)
            {
                if (!hardware.MakeCurrent()) return EntryFailed;
                // The preemption timer counts down at the TSC rate divided by 2^shift (SDM 25.5.1); the VMCS saves what
                // is left at every exit, so the slice spans all the exits handled within it.
                ulong timer = newSliceTicks >> _root.PreemptionTimerShift;
                hardware.StartSlice(timer == 0 ? 1 : timer > uint.MaxValue ? uint.MaxValue : timer);
            }
            return hardware.Run();
        }

        public override void Destroy(Vcpu cpu) => ((HardwareVcpu)cpu).Release();

        public override void Capture(Vcpu cpu, VcpuState state) => ((HardwareVcpu)cpu).Capture(state);

        public override Vcpu CreateFromState(uint vmId, VcpuState state, ulong eptPointer)
            => HardwareVcpu.CreateFromState(_root, _pages, state, eptPointer, (ushort)(vmId % 0xFFFF + 1));

        public override void FlushTranslations(ulong eptPointer) => HardwareVcpu.FlushTranslations(eptPointer);

        public override void LoadGuestMsrs(GuestMsrs msrs)
        {
            Native.hv_wrmsr(Msr.Ia32Star, msrs.Star);
            Native.hv_wrmsr(Msr.Ia32Lstar, msrs.Lstar);
            Native.hv_wrmsr(Msr.Ia32Cstar, msrs.Cstar);
            Native.hv_wrmsr(Msr.Ia32Fmask, msrs.Fmask);
            Native.hv_wrmsr(Msr.Ia32KernelGsBase, msrs.KernelGsBase);
        }

        public override ulong Now() => Native.hv_rdtsc();
    }
}
