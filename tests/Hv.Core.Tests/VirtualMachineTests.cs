using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class VirtualMachineTests
    {
        private static VirtualMachine Create() => new VirtualMachine(1, "a", 1 << 20, null);

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
            Assert.Equal(VmTransitionStatus.Ok, vm.Stop("user", 3));
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal("user", vm.StopReason);
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

            vm.Stop("first", 1);
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Stop("second", 2));
            Assert.Equal("first", vm.StopReason);
            Assert.Equal(1UL, vm.ExitCode);
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Start());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Resume());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Pause());
            Assert.Equal(VmState.Stopped, vm.State);

            vm.Remove();
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Remove());
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Stop("late", 0));
            Assert.Equal(VmTransitionStatus.InvalidTransition, vm.Start());
            Assert.Equal(VmState.Removed, vm.State);
        }

        [Fact]
        public void CreatedVmMayBeStoppedOrRemovedDirectly()
        {
            var a = Create();
            Assert.Equal(VmTransitionStatus.Ok, a.Stop("cancelled", 0));
            var b = Create();
            Assert.Equal(VmTransitionStatus.Ok, b.Remove());
        }

        [Fact]
        public void IdentityIsKept()
        {
            var vm = new VirtualMachine(42, "web", 256UL << 20, null);
            Assert.Equal(42u, vm.Id);
            Assert.Equal("web", vm.Name);
            Assert.Equal(256UL << 20, vm.MemorySize);
            Assert.Null(vm.StopReason);
            Assert.False(vm.Ready);
        }
    }
}
