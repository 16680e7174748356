using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// What CPUID tells a vCPU of a VM with several processors about where it sits (SDM Vol. 3A 9.9, CPUID leaves 1, 4
    /// and 0xB): one package of <c>count</c> cores, one thread each, and the vCPU's initial APIC ID is its index, as in the
    /// MADT. The rest of those leaves stays the host's (cache sizes and levels).
    /// </summary>
    public static class CpuTopology
    {
        private const uint Leaf1EdxHtt = 1u << 28;
        private const uint LevelSmt = 1, LevelCore = 2;

        /// <summary>Bits of the APIC ID that number the cores: ceil(log2(count)).</summary>
        public static int CoreIdBits(int count)
        {
            int bits = 0;
            while ((1 << bits) < count) bits++;
            return bits;
        }

        /// <summary>Leaf 1: EBX[31:24] the initial APIC ID, EBX[23:16] the addressable IDs in the package, EDX.HTT (that field is valid).</summary>
        public static CpuidResult Leaf1(CpuidResult result, int index, int count)
        {
            result.Ebx = (result.Ebx & 0xFFFF) | ((uint)index << 24) | ((uint)(1 << CoreIdBits(count)) << 16);
            result.Edx |= Leaf1EdxHtt;
            return result;
        }

        /// <summary>Leaf 4 (deterministic caches): EAX[31:26] = addressable core IDs in the package - 1 (cache type 0: no more caches, left 0).</summary>
        public static CpuidResult Leaf4(CpuidResult result, int count)
        {
            if ((result.Eax & 0x1F) == 0) return result;
            result.Eax = (result.Eax & 0x03FFFFFF) | ((uint)((1 << CoreIdBits(count)) - 1) << 26);
            return result;
        }

        /// <summary>
        /// Leaf 0xB (extended topology): subleaf 0 the thread level (1 per core, no ID bits), subleaf 1 the core level
        /// (<paramref name="count"/> cores, <see cref="CoreIdBits"/> bits), then the invalid level; EDX is the x2APIC ID.
        /// </summary>
        public static CpuidResult Leaf0B(uint subleaf, int index, int count)
        {
            switch (subleaf)
            {
                case 0: return new CpuidResult(0, 1, (LevelSmt << 8), (uint)index);
                case 1: return new CpuidResult((uint)CoreIdBits(count), (uint)count, 1 | (LevelCore << 8), (uint)index);
            }
            return new CpuidResult(0, 0, subleaf & 0xFF, (uint)index);
        }
    }
}
