using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class CpuidPolicyTests
    {
        private static (FakeVcpu cpu, VirtualMachine vm) Run(uint leaf, uint subleaf, TableCpuidSource host, ulong cr4 = 0)
        {
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(host);
            VirtualMachine vm = TestVm.Running(9);
            var cpu = new FakeVcpu(ExitReason.Cpuid);
            cpu.Registers.Rax = 0xFFFFFFFF_00000000UL | leaf;
            cpu.Registers.Rcx = subleaf;
            cpu.Registers.Rbx = ulong.MaxValue;
            cpu.Fields[VmcsField.GuestCr4] = cr4;
            Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(0x1002UL, cpu.Registers.Rip);
            return (cpu, vm);
        }

        [Fact]
        public void Leaf1HidesVmxAndSmxAndSetsHypervisorBit()
        {
            var host = new TableCpuidSource();
            // Host: VMX, SMX, OSXSAVE, SSE3 set; hypervisor bit clear.
            host.Table[(1, 0)] = new CpuidResult(0x000906EA, 0x00100800, (1u << 5) | (1u << 6) | (1u << 27) | 1u, 0xBFEBFBFF);
            var (cpu, _) = Run(1, 0, host);
            uint ecx = (uint)cpu.Registers.Rcx;
            Assert.Equal(0u, ecx & (1u << 5));
            Assert.Equal(0u, ecx & (1u << 6));
            Assert.Equal(1u << 31, ecx & (1u << 31));
            Assert.Equal(1u, ecx & 1u); // other bits pass through
            Assert.Equal(0u, ecx & (1u << 27)); // guest CR4.OSXSAVE is clear
            Assert.Equal(0x000906EAUL, cpu.Registers.Rax);
            Assert.Equal(0xBFEBFBFFUL & CpuidAllowList.Leaf1Edx, cpu.Registers.Rdx);
            Assert.Equal(0u, (uint)cpu.Registers.Rdx & (1u << 9)); // no APIC model yet
        }

        [Fact]
        public void OsxsaveFollowsGuestCr4()
        {
            var host = new TableCpuidSource();
            host.Table[(1, 0)] = new CpuidResult(0, 0, 0, 0);
            var (cpu, _) = Run(1, 0, host, 1UL << 18);
            Assert.Equal(1UL << 27, cpu.Registers.Rcx & (1UL << 27));
        }

        [Fact]
        public void HypervisorLeafReportsSignature()
        {
            var (cpu, _) = Run(0x40000000, 0, new TableCpuidSource());
            Assert.Equal(0x40000001UL, cpu.Registers.Rax);
            var bytes = new byte[12];
            System.BitConverter.GetBytes((uint)cpu.Registers.Rbx).CopyTo(bytes, 0);
            System.BitConverter.GetBytes((uint)cpu.Registers.Rcx).CopyTo(bytes, 4);
            System.BitConverter.GetBytes((uint)cpu.Registers.Rdx).CopyTo(bytes, 8);
            Assert.Equal("HvHypervisor", System.Text.Encoding.ASCII.GetString(bytes));
        }

        [Fact]
        public void InfoLeafReportsVmIdAndAbiVersion()
        {
            var (cpu, vm) = Run(0x40000001, 0, new TableCpuidSource());
            Assert.Equal((ulong)vm.Id, cpu.Registers.Rax);
            Assert.Equal(1UL, cpu.Registers.Rbx);
            Assert.Equal(0UL, cpu.Registers.Rcx);
        }

        [Fact]
        public void RestOfHypervisorRangeIsZero()
        {
            var (cpu, _) = Run(0x40000010, 0, new TableCpuidSource());
            Assert.Equal(0UL, cpu.Registers.Rax | cpu.Registers.Rbx | cpu.Registers.Rcx | cpu.Registers.Rdx);
        }

        [Fact]
        public void OtherLeavesPassThroughWithSubleafAndClearUpperHalves()
        {
            var host = new TableCpuidSource();
            host.Table[(4, 1)] = new CpuidResult(1, 2, 3, 4);
            var (cpu, _) = Run(4, 1, host);
            Assert.Equal(1UL, cpu.Registers.Rax); // upper half of RAX cleared
            Assert.Equal(2UL, cpu.Registers.Rbx);
            Assert.Equal(3UL, cpu.Registers.Rcx);
            Assert.Equal(4UL, cpu.Registers.Rdx);
        }
    }
}
