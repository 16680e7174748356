using System;
using System.Collections.Generic;
using System.Globalization;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Testing
{
    /// <summary>
    /// A vCPU that runs a text program instead of x86 code, one VM exit per step (see <see cref="ScriptedProcessor"/>).
    /// Steps, one a line:
    /// <c>say TEXT</c> (an OUT to COM1 per character of TEXT and a newline), <c>flood N</c> (N characters 'x'),
    /// <c>exit N</c> (an OUT of N to the debug-exit port), <c>hlt</c> (HLT; the last one with IF clear),
    /// <c>ready</c> (the Ready hypercall), <c>write GPA BYTE</c> (a guest write to memory, hex numbers: an EPT violation
    /// first where the page is not writable, as copy-on-write pages are), <c>pause MS</c> (busy for MS milliseconds of
    /// wall-clock time: preemption exits), <c>spin</c> (run forever).
    /// Registers.Rip is the index of the next step, so capture and restore are exact.
    /// </summary>
    public sealed class ScriptedVcpu : Vcpu
    {
        private const uint PauseStep = uint.MaxValue - 1, WriteStep = uint.MaxValue - 2;
        private readonly ScriptedProcessor _processor;
        private readonly PageSource _pages;
        private readonly ulong _pml4;
        private readonly List<(uint Reason, ulong Qualification, ulong Value)> _steps = new();
        private readonly Dictionary<uint, ulong> _fields = new();
        private readonly bool _spins;
        private DateTime? _pauseEnds;

        internal ScriptedVcpu(ScriptedProcessor processor, PageSource pages, ulong pml4)
        {
            _processor = processor;
            _pages = pages;
            _pml4 = pml4;
            foreach (string raw in ReadProgram().Split('\n'))
            {
                string line = raw.Trim();
                if (line.StartsWith("say ")) foreach (char c in line.Substring(4) + "\n") _steps.Add((30, Out(0x3F8), c));
                else if (line.StartsWith("flood ")) for (int i = int.Parse(line.Substring(6)); i > 0; i--) _steps.Add((30, Out(0x3F8), 'x'));
                else if (line.StartsWith("exit ")) _steps.Add((30, Out(0xF4), ulong.Parse(line.Substring(5))));
                else if (line == "hlt") _steps.Add((12, 0, 0));
                else if (line == "ready") _steps.Add((18, 0, 4));
                else if (line == "spin") _spins = true;
                else if (line.StartsWith("pause ")) _steps.Add((PauseStep, 0, ulong.Parse(line.Substring(6))));
                else if (line.StartsWith("write "))
                {
                    string[] w = line.Split(' ');
                    _steps.Add((WriteStep, ulong.Parse(w[1], NumberStyles.HexNumber), ulong.Parse(w[2], NumberStyles.HexNumber)));
                }
            }
            Registers.Rflags = 0x202;
            _fields[VmcsField.ExitInstructionLength] = 0; // AdvanceRip must not move the step index
            _fields[VmcsField.GuestCr0] = 0x10;
        }

        public override uint Run(ulong newSliceTicks)
        {
            _processor.Tick();
            Step();
            return 0;
        }

        public override void Capture(VcpuState state)
        {
            state.Registers.CopyFrom(Registers);
            state.Msrs.CopyFrom(Msrs);
        }

        public override void Release() { }

        public override ulong ReadField(uint encoding) => _fields.TryGetValue(encoding, out ulong v) ? v : 0;
        public override void WriteField(uint encoding, ulong value) => _fields[encoding] = value;
        public override ulong ReadHostTsc() => _processor.Now();

        // OUT DX, AL: byte size, direction out, port in bits 31:16 (SDM Vol. 3C Table 27-5).
        private static ulong Out(ushort port) => (ulong)port << 16;

        private void Step()
        {
            int index = (int)Registers.Rip;
            var (reason, qualification, value) = index < _steps.Count ? _steps[index] : (_spins ? 52u : 12u, 0UL, 0UL);
            if (reason == PauseStep)
            {
                // Busy for a while, like hello.asm's delay loop: time slices end (preemption exits) until the pause is over.
                _pauseEnds ??= DateTime.UtcNow.AddMilliseconds(value);
                if (DateTime.UtcNow < _pauseEnds)
                {
                    Exit(52, 0);
                    return;
                }
                _pauseEnds = null;
                Registers.Rip++;
                Step();
                return;
            }
            if (reason == WriteStep)
            {
                // Through the EPT as the CPU would: a leaf or table without W faults (SDM 28.3.3), and the write is retried.
                ulong gpa = qualification;
                if (!TryWrite(gpa, (byte)value))
                {
                    _fields[VmcsField.GuestPhysicalAddress] = gpa;
                    Exit(48, EptViolationQualification.Write);
                    return;
                }
                Registers.Rip++;
                Step();
                return;
            }
            if (index < _steps.Count) Registers.Rip++;
            if (reason == 12 && index >= _steps.Count - 1 && !_spins) Registers.Rflags = 0x2; // a final HLT with IF clear
            Registers.Rax = value;
            Exit(reason, qualification);
        }

        private void Exit(uint reason, ulong qualification)
        {
            _fields[VmcsField.ExitReason] = reason;
            _fields[VmcsField.ExitQualification] = qualification;
        }

        private bool TryWrite(ulong gpa, byte value)
        {
            ulong table = _pml4;
            for (int level = 0; level < 4; level++)
            {
                ulong entry = BitConverter.ToUInt64(_pages.Page(table).Slice(EptEntry.IndexAt(gpa, level) * 8, 8));
                if ((entry & EptEntry.Read) == 0 || (entry & EptEntry.Write) == 0) return false;
                table = entry & EptEntry.AddressMask;
            }
            _pages.Page(table)[(int)(gpa & 0xFFF)] = value;
            return true;
        }

        // Walks the 4-level EPT (SDM 28.3.2) to the guest pages holding the program and reads it up to a NUL.
        private string ReadProgram()
        {
            var text = new System.Text.StringBuilder();
            for (ulong gpa = GuestLayout.RealModeLoadAddress; ; gpa++)
            {
                ulong table = _pml4;
                for (int level = 0; level < 4; level++)
                    table = BitConverter.ToUInt64(_pages.Page(table).Slice(EptEntry.IndexAt(gpa, level) * 8, 8)) & EptEntry.AddressMask;
                byte b = _pages.Page(table)[(int)(gpa & 0xFFF)];
                if (b == 0) break;
                text.Append((char)b);
            }
            return text.ToString();
        }
    }
}
