using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// EPT violation: the guest touched guest-physical memory its EPT does not allow. A write to its own RAM is the
    /// first write to a page it shares copy-on-write (with its template, a snapshot or a clone): it gets a private copy
    /// and goes on. Anything else (outside RAM, or no memory left for the copy) stops the VM with the address and the
    /// kind of access (<see cref="EptViolationQualification"/>). A data access above RAM that a memory-mapped device
    /// claims is emulated (<see cref="MmioExit"/>).
    /// </summary>
    public sealed class EptViolationHandler : ExitHandler
    {
        private readonly MmioExit _mmio = new MmioExit();

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            ulong qualification = cpu.ReadField(VmcsField.ExitQualification);
            ulong gpa = cpu.ReadField(VmcsField.GuestPhysicalAddress);
            if (vm.Mmio.Claims(gpa, 1) && (qualification & EptViolationQualification.Fetch) == 0)
            {
                return _mmio.Emulate(vm, cpu, gpa);
            }
            if ((qualification & EptViolationQualification.Write) != 0)
            {
                EptFaultResult result = vm.Memory.ResolveWrite(gpa);
                if (result == EptFaultResult.Resolved) return ExitAction.Resume; // the write is retried, now on the copy
                if (result == EptFaultResult.OutOfMemory) return StopVm(vm, StopCause.CopyOnWriteOutOfMemory, gpa);
            }
            vm.Stop(StopCause.EptViolation, gpa, qualification & EptViolationQualification.AccessMask);
            return ExitAction.Stop;
        }
    }
}
