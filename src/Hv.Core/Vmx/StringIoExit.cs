using System;
using Hv.Core.Devices;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;
using Hv.Core.X86;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// INS/OUTS (SDM Vol. 2 "INS", "OUTS"), with or without REP, byte/word/dword, DF up or down: each element moves
    /// between the port bus and guest memory at ES:rDI (INS) or seg:rSI (OUTS), addressed through the guest's page
    /// tables. The address size and segment come from the instruction's prefixes (fetched at RIP); rSI/rDI/rCX change
    /// in their address-size part only. A REP runs at most <see cref="MaxElementsPerExit"/> elements per exit and then
    /// re-enters the guest at the same instruction, as an interrupted REP does on hardware, so one VM cannot hold the
    /// host and pending interrupts get delivered in between. An operand that does not translate to guest RAM stops the
    /// VM (<see cref="StopCause.StringIo"/>).
    /// </summary>
    public sealed class StringIoExit
    {
        public const int MaxElementsPerExit = 1024;
        private const ulong DirectionFlag = 1UL << 10;

        private readonly byte[] _code = new byte[MmioDecoder.MaxLength];
        private readonly byte[] _element = new byte[4];

        public ExitAction Emulate(VirtualMachine vm, Vcpu cpu, IoQualification io)
        {
            PagingContext paging = GuestView.Paging(cpu);
            CodeSize mode = GuestView.CodeSizeOf(cpu, paging);
            Span<byte> code = new Span<byte>(_code, 0, _code.Length);
            int fetched = GuestView.FetchInstruction(cpu, vm.Memory, paging, mode, code);
            StringIoPrefixes prefixes = StringIoPrefixes.Parse(code.Slice(0, fetched), mode);
            if (!prefixes.Valid) return Fail(vm, io);

            GuestRegisters registers = cpu.Registers;
            ulong mask = MmioDecoder.Mask(prefixes.AddressSize);
            int pointer = io.IsIn ? 7 : 6; // RDI or RSI
            ulong segmentBase = SegmentBase(cpu, mode, prefixes.Segment);
            ulong step = (registers.Rflags & DirectionFlag) != 0 ? (ulong)(-(long)io.Size) : (ulong)io.Size;
            ulong count = io.IsRep ? registers.Rcx & mask : 1;
            uint access = GuestView.PrivilegeAccess(cpu);
            Span<byte> element = new Span<byte>(_element, 0, io.Size);
            bool unhandled = false;

            int done = 0;
            while (count > 0 && done < MaxElementsPerExit)
            {
                ulong offset = RegisterFile.Get(registers, pointer) & mask;
                ulong linear = segmentBase + offset;
                int copied;
                uint faultCode;
                if (io.IsIn)
                {
                    uint value;
                    unhandled |= !vm.Ports.In(io.Port, io.Size, out value);
                    for (int i = 0; i < io.Size; i++) element[i] = (byte)(value >> (8 * i));
                    if (GuestLinearMemory.Write(vm.Memory, paging, linear, access, element, out copied, out faultCode) != TranslationStatus.Ok)
                    {
                        return Fail(vm, io);
                    }
                }
                else
                {
                    if (GuestLinearMemory.Read(vm.Memory, paging, linear, access, element, out copied, out faultCode) != TranslationStatus.Ok)
                    {
                        return Fail(vm, io);
                    }
                    uint value = 0;
                    for (int i = io.Size - 1; i >= 0; i--) value = (value << 8) | element[i];
                    unhandled |= !vm.Ports.Out(io.Port, io.Size, value);
                }
                SetMasked(registers, pointer, offset + step, prefixes.AddressSize);
                count--;
                if (io.IsRep) SetMasked(registers, 1, count, prefixes.AddressSize);
                done++;
                if (vm.State != VmState.Running) return ExitAction.Stop; // a device stopped it (debug-exit port)
            }
            if (unhandled) vm.Counters.RecordUnhandledPortAccess();
            if (count == 0) cpu.AdvanceRip();
            return ExitAction.Resume;
        }

        // A register written through its 16- or 32-bit alias: 16 keeps the upper bits, 32 zero-extends.
        private static void SetMasked(GuestRegisters registers, int number, ulong value, int addressSize)
        {
            RegisterFile.Write(registers, number, addressSize, false, value);
        }

        private static ulong SegmentBase(Vcpu cpu, CodeSize mode, int segment)
        {
            if (mode == CodeSize.Bits64 && segment != StringIoPrefixes.Fs && segment != StringIoPrefixes.Gs) return 0;
            return cpu.ReadField(VmcsField.GuestEsBase + (uint)(2 * segment));
        }

        private static ExitAction Fail(VirtualMachine vm, IoQualification io)
        {
            vm.Stop(StopCause.StringIo, io.Port);
            return ExitAction.Stop;
        }
    }
}
