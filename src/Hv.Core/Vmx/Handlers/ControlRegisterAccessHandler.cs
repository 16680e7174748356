using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// Control-register accesses that exit (reason 28; qualification layout SDM Vol. 3C Table 28-3: bits 3:0 the CR,
    /// 5:4 the access type, 11:8 the general register, 31:16 the LMSW source): MOV to CR0/CR4 that touch host-owned bits,
    /// CLTS and LMSW, and every MOV to or from CR8. <see cref="ControlRegisterPolicy"/> decides; a refused write faults
    /// with #GP(0). Any other form (CR3 exiting is off) stops the VM as an unhandled exit.
    /// </summary>
    public sealed class ControlRegisterAccessHandler : ExitHandler
    {
        private const int MovToCr = 0, MovFromCr = 1, Clts = 2, Lmsw = 3;
        private readonly ulong _allowedCr4;

        /// <param name="allowedCr4">The CR4 bits the guest may set (<see cref="CpuidPolicy.GuestCr4Bits"/>).</param>
        public ControlRegisterAccessHandler(ulong allowedCr4)
        {
            _allowedCr4 = allowedCr4;
        }

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            ulong q = cpu.ReadField(VmcsField.ExitQualification);
            int cr = (int)(q & 0xF), type = (int)((q >> 4) & 3), register = (int)((q >> 8) & 0xF);
            bool ok;
            if (type == MovToCr)
            {
                ulong value = cpu.Registers.Get(register);
                if ((cpu.ReadField(VmcsField.GuestIa32Efer) & ControlRegisterBits.EferLongModeActive) == 0) value &= 0xFFFFFFFFUL;
                if (cr == 0) ok = ControlRegisterPolicy.WriteCr0(cpu, value);
                else if (cr == 4) ok = ControlRegisterPolicy.WriteCr4(cpu, value, _allowedCr4);
                else if (cr == 8) ok = ControlRegisterPolicy.WriteCr8(cpu, value);
                else return StopVm(vm, StopCause.UnhandledExit, (ulong)ExitReason.ControlRegisterAccess);
            }
            else if (type == MovFromCr && cr == 8)
            {
                cpu.Registers.Set(register, cpu.Switched.Cr8);
                ok = true;
            }
            else if (type == Clts)
            {
                ok = ControlRegisterPolicy.WriteCr0(cpu, ControlRegisterPolicy.GuestCr0(cpu) & ~ControlRegisterBits.Cr0TaskSwitched);
            }
            else if (type == Lmsw)
            {
                // LMSW loads CR0 bits 3:0 but can set PE, never clear it (SDM Vol. 2A "LMSW").
                ulong old = ControlRegisterPolicy.GuestCr0(cpu);
                ulong source = (q >> 16) & 0xF;
                ok = ControlRegisterPolicy.WriteCr0(cpu, (old & ~0xEUL) | source | (old & ControlRegisterBits.Cr0ProtectionEnable));
            }
            else
            {
                return StopVm(vm, StopCause.UnhandledExit, (ulong)ExitReason.ControlRegisterAccess);
            }
            if (!ok)
            {
                cpu.InjectException(ExceptionVector.GeneralProtection, 0);
                vm.Counters.RecordInjectedException();
                return ExitAction.Resume;
            }
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
