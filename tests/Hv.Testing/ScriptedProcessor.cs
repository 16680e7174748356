using System;
using System.Text;
using System.Threading;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;

namespace Hv.Testing
{
    /// <summary>
    /// The host processor for .NET tests: its vCPUs (<see cref="ScriptedVcpu"/>) do not execute x86 code but read a small
    /// text program from their guest memory (at the real-mode load address, through the VM's EPT, so the real loader and
    /// EPT are used) and turn each step into the VM exit real hardware would produce. Everything after the exit
    /// (dispatch, devices, counters, copy-on-write) is the real code. Its clock, the host's time, advances one
    /// millisecond (<see cref="TicksPerMillisecond"/> ticks) per guest entry.
    /// </summary>
    public sealed class ScriptedProcessor : HostProcessor
    {
        public const ulong TicksPerMillisecond = 1000;

        private readonly PageSource _pages;
        private long _now;

        public ScriptedProcessor(PageSource pages) { _pages = pages; }

        /// <summary>A template image holding <paramref name="text"/> (see <see cref="ScriptedVcpu"/> for the steps).</summary>
        public static byte[] Program(string text) => Encoding.ASCII.GetBytes(text + "\0");

        public override Vcpu CreateVcpu(GuestEntryState entry, ulong eptPointer, ushort vpid)
            => new ScriptedVcpu(this, _pages, eptPointer & ~0xFFFUL);

        // The program is read again from the (forked or restored) guest memory; Rip says how far it had got.
        public override Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid)
        {
            var cpu = new ScriptedVcpu(this, _pages, eptPointer & ~0xFFFUL);
            cpu.Registers.CopyFrom(state.Registers);
            cpu.Msrs.CopyFrom(state.Msrs);
            return cpu;
        }

        public override void FlushTranslations(ulong eptPointer) { }

        public override ulong Now() => (ulong)Interlocked.Read(ref _now);

        internal void Tick() => Advance(TicksPerMillisecond);

        /// <summary>Moves the clock on (a test's time passing).</summary>
        public void Advance(ulong ticks) => Interlocked.Add(ref _now, (long)ticks);
    }
}
