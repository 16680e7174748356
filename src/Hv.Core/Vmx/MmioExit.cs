using System;
using Hv.Core.Vm;
using Hv.Core.X86;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Emulates one guest access to a memory-mapped device (an EPT violation on an address the VM's
    /// <see cref="Hv.Core.Devices.MmioBus"/> claims): fetch the instruction at RIP through the guest's page tables,
    /// decode it, do the access on the device, move RIP past it. An instruction the decoder refuses, or that cannot be
    /// fetched, stops the VM with <see cref="StopCause.MmioInstructionRefused"/>, the address and the instruction's
    /// first bytes.
    /// </summary>
    public sealed class MmioExit
    {
        private readonly byte[] _code = new byte[MmioDecoder.MaxLength];

        public ExitAction Emulate(VirtualMachine vm, Vcpu cpu, ulong gpa)
        {
            PagingContext paging = GuestView.Paging(cpu);
            CodeSize mode = GuestView.CodeSizeOf(cpu, paging);
            Span<byte> code = new Span<byte>(_code, 0, _code.Length);
            int fetched = GuestView.FetchInstruction(cpu, vm.Memory, paging, mode, code);
            MmioInstruction instruction = MmioDecoder.Decode(code.Slice(0, fetched), mode);
            if (instruction.Status != DecodeStatus.Ok || !MmioEmulator.Execute(instruction, cpu.Registers, vm.Mmio, gpa))
            {
                vm.Stop(StopCause.MmioInstructionRefused, gpa, LeadingBytes(code, fetched));
                return ExitAction.Stop;
            }
            cpu.AdvanceRip((ulong)instruction.Length);
            return ExitAction.Resume;
        }

        // The first (up to) 8 bytes, first byte in the top byte, so the stop reason prints them in order.
        private static ulong LeadingBytes(Span<byte> code, int fetched)
        {
            ulong bytes = 0;
            for (int i = 0; i < 8; i++) bytes = (bytes << 8) | (i < fetched ? code[i] : 0UL);
            return bytes;
        }
    }
}
