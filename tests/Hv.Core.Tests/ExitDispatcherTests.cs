using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class ExitDispatcherTests
    {
        private sealed class CountingHandler : ExitHandler
        {
            public int Calls;
            public ExitAction Result = ExitAction.Resume;
            public override ExitAction Handle(VirtualMachine vm, Vcpu cpu) { Calls++; return Result; }
        }

        [Fact]
        public void RoutesByBasicReasonAndCountsEveryExit()
        {
            var dispatcher = new ExitDispatcher();
            var cpuid = new CountingHandler();
            var hlt = new CountingHandler { Result = ExitAction.Yield };
            dispatcher.Register(ExitReason.Cpuid, cpuid);
            dispatcher.Register(ExitReason.Hlt, hlt);
            VirtualMachine vm = TestVm.Running();

            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, new FakeVcpu(ExitReason.Cpuid)));
            Assert.Equal(ExitAction.Yield, dispatcher.Dispatch(vm, new FakeVcpu(ExitReason.Hlt)));
            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, new FakeVcpu(ExitReason.Cpuid)));

            Assert.Equal(2, cpuid.Calls);
            Assert.Equal(1, hlt.Calls);
            Assert.Equal(3UL, vm.Counters.TotalExits);
            Assert.Equal(2UL, vm.Counters.ExitsFor((uint)ExitReason.Cpuid));
            Assert.Equal(1UL, vm.Counters.ExitsFor((uint)ExitReason.Hlt));
        }

        [Fact]
        public void UnknownReasonStopsTheVmWithTheNumber()
        {
            var dispatcher = new ExitDispatcher();
            VirtualMachine vm = TestVm.Running();
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, new FakeVcpu(ExitReason.Rdpmc)));
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal(StopCause.UnhandledExit, vm.StopCause);
            Assert.Equal(StopReason.UnhandledExit, vm.StopReason);
            Assert.Equal(15UL, vm.StopDetail);
            Assert.Equal("guest executed RDPMC (exit reason 15), not supported", TestVm.StopText(vm));
            Assert.Equal(1UL, vm.Counters.ExitsFor(15));
        }

        [Fact]
        public void ReasonOutsideTheTableStopsAndIsCounted()
        {
            var dispatcher = new ExitDispatcher();
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu();
            cpu.Fields[VmcsField.ExitReason] = 0xFFFF;
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, cpu));
            Assert.Equal("unknown exit (exit reason 65535), not supported", TestVm.StopText(vm));
            Assert.Equal(1UL, vm.Counters.UnknownReasonExits);
            Assert.False(dispatcher.Register((ExitReason)500, new CountingHandler()));
        }

        [Fact]
        public void EntryFailureBitIsMaskedOffTheBasicReason()
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu();
            cpu.Fields[VmcsField.ExitReason] = 0x80000000UL | (ulong)ExitReason.EntryFailureInvalidGuestState;
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(StopReason.HostError, vm.StopReason);
            Assert.Equal("vm-entry failed: invalid guest state", TestVm.StopText(vm));
        }

        [Fact]
        public void HandlerThatStopsTheVmAlwaysYieldsStop()
        {
            var dispatcher = new ExitDispatcher();
            dispatcher.Register(ExitReason.IoInstruction, new StopThenResume());
            VirtualMachine vm = TestVm.Running();
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, new FakeVcpu(ExitReason.IoInstruction)));
        }

        private sealed class StopThenResume : ExitHandler
        {
            public override ExitAction Handle(VirtualMachine vm, Vcpu cpu) { vm.Stop(StopCause.Requested); return ExitAction.Resume; }
        }

        [Theory]
        [InlineData(ExitReason.TripleFault, "triple fault")]
        [InlineData(ExitReason.EntryFailureMsrLoading, "vm-entry failed: msr loading")]
        public void StandardTableStopsOnFatalExits(ExitReason reason, string expected)
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, new FakeVcpu(reason)));
            Assert.Equal(expected, TestVm.StopText(vm));
        }

        [Theory]
        [InlineData(ExitReason.ExternalInterrupt)]
        [InlineData(ExitReason.VmxPreemptionTimerExpired)]
        public void StandardTableYieldsOnHostEventsWithoutMovingRip(ExitReason reason)
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(reason);
            Assert.Equal(ExitAction.Yield, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(0x1000UL, cpu.Registers.Rip);
            Assert.Equal(VmState.Running, vm.State);
        }

        [Theory]
        [InlineData(ExitReason.Vmxon)]
        [InlineData(ExitReason.Vmread)]
        [InlineData(ExitReason.Getsec)]
        public void HiddenInstructionsFaultWithInvalidOpcode(ExitReason reason)
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(reason);
            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
            Assert.True(cpu.HasPendingEvent);
            Assert.Equal(6, cpu.PendingVector);
            Assert.Equal(0x1000UL, cpu.Registers.Rip);
            Assert.Equal(1UL, vm.Counters.InjectedExceptions);
        }

        [Fact]
        public void HltYieldsAndAdvancesButStopsWithInterruptsDisabled()
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(ExitReason.Hlt, 0, 1);
            Assert.Equal(ExitAction.Yield, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(0x1001UL, cpu.Registers.Rip);

            cpu.Registers.Rflags = 0x2; // IF clear
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(StopReason.GuestHalt, vm.StopReason);
            Assert.Equal("hlt with interrupts disabled", TestVm.StopText(vm));
        }

        [Fact]
        public void EptViolationStopsWithAddressAndAccess()
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running(memorySize: 1 << 20); // the address is outside its RAM: no copy-on-write
            var cpu = new FakeVcpu(ExitReason.EptViolation, 0x2 | 0x8); // write; page was readable
            cpu.Fields[VmcsField.GuestPhysicalAddress] = 0xFEE00030;
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, cpu));
            Assert.Equal((StopCause.EptViolation, 0xFEE00030UL, 0x2UL), (vm.StopCause, vm.StopDetail, vm.StopAccess));
            Assert.Equal(StopReason.GuestFault, vm.StopReason);
            Assert.Equal("ept-violation at GPA 0xFEE00030 (write)", TestVm.StopText(vm));

            VirtualMachine vm2 = TestVm.Running();
            var fetch = new FakeVcpu(ExitReason.EptViolation, 0x5);
            fetch.Fields[VmcsField.GuestPhysicalAddress] = 0x123000;
            dispatcher.Dispatch(vm2, fetch);
            Assert.Equal("ept-violation at GPA 0x123000 (read+execute)", TestVm.StopText(vm2));
        }

        [Fact]
        public void EptMisconfigurationStopsWithAddress()
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(ExitReason.EptMisconfiguration);
            cpu.Fields[VmcsField.GuestPhysicalAddress] = 0x4000;
            dispatcher.Dispatch(vm, cpu);
            Assert.Equal("ept-misconfiguration at GPA 0x4000", TestVm.StopText(vm));
        }
    }
}
