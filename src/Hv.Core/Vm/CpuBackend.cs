using Hv.Core.Guests;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The thin layer that touches the processor: makes a vCPU from a loader's entry state and an EPT, and runs it
    /// until the next exit. The kernel implements it with VT-x; tests replace it.
    /// </summary>
    public abstract class CpuBackend
    {
        /// <summary>Exit reason reported when VMLAUNCH/VMRESUME itself failed.</summary>
        public const uint EntryFailed = uint.MaxValue;

        /// <summary>A vCPU ready for its first entry, or null when the hardware or memory refuses.</summary>
        public abstract Vcpu Create(uint vmId, GuestEntryState entry, ulong eptPointer);

        /// <summary>
        /// Runs <paramref name="cpu"/> until an exit needs handling. A non-zero <paramref name="newSliceTicks"/> starts a
        /// time slice of about that many TSC ticks; 0 continues the current one (the slice ends with a preemption exit).
        /// </summary>
        public abstract uint Run(Vcpu cpu, ulong newSliceTicks);

        public abstract void Destroy(Vcpu cpu);

        /// <summary>Copies a (not running) vCPU's complete state out, for snapshots, primed templates, forks and exports.</summary>
        public abstract void Capture(Vcpu cpu, VcpuState state);

        /// <summary>A vCPU that continues from <paramref name="state"/> on the given EPT, or null when refused.</summary>
        public abstract Vcpu CreateFromState(uint vmId, VcpuState state, ulong eptPointer);

        /// <summary>
        /// Drops translations the CPU may have cached for this EPT (INVEPT): needed after write-protecting entries,
        /// as a fork or snapshot does to the address space a VM keeps running on.
        /// </summary>
        public abstract void FlushTranslations(ulong eptPointer);

        /// <summary>
        /// Loads the guest's values of the MSRs the VMCS does not switch (STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE) into
        /// the processor. The host never uses them (no SYSCALL, no SWAPGS), so they only change when another VM runs or
        /// the guest writes one.
        /// </summary>
        public abstract void LoadGuestMsrs(GuestMsrs msrs);

        /// <summary>The host TSC, for accounting guest time.</summary>
        public abstract ulong Now();
    }
}
