using Hv.Core.Devices;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class IoInstructionTests
    {
        private static ulong Qualification(ushort port, int size, bool isIn, bool isString = false, bool rep = false, bool immediate = false)
        {
            ulong q = (ulong)port << 16;
            q |= size == 1 ? 0UL : size == 2 ? 1UL : 3UL;
            if (isIn) q |= 1 << 3;
            if (isString) q |= 1 << 4;
            if (rep) q |= 1 << 5;
            if (immediate) q |= 1 << 6;
            return q;
        }

        [Fact]
        public void DecodesEveryField()
        {
            IoQualification io = IoQualification.Decode(Qualification(0x3F8, 2, true, true, true, true));
            Assert.True(io.IsValid);
            Assert.Equal(2, io.Size);
            Assert.True(io.IsIn);
            Assert.True(io.IsString);
            Assert.True(io.IsRep);
            Assert.True(io.IsImmediate);
            Assert.Equal(0x3F8, io.Port);

            io = IoQualification.Decode(Qualification(0xF4, 4, false));
            Assert.Equal(4, io.Size);
            Assert.False(io.IsIn || io.IsString || io.IsRep || io.IsImmediate);
            Assert.Equal(0xF4, io.Port);
            Assert.Equal(1, IoQualification.Decode(0).Size);
        }

        [Theory]
        [InlineData(2UL)]
        [InlineData(4UL)]
        [InlineData(7UL)]
        public void UndefinedSizeEncodingsAreInvalid(ulong sizeField)
        {
            Assert.False(IoQualification.Decode(sizeField).IsValid);
        }

        private static (ExitAction action, FakeVcpu cpu, VirtualMachine vm) Run(ulong qualification, ulong rax, VirtualMachine vm = null)
        {
            vm ??= TestVm.Running();
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            var cpu = new FakeVcpu(ExitReason.IoInstruction, qualification, 1);
            cpu.Registers.Rax = rax;
            return (dispatcher.Dispatch(vm, cpu), cpu, vm);
        }

        [Fact]
        public void OutByteReachesTheUartConsole()
        {
            var (action, cpu, vm) = Run(Qualification(0x3F8, 1, false), 0x1234_5641);
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal("A", TestVm.ConsoleText(vm));
            Assert.Equal(0x1001UL, cpu.Registers.Rip);
            Assert.Equal(1UL, vm.Counters.IoExits);
            Assert.Equal(1UL, vm.Counters.ConsoleBytes);
        }

        [Fact]
        public void InByteMergesIntoAl()
        {
            var (_, cpu, _) = Run(Qualification(0x3FD, 1, true), 0xAAAA_BBBB_CCCC_DDDD);
            Assert.Equal(0xAAAA_BBBB_CCCC_DD60UL, cpu.Registers.Rax);
        }

        [Fact]
        public void InWordMergesIntoAxAndDwordZeroExtends()
        {
            var (_, word, _) = Run(Qualification(0x80, 2, true), 0xAAAA_BBBB_CCCC_DDDD);
            Assert.Equal(0xAAAA_BBBB_CCCC_FFFFUL, word.Registers.Rax);
            var (_, dword, vm) = Run(Qualification(0x80, 4, true), 0xAAAA_BBBB_CCCC_DDDD);
            Assert.Equal(0xFFFF_FFFFUL, dword.Registers.Rax);
            Assert.Equal(1UL, vm.Counters.UnhandledPortAccesses);
        }

        [Fact]
        public void UnhandledOutIsCountedAndCompletes()
        {
            var (action, cpu, vm) = Run(Qualification(0x80, 1, false), 0x12);
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal(0x1001UL, cpu.Registers.Rip);
            Assert.Equal(1UL, vm.Counters.UnhandledPortAccesses);
        }

        [Fact]
        public void DebugExitStopsWithoutCompletingTheInstruction()
        {
            var (action, cpu, vm) = Run(Qualification(DebugExitPort.DefaultPort, 4, false, immediate: true), 0xFFFF_FFFF_0000_002A);
            Assert.Equal(ExitAction.Stop, action);
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal(42UL, vm.ExitCode);
            Assert.Equal(0x1000UL, cpu.Registers.Rip);
        }

        [Fact]
        public void InvalidSizeStops()
        {
            var (action, _, vm) = Run(2, 0);
            Assert.Equal(ExitAction.Stop, action);
            Assert.Equal("i/o exit with invalid size", TestVm.StopText(vm));
        }
    }
}
