using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx.Handlers
{
    /// <summary>
    /// EPT violation: the guest touched guest-physical memory its EPT does not allow. A write to its own RAM is the
    /// first write to a page it shares copy-on-write (with its template, a snapshot or a clone): it gets a private copy
    /// and goes on. Anything else (outside RAM, or no memory left for the copy) stops the VM with the address and the
    /// access kind, taken from the qualification bits 0 (read), 1 (write), 2 (instruction fetch)
    /// (SDM Vol. 3C 27.2.1, Table 27-7).
    /// </summary>
    public sealed class EptViolationHandler : ExitHandler
    {
        private const ulong AccessRead = 1UL << 0;
        private const ulong AccessWrite = 1UL << 1;
        private const ulong AccessFetch = 1UL << 2;

        private readonly CharBufferSink _reason = new CharBufferSink(80);

        public override ExitAction Handle(VirtualMachine vm, Vcpu cpu)
        {
            ulong qualification = cpu.ReadField(VmcsField.ExitQualification);
            ulong gpa = cpu.ReadField(VmcsField.GuestPhysicalAddress);
            AddressSpace space = vm.Memory as AddressSpace;
            if ((qualification & AccessWrite) != 0 && space != null)
            {
                EptFaultResult result = space.ResolveWrite(gpa);
                if (result == EptFaultResult.Resolved) return ExitAction.Resume; // the write is retried, now on the copy
                if (result == EptFaultResult.OutOfMemory)
                {
                    _reason.Clear();
                    _reason.Write("out of memory for a copy-on-write page at GPA ");
                    _reason.WriteHex(gpa, 0);
                    return StopVm(vm, _reason.ToString());
                }
            }
            _reason.Clear();
            _reason.Write("ept-violation at GPA ");
            _reason.WriteHex(gpa, 0);
            _reason.Write(" (");
            bool first = true;
            first = AppendAccess(qualification, AccessRead, "read", first);
            first = AppendAccess(qualification, AccessWrite, "write", first);
            first = AppendAccess(qualification, AccessFetch, "execute", first);
            if (first)
            {
                _reason.Write("unknown access");
            }
            _reason.Write(')');
            return StopVm(vm, _reason.ToString());
        }

        private bool AppendAccess(ulong qualification, ulong bit, string name, bool first)
        {
            if ((qualification & bit) == 0)
            {
                return first;
            }
            if (!first)
            {
                _reason.Write('+');
            }
            _reason.Write(name);
            return false;
        }
    }
}
