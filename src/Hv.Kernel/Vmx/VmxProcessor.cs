using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The processor with VT-x on: its vCPUs are VMCS-backed (HardwareVcpu).
    internal sealed class VmxProcessor : HostProcessor
    {
        private readonly VmxRoot _root;
        private readonly PageSource _pages;
        private readonly ulong _tscHz;

        public VmxProcessor(VmxRoot root, PageSource pages, ulong tscHz)
        {
            _root = root;
            _pages = pages;
            _tscHz = tscHz;
        }

        public override ulong TscHz => _tscHz;

        public override Vcpu CreateVcpu(GuestEntryState entry, ulong eptPointer, ushort vpid)
            => HardwareVcpu.Create(_root, _pages, entry, eptPointer, vpid);

        public override Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid)
            => HardwareVcpu.Resume(_root, _pages, state, eptPointer, vpid);

        public override void FlushTranslations(ulong eptPointer) => HardwareVcpu.FlushTranslations(eptPointer);

        public override ulong Now() => Native.hv_rdtsc();
    }
}
