using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// XSETBV, which exits unconditionally (SDM Vol. 3C 25.1.2), checked as the processor checks it (SDM Vol. 2D
    /// "XSETBV"): #GP(0) unless ECX = 0 (only XCR0 exists), CPL = 0, XCR0 bit 0 (x87) set, AVX only with SSE, and no bit
    /// outside the components Hv advertises and saves per VM.
    /// </summary>
    public static class XsetbvPolicy
    {
        public static bool IsValid(uint index, ulong value, ulong supported, int cpl)
        {
            if (index != 0 || cpl != 0) return false;
            if ((value & ~supported) != 0) return false;
            if ((value & ControlRegisterBits.Xcr0X87) == 0) return false;
            if ((value & ControlRegisterBits.Xcr0Avx) != 0 && (value & ControlRegisterBits.Xcr0Sse) == 0) return false;
            return true;
        }
    }
}
