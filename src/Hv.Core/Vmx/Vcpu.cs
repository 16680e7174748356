using System.Runtime.CompilerServices;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// One virtual CPU, which runs itself: <see cref="Run"/> enters the guest and returns at the next VM exit; exit
    /// handlers then read and write its registers and VMCS fields and inject events. A <see cref="HostProcessor"/> makes
    /// vCPUs; the VT-x one is backed by a VMCS (VMREAD/VMWRITE), tests script one.
    /// </summary>
    public abstract class Vcpu
    {
        /// <summary>What <see cref="Run"/> returns when VMLAUNCH/VMRESUME itself failed (no exit happened).</summary>
        public const uint EntryFailed = uint.MaxValue;

        private readonly GuestRegisters _registers = new GuestRegisters();
        private readonly GuestMsrs _msrs = new GuestMsrs();
        private readonly SwitchedRegisters _switched = new SwitchedRegisters();
        private readonly GuestMtrrs _mtrrs = new GuestMtrrs();

        public GuestRegisters Registers { get { return _registers; } }

        /// <summary>The MSRs the VMCS does not switch; the MSR policy keeps the guest's values here.</summary>
        public GuestMsrs Msrs { get { return _msrs; } }

        /// <summary>DR0-DR3, DR6, CR8 and XCR0: kept here, switched by the host (see <see cref="SwitchedRegisters"/>).</summary>
        public SwitchedRegisters Switched { get { return _switched; } }

        /// <summary>The memory-type range registers, emulated per vCPU (EPT decides the real memory types).</summary>
        public GuestMtrrs Mtrrs { get { return _mtrrs; } }

        /// <summary>
        /// Runs the guest until an exit needs handling; returns 0, or <see cref="EntryFailed"/>. A non-zero
        /// <paramref name="newSliceTicks"/> starts a time slice of about that many TSC ticks (and loads this vCPU's
        /// <see cref="Msrs"/> into the processor); 0 continues the current one, which ends with a preemption-timer exit.
        /// </summary>
        public abstract uint Run(ulong newSliceTicks);

        /// <summary>
        /// Makes this vCPU's VMCS the processor's current one, so its fields can be read and written before it runs
        /// (a PC VM's run loop reads the guest TSC and queues an interrupt first). False when the hardware refuses.
        /// </summary>
        public virtual bool Activate() { return true; }

        /// <summary>The guest's TSC now: the host's plus the VMCS offset (SDM Vol. 3C 25.3). The VMCS must be current.</summary>
        public ulong GuestTsc()
        {
            return unchecked(ReadHostTsc() + ReadField(VmcsField.TscOffset));
        }

        /// <summary>
        /// The guest's IA32_TSC_ADJUST: what its own writes to the TSC (or to this MSR) moved the TSC by. It is not the
        /// VMCS offset, which also carries where the host placed the guest's time (a resumed vCPU's offset changes,
        /// and Linux, seeing TSC_ADJUST change, would write the old value back and so move its own clock).
        /// </summary>
        public ulong TscAdjust;

        /// <summary>
        /// Sets the offset so the guest's TSC reads <paramref name="guestTsc"/> now: a captured vCPU continues at the TSC
        /// it was captured with, as its memory and device timers do, however long ago that was (a clone of a template
        /// primed an hour ago must not see an hour pass at once). 0 (an image from before the TSC was captured) keeps
        /// the host's TSC. The VMCS must be current.
        /// </summary>
        public void ContinueTscAt(ulong guestTsc)
        {
            if (guestTsc != 0) WriteField(VmcsField.TscOffset, unchecked(guestTsc - ReadHostTsc()));
        }

        /// <summary>Copies the complete state of this (not running) vCPU out, for snapshots, primed templates, forks and exports.</summary>
        public abstract void Capture(VcpuState state);

        /// <summary>Gives the vCPU's hardware resources back; the object is not used again.</summary>
        public abstract void Release();

        public abstract ulong ReadField(uint encoding);
        public abstract void WriteField(uint encoding, ulong value);

        /// <summary>The host's time-stamp counter now (guest TSC = host TSC + the VMCS TSC offset).</summary>
        public abstract ulong ReadHostTsc();

        /// <summary>
        /// The guest wrote one of the <see cref="Msrs"/>: a hardware vCPU loads the new value into the processor at
        /// once, so the guest's next SYSCALL or SWAPGS uses it.
        /// </summary>
        public virtual void GuestMsrWritten(uint msr, ulong value) { }

        /// <summary>
        /// Brings <see cref="Msrs"/> and <see cref="Switched"/> up to date with what the guest changed without an exit
        /// (SWAPGS swaps KERNEL_GS_BASE; debug exceptions and MOV to DRs once they are the guest's change DR0-DR6).
        /// </summary>
        public virtual void PullProcessorState() { }

        /// <summary>
        /// The guest touched a debug register (a MOV-DR exit): from now on the processor holds this vCPU's DR0-DR3 and
        /// DR6 while it runs, and MOV DR runs without exiting. The instruction is then executed again, natively.
        /// </summary>
        public virtual void ClaimDebugRegisters() { }

        /// <summary>The guest's XCR0 or CR4.OSXSAVE changed: the world switch's XSAVE mask and XCR0 follow.</summary>
        public virtual void ExtendedControlChanged() { }

        /// <summary>
        /// From now on PAUSE exits (a VM with several vCPUs on one host core: a vCPU spinning on a lock its sibling
        /// holds gets nowhere until the sibling runs). A processor without PAUSE exiting keeps running it natively.
        /// </summary>
        public virtual void YieldOnPause() { }

        /// <summary>Drops the guest's cached linear translations (after an emulated CR0/CR4 write changed paging bits).</summary>
        public virtual void FlushGuestTranslations() { }

        /// <summary>
        /// Completes the exiting instruction: RIP moves past it (by the VM-exit instruction length, SDM 24.9.4),
        /// and STI/MOV SS blocking ends as it would after executing the next instruction; leaving it set after an
        /// emulated "sti; hlt" would wrongly keep interrupts blocked.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AdvanceRip()
        {
            AdvanceRip(ReadField(VmcsField.ExitInstructionLength));
        }

        /// <summary>
        /// Completes an instruction of <paramref name="length"/> bytes that the hypervisor emulated (the exit
        /// instruction length is not defined for EPT violations, SDM 27.2.5, so the decoder's length is used).
        /// </summary>
        public void AdvanceRip(ulong length)
        {
            _registers.Rip += length;
            ulong interruptibility = ReadField(VmcsField.GuestInterruptibilityState);
            if ((interruptibility & EntryInterruption.BlockingByStiOrMovSs) != 0)
            {
                WriteField(VmcsField.GuestInterruptibilityState, interruptibility & ~EntryInterruption.BlockingByStiOrMovSs);
            }
        }

        /// <summary>Delivers a hardware exception without error code on the next entry. RIP stays (fault semantics).</summary>
        public void InjectException(byte vector)
        {
            WriteField(VmcsField.EntryInterruptionInfo, vector | EntryInterruption.TypeHardwareException | EntryInterruption.Valid);
        }

        /// <summary>Delivers a hardware exception that pushes an error code (#DF, #TS, #NP, #SS, #GP, #PF, #AC).</summary>
        public void InjectException(byte vector, uint errorCode)
        {
            // Real mode pushes no error code, and VM entry refuses one there (SDM Vol. 3C 26.2.1.3).
            if ((ReadField(VmcsField.GuestCr0) & ControlRegisterBits.Cr0ProtectionEnable) == 0)
            {
                InjectException(vector);
                return;
            }
            WriteField(VmcsField.EntryExceptionErrorCode, errorCode);
            WriteField(VmcsField.EntryInterruptionInfo,
                vector | EntryInterruption.TypeHardwareException | EntryInterruption.DeliverErrorCode | EntryInterruption.Valid);
        }

        /// <summary>The guest's current privilege level: SS.DPL (SDM Vol. 3C 24.4.1, access rights bits 6:5).</summary>
        public int CurrentPrivilegeLevel()
        {
            return (int)((ReadField(VmcsField.GuestSsAccessRights) >> 5) & 3);
        }
    }
}
