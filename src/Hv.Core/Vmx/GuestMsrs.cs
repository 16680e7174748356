using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// A vCPU's values of the MSRs the VMCS has no guest-state field for (SDM Vol. 3C 24.4.1 lists those it has):
    /// STAR, LSTAR, CSTAR, FMASK and KERNEL_GS_BASE. The host never uses them (no SYSCALL, no SWAPGS), so a hardware
    /// vCPU loads them into the processor when its time slice starts and whenever the guest writes one; the MSR policy
    /// reads and writes them here.
    /// </summary>
    public sealed class GuestMsrs
    {
        /// <summary>How many there are; <see cref="Get"/> and <see cref="Set"/> number them in the order above.</summary>
        public const int Count = 5;

        public ulong Star;
        public ulong Lstar;
        public ulong Cstar;
        public ulong Fmask;
        public ulong KernelGsBase;

        /// <summary>True for the MSRs kept here rather than in the VMCS.</summary>
        public static bool Holds(uint msr)
        {
            return (msr >= Msr.Ia32Star && msr <= Msr.Ia32Fmask) || msr == Msr.Ia32KernelGsBase;
        }

        /// <summary>The MSR number of the i-th value (0 = STAR ... 4 = KERNEL_GS_BASE).</summary>
        public static uint Number(int i)
        {
            return i == 0 ? Msr.Ia32Star : i == 1 ? Msr.Ia32Lstar : i == 2 ? Msr.Ia32Cstar : i == 3 ? Msr.Ia32Fmask : Msr.Ia32KernelGsBase;
        }

        public ulong Get(int i)
        {
            return i == 0 ? Star : i == 1 ? Lstar : i == 2 ? Cstar : i == 3 ? Fmask : KernelGsBase;
        }

        public void Set(int i, ulong value)
        {
            if (i == 0) Star = value;
            else if (i == 1) Lstar = value;
            else if (i == 2) Cstar = value;
            else if (i == 3) Fmask = value;
            else KernelGsBase = value;
        }

        public void CopyFrom(GuestMsrs other)
        {
            Star = other.Star;
            Lstar = other.Lstar;
            Cstar = other.Cstar;
            Fmask = other.Fmask;
            KernelGsBase = other.KernelGsBase;
        }

        /// <summary>All zero: a recycled vCPU must not show a new guest anything of the previous one.</summary>
        public void Clear()
        {
            Star = Lstar = Cstar = Fmask = KernelGsBase = 0;
        }
    }
}
