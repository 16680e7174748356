using System;
using System.Collections.Generic;
using Hv.Core.Devices;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Xunit;

namespace Hv.Core.Tests.X86
{
    public class StringIoTests
    {
        private const ushort Port = 0x500;

        /// <summary>A port that records what it is given and answers IN with 0x11, 0x22, ... (times 0x11 per access).</summary>
        private sealed class SequencePort : PortDevice
        {
            public readonly List<(int Size, uint Value)> Written = new();
            public uint Reads;
            public override uint In(ushort offset, int size) => ++Reads * 0x1111_1111u;
            public override void Out(ushort offset, int size, uint value) => Written.Add((size, value));
        }

        private readonly SequencePort _port = new SequencePort();
        private readonly VirtualMachine _vm = TestVm.Running(memorySize: 1 << 20);
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());

        public StringIoTests()
        {
            Assert.Equal(PortMapStatus.Ok, _vm.Ports.Map(Port, 1, _port));
        }

        private static ulong Qualification(int size, bool isIn, bool rep) =>
            ((ulong)Port << 16) | (size == 1 ? 0UL : size == 2 ? 1UL : 3UL) | (isIn ? 8UL : 0) | 0x10 | (rep ? 0x20UL : 0);

        // Paging off; CS base 0, RIP 0x7000 holding the instruction; `cr0` 0x10 = real mode, 0x11 = protected.
        private FakeVcpu Cpu(string code, int size, bool isIn, bool rep, ulong csRights = 0, ulong cr0 = 0x10)
        {
            byte[] bytes = Convert.FromHexString(code.Replace(" ", ""));
            Assert.True(_vm.Memory.Write(0x7000, bytes));
            var cpu = new FakeVcpu(ExitReason.IoInstruction, Qualification(size, isIn, rep), (ulong)bytes.Length);
            cpu.Fields[VmcsField.GuestCr0] = cr0;
            cpu.Fields[VmcsField.GuestCsAccessRights] = csRights;
            cpu.Registers.Rip = 0x7000;
            _vm.Attach(_vm.Memory, cpu, null);
            return cpu;
        }

        private byte[] Ram(ulong gpa, int length)
        {
            var b = new byte[length];
            Assert.True(_vm.Memory.Read(gpa, b));
            return b;
        }

        [Fact]
        public void RepOutsbSendsEachByteAndAdvancesSiAndCx()
        {
            Assert.True(_vm.Memory.Write(0x9000, "hello"u8));
            FakeVcpu cpu = Cpu("F3 6E", 1, false, true);
            cpu.Registers.Rsi = 0x9000;
            cpu.Registers.Rcx = 5;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal("hello", string.Concat(_port.Written.ConvertAll(w => (char)w.Value)));
            Assert.Equal(0x9005UL, cpu.Registers.Rsi);
            Assert.Equal(0UL, cpu.Registers.Rcx);
            Assert.Equal(0x7002UL, cpu.Registers.Rip);
        }

        [Fact]
        public void OutsUsesASegmentOverride()
        {
            Assert.True(_vm.Memory.Write(0x3_0010, new byte[] { 0x34, 0x12 }));
            FakeVcpu cpu = Cpu("26 6F", 2, false, false); // outsw from es:si
            cpu.Fields[VmcsField.GuestEsBase] = 0x3_0000;
            cpu.Registers.Rsi = 0x10;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal((2, 0x1234u), _port.Written[0]);
            Assert.Equal(0x12UL, cpu.Registers.Rsi);
        }

        [Fact]
        public void RepInswDownwardsWithDfInThirtyTwoBitCode()
        {
            FakeVcpu cpu = Cpu("66 F3 6D", 2, true, true, csRights: 1UL << 14, cr0: 0x11); // rep insw
            cpu.Fields[VmcsField.GuestEsBase] = 0x1000;
            cpu.Registers.Rdi = 0x200;
            cpu.Registers.Rcx = 3;
            cpu.Registers.Rflags = 0x602; // DF
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(new byte[] { 0x33, 0x33, 0x22, 0x22, 0x11, 0x11 }, Ram(0x11FC, 6));
            Assert.Equal(0x1FAUL, cpu.Registers.Rdi);
            Assert.Equal(0x7003UL, cpu.Registers.Rip);
        }

        [Fact]
        public void SixteenBitAddressingWrapsAndKeepsTheUpperBits()
        {
            FakeVcpu cpu = Cpu("6C", 1, true, false); // insb
            cpu.Registers.Rdi = 0x1234_FFFF;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x11, Ram(0xFFFF, 1)[0]);
            Assert.Equal(0x1234_0000UL, cpu.Registers.Rdi);
        }

        [Fact]
        public void ALongRepRunsInBatchesAndRestartsTheInstruction()
        {
            FakeVcpu cpu = Cpu("F3 6D", 2, true, true);
            cpu.Registers.Rcx = 3000;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(3000UL - StringIoExit.MaxElementsPerExit, cpu.Registers.Rcx);
            Assert.Equal(0x7000UL, cpu.Registers.Rip); // not done: the guest re-executes it
            Assert.Equal((ulong)(2 * StringIoExit.MaxElementsPerExit), cpu.Registers.Rdi);
            while (cpu.Registers.Rcx != 0) Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(3000u, _port.Reads);
            Assert.Equal(0x7002UL, cpu.Registers.Rip);
        }

        [Fact]
        public void RepWithCountZeroDoesNothing()
        {
            FakeVcpu cpu = Cpu("F3 6E", 1, false, true);
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Empty(_port.Written);
            Assert.Equal(0x7002UL, cpu.Registers.Rip);
        }

        [Fact]
        public void AnOperandOutsideGuestMemoryStopsTheVm()
        {
            FakeVcpu cpu = Cpu("66 6D", 4, true, false, csRights: 0, cr0: 0x11); // insd in 16-bit protected mode
            cpu.Fields[VmcsField.GuestEsBase] = 0xFFF0_0000;
            Assert.Equal(ExitAction.Stop, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal("string i/o operand outside guest memory, port 0x0500", TestVm.StopText(_vm));
        }

        [Fact]
        public void LongModeOutsdGoesThroughTheGuestPageTables()
        {
            // PML4 0x1000 → PDPT 0x2000 → PD 0x3000 → PT 0x4000; linear 0x40_0000 (PD[2]) is page 0x5000.
            var entry = new byte[8];
            void Put(ulong gpa, ulong value) { LittleEndian.WriteUInt64(entry, 0, value); Assert.True(_vm.Memory.Write(gpa, entry)); }
            Put(0x1000, 0x2003); Put(0x2000, 0x3003); Put(0x3000, 0x0083); Put(0x3000 + 16, 0x4003); Put(0x4000, 0x5003);
            Assert.True(_vm.Memory.Write(0x5008, new byte[] { 0xEF, 0xBE, 0xAD, 0xDE }));
            FakeVcpu cpu = Cpu("48 6F", 4, false, false, csRights: 0xA09B, cr0: 0x8000_0011);
            cpu.Fields[VmcsField.GuestCr3] = 0x1000;
            cpu.Fields[VmcsField.GuestCr4] = 0x20;
            cpu.Fields[VmcsField.GuestIa32Efer] = 0x500;
            cpu.Fields[VmcsField.GuestDsBase] = 0x1234_0000; // ignored in 64-bit mode
            cpu.Registers.Rsi = 0x40_0008;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal((4, 0xDEAD_BEEFu), _port.Written[0]);
            Assert.Equal(0x40_000CUL, cpu.Registers.Rsi);
        }

        [Fact]
        public void FuzzedStringIoNeverCrashesTheHandler()
        {
            var random = new Random(5);
            int stopped = 0;
            for (int n = 0; n < 20_000; n++)
            {
                if (_vm.State == VmState.Stopped) { _vm.Rearm(); _vm.Start(); stopped++; }
                var code = new byte[random.Next(0, 6)];
                random.NextBytes(code);
                if (code.Length > 0 && random.Next(2) == 0) code[^1] = (byte)(0x6C + random.Next(4));
                Assert.True(_vm.Memory.Write(0x7000, code));
                var cpu = new FakeVcpu(ExitReason.IoInstruction, ((ulong)Port << 16) | (ulong)random.Next(0, 64), (ulong)code.Length);
                cpu.Fields[VmcsField.GuestCr0] = (ulong)random.Next(2) | 0x10;
                cpu.Fields[VmcsField.GuestCsAccessRights] = (ulong)random.Next(0, 0x10000);
                cpu.Fields[VmcsField.GuestEsBase] = (ulong)random.NextInt64();
                cpu.Fields[VmcsField.GuestDsBase] = (ulong)random.Next(0, 1 << 21);
                cpu.Registers.Rip = 0x7000;
                cpu.Registers.Rsi = (ulong)random.NextInt64();
                cpu.Registers.Rdi = (ulong)random.Next(0, 1 << 21);
                cpu.Registers.Rcx = (ulong)random.Next(0, 50);
                cpu.Registers.Rflags = random.Next(2) == 0 ? 0x202UL : 0x602UL;
                _vm.Attach(_vm.Memory, cpu, null);
                _dispatcher.Dispatch(_vm, cpu);
            }
            Assert.InRange(stopped, 100, 19_900); // both outcomes happen
        }
    }
}
