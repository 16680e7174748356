using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// IN/OUT: decode the qualification, route the access through the VM's <see cref="Hv.Core.Devices.PortBus"/>.
    /// IN results go to AL/AX/EAX (an 8- or 16-bit IN keeps the rest of RAX; a 32-bit IN zero-extends, as every
    /// 32-bit register write does in 64-bit mode). String I/O (INS/OUTS) is emulated by <see cref="StringIoExit"/>.
    /// </summary>
    public sealed class IoInstructionHandler : ExitHandler
    {
        private readonly StringIoExit _stringIo = new StringIoExit();

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            IoQualification io = IoQualification.Decode(cpu.ReadField(VmcsField.ExitQualification));
            if (!io.IsValid)
            {
                return StopVm(vm, StopCause.InvalidIoSize, 0);
            }
            if (io.IsString)
            {
                return _stringIo.Emulate(vm, cpu, io);
            }

            GuestRegisters registers = cpu.Registers;
            bool handled;
            if (io.IsIn)
            {
                uint value;
                handled = vm.Ports.In(io.Port, io.Size, out value);
                if (io.Size == 4)
                {
                    registers.Rax = value;
                }
                else
                {
                    ulong mask = io.Size == 1 ? 0xFFUL : 0xFFFFUL;
                    registers.Rax = (registers.Rax & ~mask) | (value & mask);
                }
            }
            else
            {
                handled = vm.Ports.Out(io.Port, io.Size, (uint)registers.Rax);
            }
            if (!handled)
            {
                vm.Counters.RecordUnhandledPortAccess();
            }
            // A device may have stopped the VM (debug-exit port); then the instruction never completes.
            if (vm.State != VmState.Running)
            {
                return ExitAction.Stop;
            }
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }
    }
}
