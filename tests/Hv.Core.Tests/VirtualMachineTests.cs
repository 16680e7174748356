using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class VirtualMachineTests
    {
        private static VirtualMachine Create() => TestVm.Created(1);

        [Fact]
        public void FullLifecycle()
        {
            var vm = Create();
            Assert.Equal(VmState.Created, vm.State);
            Assert.Equal(VmTransitionStatus.Ok, vm.Start());
            Assert.Equal(VmState.Running, vm.State);
            Assert.Equal(VmTransitionStatus.Ok, vm.Pause());
            Assert.Equal(VmState.Paused, vm.State);
            Assert.Equal(VmTransitionStatus.Ok, vm.Resume());
            Assert.Equal(VmTransitionStatus.Ok, vm.Pause());
            Assert.Equal(VmTransitionStatus.Ok, vm.StopWithExitCode(StopCause.DebugExit, 3));
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal(StopReason.GuestExit, vm.StopReason);
            Assert.Equal("debug-exit", TestVm.StopText(vm));
            Assert.Equal(3UL, vm.ExitCode);
            Assert.Equal(VmTransitionStatus.Ok, vm.Remove());
            Assert.Equal(VmState.Removed, vm.State);
        }

        [Fact]
        public void InvalidTransitionsChangeNothing()
        {
            var vm = Create();
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Pause());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Resume());
            Assert.Equal(VmState.Created, vm.State);

            vm.Start();
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Start());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Resume());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Remove());
            Assert.Equal(VmState.Running, vm.State);

            vm.StopWithExitCode(StopCause.ExitHypercall, 1);
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Stop(StopCause.TripleFault));
            Assert.Equal(StopCause.ExitHypercall, vm.StopCause);
            Assert.Equal("guest exit hypercall", TestVm.StopText(vm));
            Assert.Equal(1UL, vm.ExitCode);
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Start());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Resume());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Pause());
            Assert.Equal(VmState.Stopped, vm.State);

            vm.Remove();
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Remove());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Stop(StopCause.Forced));
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Start());
            Assert.Equal(VmState.Removed, vm.State);
        }

        [Fact]
        public void CreatedVmMayBeStoppedOrRemovedDirectly()
        {
            var a = Create();
            Assert.Equal(VmTransitionStatus.Ok, a.Stop(StopCause.Requested));
            var b = Create();
            Assert.Equal(VmTransitionStatus.Ok, b.Remove());
        }

        [Fact]
        public void IdentityIsKept()
        {
            var vm = TestVm.Created(42, 256UL << 20);
            Assert.Equal(42u, vm.Id);
            Assert.Equal("vm42", vm.Name);
            Assert.Equal(256UL << 20, vm.MemorySize);
            Assert.Equal(StopCause.None, vm.StopCause);
            Assert.Equal(StopReason.None, vm.StopReason);
            Assert.Equal("", TestVm.StopText(vm));
            Assert.False(vm.Ready);
        }
    }
}
