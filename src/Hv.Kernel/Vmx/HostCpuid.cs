using Hv.Core.Vmx;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The real processor's CPUID, which the guest CPUID policy filters.
    internal sealed unsafe class HostCpuid : CpuidSource
    {
        public override CpuidResult Query(uint leaf, uint subleaf)
        {
            uint* r = stackalloc uint[4];
            Native.hv_cpuid(leaf, subleaf, r);
            return new CpuidResult(r[0], r[1], r[2], r[3]);
        }
    }
}
