using System;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Core.Vmx.Handlers;

namespace Hv.Core.Tests
{
    /// <summary>
    /// The exit paths whose input a guest controls, fed a million seeded random cases each through the standard
    /// dispatcher: hypercall registers, I/O qualifications and values (through the VM's port devices), and EPT
    /// violations (the only MMIO path: guest-physical address and access bits). Nothing may throw; an exit either
    /// resumes the guest with its instruction completed or stops the VM with a stop reason a person can read.
    /// </summary>
    public class GuestParserFuzzTests
    {
        private const int Cases = 1_000_000;
        private const ulong Memory = 64 * 1024;
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
        private readonly CharBufferSink _text = new CharBufferSink(256);
        private VirtualMachine _vm;
        private int _stops;
        private readonly CowPages _pages;
        private readonly PageSharing _sharing;

        public GuestParserFuzzTests()
        {
            _pages = new CowPages { ReuseFreed = true };
            _sharing = _pages.NewSharing();
        }

        // Mostly small or edge values, sometimes anything: where parsers break.
        private static ulong Value(Random random)
        {
            switch (random.Next(6))
            {
                case 0: return (ulong)random.Next(16);
                case 1: return (ulong)random.Next(0x2_0000);
                case 2: return ulong.MaxValue - (ulong)random.Next(16);
                case 3: return 1UL << random.Next(64);
                case 4: return Memory - (ulong)random.Next(1, 8192);
                default: return (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33);
            }
        }

        private static FakeVcpu Cpu(Random random, ExitReason reason, ulong qualification)
        {
            var cpu = new FakeVcpu(reason, qualification, (ulong)random.Next(1, 16));
            cpu.Registers.Rip = 0x1000;
            cpu.Fields[VmcsField.GuestSsAccessRights] = random.Next(8) == 0 ? 0x93UL | (3UL << 5) : 0x93UL;
            cpu.Fields[VmcsField.GuestPhysicalAddress] = Value(random);
            cpu.Registers.Rax = Value(random);
            cpu.Registers.Rbx = Value(random);
            cpu.Registers.Rcx = Value(random);
            cpu.Registers.Rdx = Value(random);
            return cpu;
        }

        // One exit: it must not throw; a resumed guest is still running, a stopped one has words for why.
        private ExitAction Exit(FakeVcpu cpu)
        {
            // One page pool and one sharing map for every VM of the run (a fresh 4 GiB sharing map per VM made the
            // million-case runs take many minutes); the pool hands freed pages out again.
            _vm ??= TestVm.Running(1, Memory, _pages, _sharing);
            ExitAction action = _dispatcher.Dispatch(_vm, cpu);
            if (action == ExitAction.Stop || _vm.State != VmState.Running)
            {
                Assert.Equal(VmState.Stopped, _vm.State);
                Assert.NotEqual(StopCause.None, _vm.StopCause);
                _text.Clear();
                StopCauses.Describe(_text, _vm.StopCause, _vm.StopDetail, _vm.StopAccess);
                Assert.True(_text.Length > 0 && !_text.Overflowed, _text.ToString());
                _vm.ReleaseResources();
                _vm = null;
                _stops++;
            }
            return action;
        }

        [Fact]
        public void A_million_hypercalls_with_random_registers()
        {
            var random = new Random(0x5EED_0001);
            for (int i = 0; i < Cases; i++)
            {
                FakeVcpu cpu = Cpu(random, ExitReason.Vmcall, 0);
                if (random.Next(2) == 0) cpu.Registers.Rax = (ulong)random.Next(9); // the defined functions, often
                ulong function = cpu.Registers.Rax, length = cpu.Registers.Rcx;
                bool user = cpu.Fields[VmcsField.GuestSsAccessRights] != 0x93UL;
                ulong consoleBefore = _vm == null ? 0 : _vm.Counters.ConsoleBytes;
                ExitAction action = Exit(cpu);
                if (action == ExitAction.Stop)
                {
                    Assert.True(function == HypercallHandler.Exit && !user, $"case {i}: function {function} stopped the VM");
                    continue;
                }
                Assert.Equal(0x1000UL + cpu.ReadField(VmcsField.ExitInstructionLength), cpu.Registers.Rip);
                ulong result = cpu.Registers.Rax;
                if (user) Assert.Equal(HypercallHandler.PermissionDenied, result);
                else if (function == HypercallHandler.ConsoleWrite)
                {
                    Assert.True(result == HypercallHandler.Success || result == HypercallHandler.BadAddress || result == HypercallHandler.InvalidArgument);
                    if (length > HypercallHandler.MaxConsoleWrite) Assert.Equal(HypercallHandler.InvalidArgument, result);
                    ulong written = _vm.Counters.ConsoleBytes - consoleBefore;
                    Assert.Equal(result == HypercallHandler.Success ? length : 0, written);
                }
                else if (function > HypercallHandler.RaiseInterrupt || function == 0) Assert.Equal(HypercallHandler.UnknownFunction, result);
            }
        }

        [Fact]
        public void A_million_port_accesses_with_random_qualifications_and_values()
        {
            var random = new Random(0x5EED_0002);
            for (int i = 0; i < Cases; i++)
            {
                // Bits 2:0 size, 3 direction, 4 string, 5 rep, 6 immediate, 31:16 port; the rest reserved, set at times.
                ulong qualification = (ulong)random.Next(0x80) | ((ulong)PortOf(random) << 16);
                if (random.Next(16) == 0) qualification |= (ulong)random.NextInt64() & ~0xFFFF_007FUL;
                FakeVcpu cpu = Cpu(random, ExitReason.IoInstruction, qualification);
                ulong rax = cpu.Registers.Rax;
                ExitAction action = Exit(cpu);
                if (action != ExitAction.Stop)
                {
                    Assert.Equal(0x1000UL + cpu.ReadField(VmcsField.ExitInstructionLength), cpu.Registers.Rip);
                    IoQualification io = IoQualification.Decode(qualification);
                    if (io.IsIn && io.Size < 4) Assert.Equal(rax >> (8 * io.Size), cpu.Registers.Rax >> (8 * io.Size));
                    if (io.IsIn && io.Size == 4) Assert.Equal(0UL, cpu.Registers.Rax >> 32);
                    if (!io.IsIn) Assert.Equal(rax, cpu.Registers.Rax);
                }
            }
            Assert.True(_stops > 0, "string I/O, bad sizes and the debug-exit port stop the VM");
        }

        // The ports with devices behind them (the UART at 0x3F8, the debug exit at 0xF4) and their neighbours, often.
        private static ushort PortOf(Random random)
        {
            switch (random.Next(4))
            {
                case 0: return (ushort)(0x3F8 + random.Next(-2, 10));
                case 1: return (ushort)(0xF4 + random.Next(-1, 2));
                case 2: return (ushort)(0xCF8 + random.Next(8));
                default: return (ushort)random.Next(0x10000);
            }
        }

        [Fact]
        public void A_million_ept_violations_at_random_addresses_with_random_access_bits()
        {
            var random = new Random(0x5EED_0003);
            int resolved = 0;
            for (int i = 0; i < Cases; i++)
            {
                // Bits 0-2 the access, 3-5 the EPT entry's permissions, 7-8 linear-address validity, and more.
                FakeVcpu cpu = Cpu(random, ExitReason.EptViolation, (ulong)random.Next(0x2000));
                ulong gpa = cpu.ReadField(VmcsField.GuestPhysicalAddress);
                ExitAction action = Exit(cpu);
                if (action == ExitAction.Resume)
                {
                    Assert.True(gpa < Memory, $"case {i}: a write at {gpa:X} outside RAM was resumed");
                    resolved++;
                }
            }
            Assert.True(_stops > 0, $"{resolved} resumed, {_stops} stops");
        }
    }
}
