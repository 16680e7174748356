using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// A vCPU's memory-type range registers (SDM Vol. 3A 12.11), kept per vCPU and checked as hardware checks them. They
    /// only describe memory types: under EPT the EPT entries decide them (SDM Vol. 3C 29.3.7), so nothing is loaded into
    /// the processor. IA32_MTRRCAP reads 8 variable ranges, fixed ranges and write-combining, no SMRR; the default type
    /// starts as firmware leaves it (MTRRs enabled, write-back), the ranges all zero.
    /// </summary>
    public sealed class GuestMtrrs
    {
        /// <summary>VCNT = 8 (bits 7:0), FIX (bit 8), WC (bit 10) (SDM Vol. 3A 12.11.1).</summary>
        public const ulong Capabilities = 8 | (1UL << 8) | (1UL << 10);
        /// <summary>E (bit 11) set, default type WB (6).</summary>
        public const ulong DefaultTypeReset = (1UL << 11) | 6;
        public const int VariableRanges = 8;
        /// <summary>IA32_MTRR_DEF_TYPE, 8 × (PHYSBASE, PHYSMASK), 11 fixed-range registers.</summary>
        public const int Count = 1 + 2 * VariableRanges + 11;

        // Bits 63:52 are above any MAXPHYADDR; the exact MAXPHYADDR is the host's and not checked here.
        private const ulong AboveMaxPhysical = ~((1UL << 52) - 1);

        private readonly ulong[] _values = new ulong[Count];

        /// <summary>Gives back the MTRRs (their vCPU state is being freed).</summary>
        public void Free()
        {
            Owned.Free(_values);
            Owned.Free(this);
        }

        public GuestMtrrs()
        {
            Clear();
        }

        public ulong Get(int i) => _values[i];

        public void Set(int i, ulong value) => _values[i] = value;

        public void CopyFrom(GuestMtrrs other)
        {
            for (int i = 0; i < Count; i++) _values[i] = other._values[i];
        }

        public void Clear()
        {
            for (int i = 0; i < Count; i++) _values[i] = 0;
            _values[0] = DefaultTypeReset;
        }

        /// <summary>The slot of an MTRR number in <see cref="Get"/>, or -1 when <paramref name="msr"/> is not a writable MTRR.</summary>
        public static int Slot(uint msr)
        {
            if (msr == Msr.Ia32MtrrDefType) return 0;
            if (msr >= Msr.Ia32MtrrPhysBase0 && msr < Msr.Ia32MtrrPhysBase0 + 2 * VariableRanges) return 1 + (int)(msr - Msr.Ia32MtrrPhysBase0);
            int fixedBase = 1 + 2 * VariableRanges;
            if (msr == Msr.Ia32MtrrFix64K) return fixedBase;
            if (msr == Msr.Ia32MtrrFix16K80000) return fixedBase + 1;
            if (msr == Msr.Ia32MtrrFix16KA0000) return fixedBase + 2;
            if (msr >= Msr.Ia32MtrrFix4KC0000 && msr <= Msr.Ia32MtrrFix4KF8000) return fixedBase + 3 + (int)(msr - Msr.Ia32MtrrFix4KC0000);
            return -1;
        }

        /// <summary>True when <paramref name="value"/> is one hardware accepts in that slot (else the WRMSR faults with #GP).</summary>
        public static bool IsValid(int slot, ulong value)
        {
            if (slot == 0) return (value & ~0xCFFUL) == 0 && IsMemoryType(value & 0xFF);
            if (slot <= 2 * VariableRanges)
            {
                bool isBase = (slot & 1) == 1;
                return isBase ? (value & (AboveMaxPhysical | 0xF00)) == 0 && IsMemoryType(value & 0xFF)
                              : (value & (AboveMaxPhysical | 0x7FF)) == 0;
            }
            for (int i = 0; i < 8; i++) if (!IsMemoryType((value >> (i * 8)) & 0xFF)) return false;
            return true;
        }

        /// <summary>UC (0), WC (1), WT (4), WP (5), WB (6); 2, 3 and 7 and above are reserved for MTRRs (SDM Vol. 3A Table 12-8).</summary>
        private static bool IsMemoryType(ulong type) => type == 0 || type == 1 || type == 4 || type == 5 || type == 6;
    }
}
