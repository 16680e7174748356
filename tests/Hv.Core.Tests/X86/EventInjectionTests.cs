using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Core.Vmx.Handlers;
using Xunit;

namespace Hv.Core.Tests.X86
{
    public class EventInjectionTests
    {
        private const ulong IfSet = 0x202, IfClear = 0x2;

        [Theory]
        [InlineData(-1, IfSet, 0UL, false, InjectionDecision.Nothing)]
        [InlineData(0x40, IfSet, 0UL, false, InjectionDecision.InjectNow)]
        [InlineData(0x40, IfClear, 0UL, false, InjectionDecision.RequestWindow)]
        [InlineData(0x40, IfSet, 1UL, false, InjectionDecision.RequestWindow)]  // STI shadow
        [InlineData(0x40, IfSet, 2UL, false, InjectionDecision.RequestWindow)]  // MOV SS shadow
        [InlineData(0x40, IfSet, 8UL, false, InjectionDecision.InjectNow)]      // NMI blocking does not block interrupts
        [InlineData(0x40, IfSet, 0UL, true, InjectionDecision.RequestWindow)]   // another event goes first
        public void PolicyFollowsIfShadowAndQueuedEvents(int vector, ulong rflags, ulong interruptibility, bool queued, InjectionDecision expected)
        {
            Assert.Equal(expected, InterruptInjector.Decide(vector, rflags, interruptibility, queued));
        }

        [Theory]
        [InlineData(0UL, false, true)]
        [InlineData(1UL, false, false)]  // STI shadow
        [InlineData(2UL, false, false)]  // MOV SS shadow
        [InlineData(8UL, false, false)]  // the previous NMI's handler has not returned
        [InlineData(0UL, true, false)]   // another event goes first
        public void NmisIgnoreIfButNotShadowsNmiBlockingOrQueuedEvents(ulong interruptibility, bool queued, bool expected)
        {
            Assert.Equal(expected, InterruptInjector.CanInjectNmi(interruptibility, queued));
        }

        [Fact]
        public void RequestedInterruptsComeHighestFirstAndOnce()
        {
            var source = new RequestedInterrupts();
            Assert.False(source.Raise(31));
            Assert.False(source.Raise(256));
            Assert.True(source.Raise(0x30));
            Assert.True(source.Raise(0xF0));
            Assert.True(source.Raise(0x30));
            Assert.Equal(0xF0, source.PendingVector());
            source.Acknowledge(0xF0);
            Assert.Equal(0x30, source.PendingVector());
            source.Acknowledge(0x30);
            Assert.Equal(-1, source.PendingVector());
        }

        private static (VirtualMachine, FakeVcpu, ExitDispatcher) Hypercall(ulong vector, ulong rflags)
        {
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(ExitReason.Vmcall, 0, 3);
            cpu.Registers.Rax = HypercallHandler.RaiseInterrupt;
            cpu.Registers.Rbx = vector;
            cpu.Registers.Rflags = rflags;
            return (vm, cpu, ExitDispatcher.CreateStandard(new TableCpuidSource()));
        }

        [Fact]
        public void ARaisedVectorIsInjectedAtOnceWhenInterruptsAreOn()
        {
            var (vm, cpu, dispatcher) = Hypercall(0x41, IfSet);
            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(0UL, cpu.Registers.Rax);
            Assert.Equal(0x8000_0041UL, cpu.ReadField(VmcsField.EntryInterruptionInfo)); // valid, external, vector 0x41
            Assert.Equal(1UL, vm.Counters.InjectedInterrupts);
            Assert.Equal(-1, vm.Interrupts.PendingVector());
        }

        [Fact]
        public void WithInterruptsOffAWindowIsRequestedAndTheWindowExitInjects()
        {
            var (vm, cpu, dispatcher) = Hypercall(0x41, IfClear);
            cpu.Fields[VmcsField.ProcessorBasedControls] = 0x8000_0000;
            dispatcher.Dispatch(vm, cpu);
            Assert.False(cpu.HasPendingEvent);
            Assert.Equal(0x8000_0004UL, cpu.ReadField(VmcsField.ProcessorBasedControls));

            // The guest executes STI; ...; the CPU exits for the interrupt window.
            cpu.Fields[VmcsField.ExitReason] = (ulong)ExitReason.InterruptWindow;
            cpu.Registers.Rflags = IfSet;
            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(0x8000_0000UL, cpu.ReadField(VmcsField.ProcessorBasedControls));
            Assert.True(cpu.HasPendingEvent);
            Assert.Equal(0x41, cpu.PendingVector);
        }

        [Fact]
        public void BadVectorsAreRefused()
        {
            var (vm, cpu, dispatcher) = Hypercall(14, IfSet);
            dispatcher.Dispatch(vm, cpu);
            Assert.Equal(HypercallHandler.InvalidArgument, cpu.Registers.Rax);
            Assert.False(cpu.HasPendingEvent);
        }

        [Fact]
        public void AnEventInterruptedByAnExitIsReinjectedWithErrorCodeAndLength()
        {
            VirtualMachine vm = TestVm.Running();
            var dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            // A #PF (vector 14, hardware exception, error code 6) whose delivery hit an exit; bit 12 must not be copied.
            var cpu = new FakeVcpu(ExitReason.InterruptWindow, 0, 0);
            cpu.Fields[VmcsField.IdtVectoringInfo] = 0x8000_1B0E;
            cpu.Fields[VmcsField.IdtVectoringErrorCode] = 6;
            dispatcher.Dispatch(vm, cpu);
            Assert.Equal(0x8000_0B0EUL, cpu.ReadField(VmcsField.EntryInterruptionInfo));
            Assert.Equal(6UL, cpu.ReadField(VmcsField.EntryExceptionErrorCode));

            // A software interrupt (INT 0x80, type 4) keeps its instruction length; a pending interrupt waits behind it.
            vm.RequestedInterrupts.Raise(0x50);
            cpu = new FakeVcpu(ExitReason.InterruptWindow, 0, 2);
            cpu.Fields[VmcsField.IdtVectoringInfo] = 0x8000_0480;
            dispatcher.Dispatch(vm, cpu);
            Assert.Equal(0x8000_0480UL, cpu.ReadField(VmcsField.EntryInterruptionInfo));
            Assert.Equal(2UL, cpu.ReadField(VmcsField.EntryInstructionLength));
            Assert.Equal(0x50, vm.Interrupts.PendingVector());
            Assert.Equal(4UL, cpu.ReadField(VmcsField.ProcessorBasedControls) & 4);
        }

        [Fact]
        public void TheQueuedEventIsPartOfTheCapturedState()
        {
            Assert.Contains(VmcsField.EntryInterruptionInfo, VcpuState.Fields);
            Assert.Contains(VmcsField.EntryExceptionErrorCode, VcpuState.Fields);
            Assert.Contains(VmcsField.EntryInstructionLength, VcpuState.Fields);
        }
    }
}
