namespace Hv.Core.Vm
{
    /// <summary>
    /// Guest values of the MSRs the VMCS has no guest-state field for (SDM Vol. 3C 24.4.1 lists those it
    /// has). The backend loads them into the real MSRs before entry and saves them after exit (or through the
    /// VM-entry/exit MSR-load areas); the MSR policy reads and writes them here.
    /// </summary>
    public sealed class GuestMsrs
    {
        public ulong Star;
        public ulong Lstar;
        public ulong Cstar;
        public ulong Fmask;
        public ulong KernelGsBase;
    }
}
