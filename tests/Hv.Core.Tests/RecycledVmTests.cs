using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests
{
    /// <summary>A removed VM's record is reused for the next one (no GC in the image): nothing may carry over.</summary>
    public class RecycledVmTests
    {
        [Fact]
        public void Reuse_gives_a_brand_new_vm_with_nothing_of_the_old_one()
        {
            var vm = TestVm.Running(3);
            vm.Ports.Out(0x3FF, 1, 0x5A);                  // UART scratch register
            vm.Ports.Out(0x3FB, 1, 0x80);                  // DLAB on
            vm.Ports.Out(0x3F8, 1, 0x01);                  // divisor 1
            vm.Console.WriteOutput(System.Text.Encoding.ASCII.GetBytes("old secret"));
            vm.Counters.RecordExit(10);
            vm.Msrs.Lstar = 0xFFFF800000001000;
            vm.SeedLow = 42;
            vm.MarkReady();
            vm.Stop("done", 5);

            vm.Reuse(9, "fresh", 2 << 20, null);

            Assert.Equal(9u, vm.Id);
            Assert.Equal("fresh", vm.Name);
            Assert.Equal(VmState.Created, vm.State);
            Assert.Null(vm.StopReason);
            Assert.Equal(0UL, vm.ExitCode);
            Assert.False(vm.Ready);
            Assert.Equal(0UL, vm.Console.OutputEnd);
            Assert.Equal(0UL, vm.Counters.TotalExits);
            Assert.Equal(0UL, vm.Msrs.Lstar);
            Assert.Equal(0UL, vm.SeedLow);
            Assert.Equal(0x0Cu, vm.Uart.Divisor);           // power-on 9600 baud
            Assert.True(vm.Ports.In(0x3FF, 1, out uint scratch));
            Assert.Equal(0u, scratch);
        }

        [Fact]
        public void Cleared_registers_show_nothing_of_the_previous_guest()
        {
            var r = new GuestRegisters { Rax = 1, Rcx = 2, R15 = 3, Rip = 4, Rflags = 5 };
            r.Clear();
            var zero = new GuestRegisters();
            Assert.Equal((zero.Rax, zero.Rcx, zero.R15, zero.Rip, zero.Rflags), (r.Rax, r.Rcx, r.R15, r.Rip, r.Rflags));
        }
    }
}
