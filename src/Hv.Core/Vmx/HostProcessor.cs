using Hv.Core.Guests;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// The physical CPU the hypervisor runs on, as far as the portable core needs it: it makes vCPUs, drops cached EPT
    /// translations and reads the time-stamp counter. The kernel's is VT-x (or none, without it); tests script one.
    /// </summary>
    public abstract class HostProcessor
    {
        /// <summary>A vCPU ready for its first entry at a loader's entry state, or null when the hardware or memory refuses.</summary>
        /// <param name="vpid">Tags the vCPU's TLB entries (non-zero; 0 is the host's). Unique among live vCPUs.</param>
        public abstract Vcpu CreateVcpu(GuestEntryState entry, ulong eptPointer, ushort vpid);

        /// <summary>A vCPU that continues from a captured <paramref name="state"/>, or null when refused.</summary>
        public abstract Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid);

        /// <summary>
        /// Drops translations the CPU may have cached for this EPT (INVEPT): needed after write-protecting entries, as a
        /// fork or snapshot does to the address space a VM keeps running on.
        /// </summary>
        public abstract void FlushTranslations(ulong eptPointer);

        /// <summary>The host TSC, for accounting guest time.</summary>
        public abstract ulong Now();

        /// <summary>
        /// TSC ticks per second, which guests see too (their TSC is the host's plus an offset): a VM's timers, PIT and
        /// clock count in it. The kernel measures it at boot; tests keep the device models' default.
        /// </summary>
        public virtual ulong TscHz { get { return Hv.Core.Devices.Time.DeviceClock.DefaultTscHz; } }
    }
}
