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
    /// Program lines: <c>say TEXT</c> (print TEXT and a newline), <c>exit N</c>, <c>hlt</c>, <c>spin</c> (run forever).
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

        private sealed class ScriptedVcpu : Vcpu
        {
            private readonly Queue<(uint Reason, ulong Qualification, ulong Rax)> _exits = new();
            private readonly Dictionary<uint, ulong> _fields = new();
            private readonly bool _spins;

            public ScriptedVcpu(string program)
            {
                foreach (string raw in program.Split('\n'))
                {
                    string line = raw.Trim();
                    if (line.StartsWith("say ")) foreach (char c in line.Substring(4) + "\n") _exits.Enqueue((30, Out(0x3F8), c));
                    else if (line.StartsWith("exit ")) _exits.Enqueue((30, Out(0xF4), ulong.Parse(line.Substring(5))));
                    else if (line == "hlt") _exits.Enqueue((12, 0, 0));
                    else if (line == "spin") _spins = true;
                }
                Registers.Rflags = 0x202;
                _fields[VmcsField.ExitInstructionLength] = 1;
                _fields[VmcsField.GuestCr0] = 0x10;
            }

            // OUT DX, AL: byte size, direction out, port in bits 31:16 (SDM Vol. 3C Table 28-5).
            private static ulong Out(ushort port) => (ulong)port << 16;

            public void Step()
            {
                var (reason, qualification, rax) = _exits.Count > 0 ? _exits.Dequeue() : (_spins ? 52u : 12u, 0UL, 0UL);
                if (reason == 12 && _exits.Count == 0 && !_spins) Registers.Rflags = 0x2; // a final HLT with IF clear
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
