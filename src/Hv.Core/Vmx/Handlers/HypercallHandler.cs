using System;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// VMCALL: the guest-to-hypervisor call interface.
    ///
    /// ABI (version 1, reported in CPUID 0x40000001 EBX):
    ///   RAX = function, RBX and RCX = arguments; the result comes back in RAX. Other registers are preserved.
    ///   Only CPL 0 may call; from any other ring RAX = PermissionDenied and nothing happens.
    ///
    ///   1 ConsoleWrite(RBX = guest-physical address, RCX = length &lt;= 4096)
    ///       Appends the bytes to the VM's console. RAX = Success, InvalidArgument (length too large) or
    ///       BadAddress (any byte outside guest memory). All or nothing: on error no byte is written.
    ///   2 Exit(RBX = exit code)
    ///       Stops the VM with that code; the call does not return.
    ///   3 GetVmId()
    ///       RAX = the VM's id (as in CPUID 0x40000001 EAX).
    ///   4 Ready()
    ///       The guest has finished booting; recorded on the VM, and its time slice ends here, so a template being
    ///       primed is captured exactly at this call. RAX = Success.
    ///   5 GetSeed()
    ///       RAX, RDX = this VM's 128-bit random seed. Every VM, every clone and every fork gets a fresh one (in the
    ///       spirit of VMGenID), so clones of one golden image never share randomness.
    ///   6 GetMacAddress()
    ///       RAX = this VM's MAC address (48 bits, locally administered, unique per VM and clone).
    ///   7 RaiseInterrupt(RBX = vector 32-255)
    ///       Makes the vector pending on the VM's own interrupt source: it is injected as an external interrupt once
    ///       the guest can take it (RFLAGS.IF = 1, no STI shadow). RAX = Success or InvalidArgument (vector below 32
    ///       or above 255). A test source for interrupt delivery when no interrupt controller is modelled.
    ///   anything else: RAX = UnknownFunction (all ones).
    ///
    /// Status codes are small negative numbers, as in KVM's hypercall ABI.
    /// </summary>
    public sealed class HypercallHandler : ExitHandler
    {
        public const ulong ConsoleWrite = 1;
        public const ulong Exit = 2;
        public const ulong GetVmId = 3;
        public const ulong Ready = 4;
        public const ulong GetSeed = 5;
        public const ulong GetMacAddress = 6;
        public const ulong RaiseInterrupt = 7;

        public const ulong Success = 0;
        public const ulong UnknownFunction = ulong.MaxValue;      // -1
        public const ulong InvalidArgument = ulong.MaxValue - 1;  // -2
        public const ulong BadAddress = ulong.MaxValue - 2;       // -3
        public const ulong PermissionDenied = ulong.MaxValue - 3; // -4

        public const int MaxConsoleWrite = 4096;

        // Guest bytes are copied here once, then used: the guest cannot change them between check and use
        // (ARCHITECTURE.md principle 4). One buffer per handler; a dispatcher serves one physical CPU.
        private readonly byte[] _buffer = new byte[MaxConsoleWrite];

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            GuestRegisters registers = cpu.Registers;
            if (cpu.CurrentPrivilegeLevel() != 0)
            {
                registers.Rax = PermissionDenied;
                cpu.AdvanceRip();
                return ExitAction.Resume;
            }

            ulong function = registers.Rax;
            if (function == Exit)
            {
                vm.StopWithExitCode(StopCause.ExitHypercall, registers.Rbx);
                return ExitAction.Stop;
            }
            if (function == ConsoleWrite)
            {
                registers.Rax = WriteConsole(vm, registers.Rbx, registers.Rcx);
            }
            else if (function == GetVmId)
            {
                registers.Rax = vm.Id;
            }
            else if (function == Ready)
            {
                vm.MarkReady();
                registers.Rax = Success;
                cpu.AdvanceRip();
                return ExitAction.Yield;
            }
            else if (function == GetSeed)
            {
                registers.Rax = vm.SeedLow;
                registers.Rdx = vm.SeedHigh;
            }
            else if (function == GetMacAddress)
            {
                registers.Rax = vm.MacAddress;
            }
            else if (function == RaiseInterrupt)
            {
                registers.Rax = registers.Rbx <= 255 && vm.RequestedInterrupts.Raise((int)registers.Rbx) ? Success : InvalidArgument;
            }
            else
            {
                registers.Rax = UnknownFunction;
            }
            cpu.AdvanceRip();
            return ExitAction.Resume;
        }

        private ulong WriteConsole(VirtualMachine vm, ulong gpa, ulong length)
        {
            if (length > MaxConsoleWrite)
            {
                return InvalidArgument;
            }
            if (gpa + length < gpa || vm.Memory == null)
            {
                return BadAddress;
            }
            if (!vm.Memory.Read(gpa, new Span<byte>(_buffer, 0, (int)length)))
            {
                return BadAddress;
            }
            vm.Console.WriteOutput(new ReadOnlySpan<byte>(_buffer, 0, (int)length));
            return Success;
        }
    }
}
