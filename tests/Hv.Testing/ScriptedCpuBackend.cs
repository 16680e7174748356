using System;
using System.Collections.Generic;
using System.Text;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Testing
{
    /// <summary>
    /// A CPU backend for .NET tests. Instead of executing x86 code, each vCPU reads a small text program from its guest
    /// memory (at the real-mode load address, through the VM's EPT, so the real loader and EPT are used) and turns each
    /// step into the VM exit real hardware would produce: an OUT to the UART per character, an OUT to the debug-exit
    /// port, HLT, or a preemption-timer exit. Everything after the exit (dispatch, devices, counters) is the real code.
    ///
    /// Program lines: <c>say TEXT</c> (print TEXT and a newline), <c>exit N</c>, <c>hlt</c>, <c>ready</c> (the ready
    /// hypercall), <c>pause MS</c> (busy for MS milliseconds of wall-clock time), <c>spin</c> (run forever).
    /// </summary>
    public sealed class ScriptedCpuBackend : CpuBackend
    {
        private readonly PageSource _pages;
        private long _now;

        public ScriptedCpuBackend(PageSource pages) { _pages = pages; }

        public static byte[] Program(string text) => Encoding.ASCII.GetBytes(text + "\0");

        public override Vcpu Create(uint vmId, GuestEntryState entry, ulong eptPointer)
            => new ScriptedVcpu(ReadProgram(eptPointer & ~0xFFFUL, entry.Rip));

        public override uint Run(Vcpu cpu, ulong newSliceTicks)
        {
            _now += 1000;
            ((ScriptedVcpu)cpu).Step();
            return 0;
        }

        public override void Destroy(Vcpu cpu) { }

        public override void Capture(Vcpu cpu, VcpuState state)
        {
            state.Registers.Rip = cpu.Registers.Rip;
            state.Registers.Rflags = cpu.Registers.Rflags;
        }

        // The program is read again from the (forked or restored) guest memory; Rip says how far it had got.
        public override Vcpu CreateFromState(uint vmId, VcpuState state, ulong eptPointer)
        {
            var cpu = new ScriptedVcpu(ReadProgram(eptPointer & ~0xFFFUL, GuestLayoutRealModeLoad));
            cpu.Registers.Rip = state.Registers.Rip;
            cpu.Registers.Rflags = state.Registers.Rflags;
            return cpu;
        }

        public override void FlushTranslations(ulong eptPointer) { }
        public override void LoadGuestMsrs(GuestMsrs msrs) { }

        private const ulong GuestLayoutRealModeLoad = Hv.Core.Guests.GuestLayout.RealModeLoadAddress;

        public override ulong Now() => (ulong)_now;

        // Walks the 4-level EPT (SDM 28.3.2) to the guest page holding the program and reads it up to a NUL.
        private string ReadProgram(ulong pml4, ulong gpa)
        {
            var text = new StringBuilder();
            for (int i = 0; i < 4096; i++)
            {
                ulong address = gpa + (ulong)i;
                ulong table = pml4;
                for (int level = 3; level >= 1; level--)
                {
                    int index = (int)((address >> (12 + 9 * level)) & 0x1FF);
                    table = BitConverter.ToUInt64(_pages.Page(table).Slice(index * 8, 8)) & 0x000FFFFFFFFFF000UL;
                }
                ulong leaf = BitConverter.ToUInt64(_pages.Page(table).Slice((int)((address >> 12) & 0x1FF) * 8, 8)) & 0x000FFFFFFFFFF000UL;
                byte b = _pages.Page(leaf)[(int)(address & 0xFFF)];
                if (b == 0) break;
                text.Append((char)b);
            }
            return text.ToString();
        }

        // Registers.Rip is the index of the next step of the program, so capture and restore are exact.
        private sealed class ScriptedVcpu : Vcpu
        {
            private readonly List<(uint Reason, ulong Qualification, ulong Rax)> _steps = new();
            private readonly Dictionary<uint, ulong> _fields = new();
            private readonly bool _spins;
            private const uint PauseStep = uint.MaxValue;
            private DateTime? _pauseEnds;

            public ScriptedVcpu(string program)
            {
                foreach (string raw in program.Split('\n'))
                {
                    string line = raw.Trim();
                    if (line.StartsWith("say ")) foreach (char c in line.Substring(4) + "\n") _steps.Add((30, Out(0x3F8), c));
                    else if (line.StartsWith("exit ")) _steps.Add((30, Out(0xF4), ulong.Parse(line.Substring(5))));
                    else if (line == "hlt") _steps.Add((12, 0, 0));
                    else if (line == "ready") _steps.Add((18, 0, 4));
                    else if (line == "spin") _spins = true;
                    else if (line.StartsWith("pause ")) _steps.Add((PauseStep, 0, ulong.Parse(line.Substring(6))));
                }
                Registers.Rflags = 0x202;
                _fields[VmcsField.ExitInstructionLength] = 0; // AdvanceRip must not move the step index
                _fields[VmcsField.GuestCr0] = 0x10;
            }

            // OUT DX, AL: byte size, direction out, port in bits 31:16 (SDM Vol. 3C Table 28-5).
            private static ulong Out(ushort port) => (ulong)port << 16;

            public void Step()
            {
                int index = (int)Registers.Rip;
                var (reason, qualification, rax) = index < _steps.Count ? _steps[index] : (_spins ? 52u : 12u, 0UL, 0UL);
                if (reason == PauseStep)
                {
                    // Busy for a while, like hello.asm's delay loop: time slices end (preemption exits) until the pause is over.
                    _pauseEnds ??= DateTime.UtcNow.AddMilliseconds(rax);
                    if (DateTime.UtcNow < _pauseEnds)
                    {
                        _fields[VmcsField.ExitReason] = 52;
                        return;
                    }
                    _pauseEnds = null;
                    Registers.Rip++;
                    Step();
                    return;
                }
                if (index < _steps.Count) Registers.Rip++;
                if (reason == 12 && index >= _steps.Count - 1 && !_spins) Registers.Rflags = 0x2; // a final HLT with IF clear
                _fields[VmcsField.ExitReason] = reason;
                _fields[VmcsField.ExitQualification] = qualification;
                Registers.Rax = rax;
            }

            public override ulong ReadField(uint encoding) => _fields.TryGetValue(encoding, out ulong v) ? v : 0;
            public override void WriteField(uint encoding, ulong value) => _fields[encoding] = value;
            public override ulong ReadHostTsc() => 0;
        }
    }
}
