using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// A vCPU's values of the MSRs the VMCS has no guest-state field for (SDM Vol. 3C 24.4.1 lists those it has):
    /// STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE and TSC_AUX. The host never uses them (no SYSCALL, SWAPGS or RDTSCP),
    /// so a hardware vCPU loads them into the processor when another VM ran last and whenever the guest writes one;
    /// SWAPGS changes KERNEL_GS_BASE without an exit, so the vCPU reads it back before another VM's value replaces it.
    /// The MSR policy reads and writes them here.
    /// </summary>
    public sealed class GuestMsrs
    {
        /// <summary>How many there are; <see cref="Get"/> and <see cref="Set"/> number them in the order above.</summary>
        public const int Count = 6;

        public ulong Star;
        public ulong Lstar;
        public ulong Cstar;
        public ulong Fmask;
        public ulong KernelGsBase;
        public ulong TscAux;

        /// <summary>True for the MSRs kept here rather than in the VMCS.</summary>
        public static bool Holds(uint msr)
        {
            return (msr >= Msr.Ia32Star && msr <= Msr.Ia32Fmask) || msr == Msr.Ia32KernelGsBase || msr == Msr.Ia32TscAux;
        }

        /// <summary>The MSR number of the i-th value (0 = STAR ... 4 = KERNEL_GS_BASE, 5 = TSC_AUX).</summary>
        public static uint Number(int i)
        {
            return i == 0 ? Msr.Ia32Star : i == 1 ? Msr.Ia32Lstar : i == 2 ? Msr.Ia32Cstar : i == 3 ? Msr.Ia32Fmask : i == 4 ? Msr.Ia32KernelGsBase : Msr.Ia32TscAux;
        }

        public ulong Get(int i)
        {
            return i == 0 ? Star : i == 1 ? Lstar : i == 2 ? Cstar : i == 3 ? Fmask : i == 4 ? KernelGsBase : TscAux;
        }

        public void Set(int i, ulong value)
        {
            if (i == 0) Star = value;
            else if (i == 1) Lstar = value;
            else if (i == 2) Cstar = value;
            else if (i == 3) Fmask = value;
            else if (i == 4) KernelGsBase = value;
            else TscAux = value;
        }

        public void CopyFrom(GuestMsrs other)
        {
            Star = other.Star;
            Lstar = other.Lstar;
            Cstar = other.Cstar;
            Fmask = other.Fmask;
            KernelGsBase = other.KernelGsBase;
            TscAux = other.TscAux;
        }

        /// <summary>All zero: a recycled vCPU must not show a new guest anything of the previous one.</summary>
        public void Clear()
        {
            Star = Lstar = Cstar = Fmask = KernelGsBase = TscAux = 0;
        }
    }
}
