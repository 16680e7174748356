using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>
    /// A removed VM's record is freed and a later VM in its slot gets a new one (the image's heap may hand it the same
    /// memory): nothing of the old VM may carry over.
    /// </summary>
    public class RecycledVmTests
    {
        [Fact]
        public void A_vm_in_a_freed_slot_has_nothing_of_the_old_one()
        {
            var table = new VmTable(4);
            VirtualMachine vm = table.Add("old");
            vm.Start();
            vm.Ports.Out(0x3FF, 1, 0x5A);                  // UART scratch register
            vm.Ports.Out(0x3FB, 1, 0x80);                  // DLAB on
            vm.Ports.Out(0x3F8, 1, 0x01);                  // divisor 1
            vm.Console.WriteOutput(System.Text.Encoding.ASCII.GetBytes("old secret"));
            vm.Counters.RecordExit(10);
            vm.SeedLow = 42;
            Assert.True(vm.SetCpuShare(9000, 10));
            vm.ReplaceNotes("old notes");
            vm.MarkReady();
            vm.StopWithExitCode(StopCause.DebugExit, 5);
            vm.Remove();
            table.Remove(vm);

            VirtualMachine fresh = table.Add("fresh");

            Assert.NotSame(vm, fresh);
            Assert.NotEqual(1u, fresh.Id);
            Assert.Equal("fresh", fresh.Name);
            Assert.Equal(VmState.Created, fresh.State);
            Assert.Equal(StopCause.None, fresh.StopCause);
            Assert.Equal(0UL, fresh.ExitCode);
            Assert.False(fresh.Ready);
            Assert.Null(fresh.Memory);
            Assert.Null(fresh.Cpu);
            Assert.Equal(0UL, fresh.Console.OutputEnd);
            Assert.Equal(0UL, fresh.Counters.TotalExits);
            Assert.Equal(0UL, fresh.SeedLow);
            Assert.Equal((VirtualMachine.DefaultCpuWeight, 0u), (fresh.CpuWeight, fresh.CpuCapPercent));
            Assert.Null(fresh.Notes);
            Assert.Equal(0x0Cu, fresh.Uart.Divisor);           // power-on 9600 baud
            Assert.True(fresh.Ports.In(0x3FF, 1, out uint scratch));
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

        [Fact]
        public void Cleared_msrs_show_nothing_of_the_previous_guest()
        {
            var m = new GuestMsrs { Star = 1, Lstar = 0xFFFF800000001000, Cstar = 3, Fmask = 4, KernelGsBase = 5 };
            m.Clear();
            Assert.Equal((0UL, 0UL, 0UL, 0UL, 0UL), (m.Star, m.Lstar, m.Cstar, m.Fmask, m.KernelGsBase));
        }
    }
}
