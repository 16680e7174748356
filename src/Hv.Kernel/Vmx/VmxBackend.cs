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

        public override uint Run(Vcpu cpu, ulong sliceTicks)
        {
            var hardware = (HardwareVcpu)cpu;
            if (!hardware.MakeCurrent()) return EntryFailed;
            // The preemption timer counts down at the TSC rate divided by 2^shift (SDM 25.5.1).
            ulong timer = sliceTicks >> _root.PreemptionTimerShift;
            if (timer > uint.MaxValue) timer = uint.MaxValue;
            return hardware.Run(timer == 0 ? 1 : timer);
        }

        public override void Destroy(Vcpu cpu) => ((HardwareVcpu)cpu).Release();

        public override ulong Now() => Native.hv_rdtsc();
    }
}
