using System.Runtime.CompilerServices;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// The view of a virtual CPU that exit handlers get: registers, VMCS fields and event injection. The
    /// VT-x backend implements the abstract members with VMREAD/VMWRITE and RDTSC; tests use a fake.
    /// </summary>
    public abstract class Vcpu
    {
        /// <summary>#GP, the answer to most forbidden guest actions.</summary>
        public const byte GeneralProtection = 13;
        /// <summary>#UD.</summary>
        public const byte InvalidOpcode = 6;

        // VM-entry interruption-information field (SDM Vol. 3C 24.8.3): vector 7:0, type 10:8,
        // deliver-error-code 11, valid 31. Type 3 = hardware exception.
        private const uint InterruptionTypeHardwareException = 3u << 8;
        private const uint InterruptionDeliverErrorCode = 1u << 11;
        private const uint InterruptionValid = 1u << 31;

        // Guest interruptibility state (SDM Vol. 3C 24.4.2, Table 24-3): blocking by STI (bit 0) and by MOV SS (bit 1).
        private const ulong BlockingByStiOrMovSs = 0x3;

        private readonly GuestRegisters _registers = new GuestRegisters();

        public GuestRegisters Registers { get { return _registers; } }

        public abstract ulong ReadField(uint encoding);
        public abstract void WriteField(uint encoding, ulong value);

        /// <summary>The host's time-stamp counter now (guest TSC = host TSC + the VMCS TSC offset).</summary>
        public abstract ulong ReadHostTsc();

        /// <summary>
        /// The guest wrote one of the MSRs the VMCS does not switch (GuestMsrs): a hardware vCPU loads the new value into
        /// the processor at once, so the guest's next SYSCALL or SWAPGS uses it. (At each time slice the backend loads
        /// them all.)
        /// </summary>
        public virtual void GuestMsrWritten(uint msr, ulong value) { }

        /// <summary>
        /// Completes the exiting instruction: RIP moves past it (by the VM-exit instruction length, SDM 24.9.4),
        /// and STI/MOV SS blocking ends as it would after executing the next instruction; leaving it set after an
        /// emulated "sti; hlt" would wrongly keep interrupts blocked.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void AdvanceRip()
        {
            _registers.Rip += ReadField(VmcsField.ExitInstructionLength);
            ulong interruptibility = ReadField(VmcsField.GuestInterruptibilityState);
            if ((interruptibility & BlockingByStiOrMovSs) != 0)
            {
                WriteField(VmcsField.GuestInterruptibilityState, interruptibility & ~BlockingByStiOrMovSs);
            }
        }

        /// <summary>Delivers a hardware exception without error code on the next entry. RIP stays (fault semantics).</summary>
        public void InjectException(byte vector)
        {
            WriteField(VmcsField.EntryInterruptionInfo, vector | InterruptionTypeHardwareException | InterruptionValid);
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
                vector | InterruptionTypeHardwareException | InterruptionDeliverErrorCode | InterruptionValid);
        }

        /// <summary>The guest's current privilege level: SS.DPL (SDM Vol. 3C 24.4.1, access rights bits 6:5).</summary>
        public int CurrentPrivilegeLevel()
        {
            return (int)((ReadField(VmcsField.GuestSsAccessRights) >> 5) & 3);
        }
    }
}
