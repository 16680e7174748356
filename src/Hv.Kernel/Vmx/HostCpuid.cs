using System.Runtime.CompilerServices;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Vmx
{
    // The real processor's CPUID, which the guest CPUID policy filters. The answers do not change while the host runs,
    // so the common leaves are read once: a guest's CPUID exit then costs a table lookup instead of a CPUID.
    internal sealed unsafe class HostCpuid : CpuidSource
    {
        private const uint BasicLeaves = 0x20, Subleaves = 8, ExtendedBase = 0x80000000, ExtendedLeaves = 9;
        // Basic leaves whose answer depends on ECX (SDM Vol. 2A CPUID): 4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x17,
        // 0x18, 0x1A, 0x1B, 0x1D, 0x1E, 0x1F. For the others ECX is ignored, whatever the guest left in it.
        private const uint SubleafLeaves = (1u << 4) | (1u << 7) | (1u << 0xB) | (1u << 0xD) | (1u << 0xF) | (1u << 0x10) |
                                           (1u << 0x12) | (1u << 0x14) | (1u << 0x17) | (1u << 0x18) | (1u << 0x1A) |
                                           (1u << 0x1B) | (1u << 0x1D) | (1u << 0x1E) | (1u << 0x1F);
        private readonly CpuidResult[] _basic = new CpuidResult[BasicLeaves * Subleaves];
        private readonly CpuidResult[] _extended = new CpuidResult[ExtendedLeaves];

        public HostCpuid()
        {
            for (uint leaf = 0; leaf < BasicLeaves; leaf++)
                for (uint sub = 0; sub < Subleaves; sub++) _basic[leaf * Subleaves + sub] = Execute(leaf, sub);
            for (uint i = 0; i < ExtendedLeaves; i++) _extended[i] = Execute(ExtendedBase + i, 0);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public override CpuidResult Query(uint leaf, uint subleaf)
        {
            if (leaf < BasicLeaves)
            {
                if ((SubleafLeaves & (1u << (int)leaf)) == 0) return _basic[leaf * Subleaves];
                if (subleaf < Subleaves) return _basic[leaf * Subleaves + subleaf];
            }
            if (leaf - ExtendedBase < ExtendedLeaves) return _extended[leaf - ExtendedBase];
            return Execute(leaf, subleaf);
        }

        private static CpuidResult Execute(uint leaf, uint subleaf)
        {
            uint* r = stackalloc uint[4];
            Native.hv_cpuid(leaf, subleaf, r);
            return new CpuidResult(r[0], r[1], r[2], r[3]);
        }
    }
}
