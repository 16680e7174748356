using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Core.Vmx.Handlers;

namespace Hv.Core.Tests
{
    public class HypercallTests
    {
        private readonly CowPages _pages = new CowPages();
        private readonly VirtualMachine _vm;
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());

        public HypercallTests() { _vm = TestVm.Running(5, 64 * 1024, _pages); }

        private (ExitAction action, FakeVcpu cpu) Call(ulong function, ulong rbx = 0, ulong rcx = 0, ulong ssAccessRights = 0x93)
        {
            var cpu = new FakeVcpu(ExitReason.Vmcall, 0, 3);
            cpu.Fields[VmcsField.GuestSsAccessRights] = ssAccessRights;
            cpu.Registers.Rax = function;
            cpu.Registers.Rbx = rbx;
            cpu.Registers.Rcx = rcx;
            return (_dispatcher.Dispatch(_vm, cpu), cpu);
        }

        [Fact]
        public void ConsoleWriteCopiesGuestBytes()
        {
            Assert.True(_vm.Memory.Write(0x2000, System.Text.Encoding.ASCII.GetBytes("hello guest")));
            var (action, cpu) = Call(HypercallHandler.ConsoleWrite, 0x2000, 11);
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal(HypercallHandler.Success, cpu.Registers.Rax);
            Assert.Equal(0x1003UL, cpu.Registers.Rip);
            Assert.Equal("hello guest", TestVm.ConsoleText(_vm));
            Assert.Equal(11UL, _vm.Counters.ConsoleBytes);
        }

        [Fact]
        public void SeedAndMacAddressAreTheVmsOwn()
        {
            _vm.SeedLow = 0x1111; _vm.SeedHigh = 0x2222; _vm.MacAddress = 0x02AB_CDEF_0123;
            var (_, seed) = Call(HypercallHandler.GetSeed);
            Assert.Equal((0x1111UL, 0x2222UL), (seed.Registers.Rax, seed.Registers.Rdx));
            var (_, mac) = Call(HypercallHandler.GetMacAddress);
            Assert.Equal(0x02AB_CDEF_0123UL, mac.Registers.Rax);
        }

        [Fact]
        public void ReadyEndsTheTimeSliceSoAPrimedTemplateIsCapturedThere()
        {
            var (action, cpu) = Call(HypercallHandler.Ready);
            Assert.Equal(ExitAction.Yield, action);
            Assert.True(_vm.Ready);
            Assert.Equal(0x1003UL, cpu.Registers.Rip);
        }

        [Fact]
        public void ConsoleWriteOfExactlyTheLimitIsAllowed()
        {
            var (_, cpu) = Call(HypercallHandler.ConsoleWrite, 0, HypercallHandler.MaxConsoleWrite);
            Assert.Equal(HypercallHandler.Success, cpu.Registers.Rax);
            Assert.Equal(4096UL, _vm.Console.OutputEnd);
        }

        [Theory]
        [InlineData(4097UL)]
        [InlineData(ulong.MaxValue)]
        [InlineData(0x1_0000_0010UL)] // would truncate to 16 as an int
        public void ConsoleWriteRejectsOversizeLengthWithoutReading(ulong length)
        {
            long accesses = _pages.PageAccesses;
            var (action, cpu) = Call(HypercallHandler.ConsoleWrite, 0, length);
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal(HypercallHandler.InvalidArgument, cpu.Registers.Rax);
            Assert.Equal(accesses, _pages.PageAccesses);
            Assert.Equal(0UL, _vm.Console.OutputEnd);
        }

        [Theory]
        [InlineData(64 * 1024 - 10UL, 11UL)]        // straddles the end of guest memory
        [InlineData(1UL << 40, 1UL)]                // far outside
        [InlineData(ulong.MaxValue - 1, 4UL)]       // wraps
        public void ConsoleWriteOutsideGuestMemoryWritesNothing(ulong gpa, ulong length)
        {
            var (_, cpu) = Call(HypercallHandler.ConsoleWrite, gpa, length);
            Assert.Equal(HypercallHandler.BadAddress, cpu.Registers.Rax);
            Assert.Equal(0UL, _vm.Console.OutputEnd);
        }

        [Fact]
        public void ConsoleWriteWithoutGuestMemoryIsBadAddress()
        {
            var vm = TestVm.Running(1);
            var cpu = new FakeVcpu(ExitReason.Vmcall, 0, 3);
            cpu.Registers.Rax = HypercallHandler.ConsoleWrite;
            cpu.Registers.Rcx = 1;
            _dispatcher.Dispatch(vm, cpu);
            Assert.Equal(HypercallHandler.BadAddress, cpu.Registers.Rax);
        }

        [Fact]
        public void ExitStopsWithTheCode()
        {
            var (action, cpu) = Call(HypercallHandler.Exit, 0x1_0000_0007);
            Assert.Equal(ExitAction.Stop, action);
            Assert.Equal(VmState.Stopped, _vm.State);
            Assert.Equal(0x1_0000_0007UL, _vm.ExitCode);
            Assert.Equal(0x1000UL, cpu.Registers.Rip);
        }

        [Fact]
        public void GetVmIdAndReady()
        {
            var (_, cpu) = Call(HypercallHandler.GetVmId);
            Assert.Equal(5UL, cpu.Registers.Rax);
            Assert.False(_vm.Ready);
            (_, cpu) = Call(HypercallHandler.Ready);
            Assert.Equal(HypercallHandler.Success, cpu.Registers.Rax);
            Assert.True(_vm.Ready);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(8UL)]
        [InlineData(0x100000001UL)]
        public void UnknownFunctionReturnsAllOnes(ulong function)
        {
            var (action, cpu) = Call(function);
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal(ulong.MaxValue, cpu.Registers.Rax);
            Assert.Equal(0x1003UL, cpu.Registers.Rip);
        }

        [Fact]
        public void UserModeCallsAreRefused()
        {
            var (action, cpu) = Call(HypercallHandler.Exit, 1, 0, 0xF3); // SS.DPL = 3
            Assert.Equal(ExitAction.Resume, action);
            Assert.Equal(HypercallHandler.PermissionDenied, cpu.Registers.Rax);
            Assert.Equal(VmState.Running, _vm.State);
        }
    }
}
