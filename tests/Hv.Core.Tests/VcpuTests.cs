using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class VcpuTests
    {
        [Fact]
        public void AdvanceRipUsesInstructionLengthAndEndsStiBlocking()
        {
            var cpu = new FakeVcpu(ExitReason.Hlt, 0, 1);
            cpu.Fields[VmcsField.GuestInterruptibilityState] = 0x1 | 0x8; // STI blocking + NMI blocking
            cpu.AdvanceRip();
            Assert.Equal(0x1001UL, cpu.Registers.Rip);
            Assert.Equal(0x8UL, cpu.Fields[VmcsField.GuestInterruptibilityState]); // NMI blocking untouched
        }

        [Fact]
        public void InjectExceptionEncodesHardwareExceptionPerSdm()
        {
            var cpu = new FakeVcpu();
            cpu.InjectException(6);
            Assert.Equal(0x80000306UL, cpu.Fields[VmcsField.EntryInterruptionInfo]);
            Assert.False(cpu.Fields.ContainsKey(VmcsField.EntryExceptionErrorCode));

            cpu.InjectException(13, 0x18);
            Assert.Equal(0x80000B0DUL, cpu.Fields[VmcsField.EntryInterruptionInfo]);
            Assert.Equal(0x18UL, cpu.Fields[VmcsField.EntryExceptionErrorCode]);
        }

        [Fact]
        public void RealModeExceptionsCarryNoErrorCode()
        {
            var cpu = new FakeVcpu();
            cpu.Fields[VmcsField.GuestCr0] = 0x10; // PE clear (unrestricted guest in real mode)
            cpu.InjectException(13, 0);
            Assert.Equal(0x8000030DUL, cpu.Fields[VmcsField.EntryInterruptionInfo]);
            Assert.False(cpu.Fields.ContainsKey(VmcsField.EntryExceptionErrorCode));
        }

        [Theory]
        [InlineData(0x0093UL, 0)]
        [InlineData(0x00F3UL, 3)]
        [InlineData(0xC0B3UL, 1)]
        public void CplIsSsDpl(ulong ssAccessRights, int cpl)
        {
            var cpu = new FakeVcpu();
            cpu.Fields[VmcsField.GuestSsAccessRights] = ssAccessRights;
            Assert.Equal(cpl, cpu.CurrentPrivilegeLevel());
        }
    }
}
