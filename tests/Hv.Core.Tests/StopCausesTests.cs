using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    /// <summary>Each stop cause's kind (what the protocol and the module report) and text (what the log and GetVm show).</summary>
    public class StopCausesTests
    {
        [Theory]
        [InlineData(StopCause.None, StopReason.None, 0UL, 0UL, "")]
        [InlineData(StopCause.Requested, StopReason.Requested, 0UL, 0UL, "stopped on request")]
        [InlineData(StopCause.Forced, StopReason.Forced, 0UL, 0UL, "turned off on request")]
        [InlineData(StopCause.HostTurnOff, StopReason.Forced, 0UL, 0UL, "turned off by the host")]
        [InlineData(StopCause.DebugExit, StopReason.GuestExit, 0UL, 0UL, "debug-exit")]
        [InlineData(StopCause.ExitHypercall, StopReason.GuestExit, 0UL, 0UL, "guest exit hypercall")]
        [InlineData(StopCause.TripleFault, StopReason.TripleFault, 0UL, 0UL, "triple fault")]
        [InlineData(StopCause.HaltWithInterruptsOff, StopReason.GuestHalt, 0UL, 0UL, "hlt with interrupts disabled")]
        [InlineData(StopCause.EptViolation, StopReason.GuestFault, 0x40000000UL, 0x1UL, "ept-violation at GPA 0x40000000 (read)")]
        [InlineData(StopCause.EptViolation, StopReason.GuestFault, 0x1000UL, 0x7UL, "ept-violation at GPA 0x1000 (read+write+execute)")]
        [InlineData(StopCause.EptViolation, StopReason.GuestFault, 0x1000UL, 0x0UL, "ept-violation at GPA 0x1000 (unknown access)")]
        [InlineData(StopCause.EptMisconfiguration, StopReason.GuestFault, 0x4000UL, 0UL, "ept-misconfiguration at GPA 0x4000")]
        [InlineData(StopCause.CopyOnWriteOutOfMemory, StopReason.GuestFault, 0x8000UL, 0UL, "out of memory for a copy-on-write page at GPA 0x8000")]
        [InlineData(StopCause.StringIo, StopReason.GuestFault, 0x3F8UL, 0UL, "string i/o operand outside guest memory, port 0x03F8")]
        [InlineData(StopCause.MmioInstructionRefused, StopReason.GuestFault, 0xFEE00300UL, 0x8B05000000000000UL, "mmio access at GPA 0xFEE00300 by an instruction not emulated, bytes 0x8B05000000000000")]
        [InlineData(StopCause.InvalidIoSize, StopReason.GuestFault, 0UL, 0UL, "i/o exit with invalid size")]
        [InlineData(StopCause.UnhandledExit, StopReason.UnhandledExit, 15UL, 0UL, "guest executed RDPMC (exit reason 15), not supported")]
        [InlineData(StopCause.UnhandledExit, StopReason.UnhandledExit, 13UL, 0UL, "guest executed INVD (exit reason 13), not supported")]
        [InlineData(StopCause.UnhandledExit, StopReason.UnhandledExit, 9UL, 0UL, "guest attempted a task switch (exit reason 9), not supported")]
        [InlineData(StopCause.UnhandledExit, StopReason.UnhandledExit, 71UL, 0UL, "unknown exit (exit reason 71), not supported")]
        [InlineData(StopCause.InvalidGuestState, StopReason.HostError, 0UL, 0UL, "vm-entry failed: invalid guest state")]
        [InlineData(StopCause.MsrLoading, StopReason.HostError, 0UL, 0UL, "vm-entry failed: msr loading")]
        [InlineData(StopCause.MachineCheck, StopReason.HostError, 0UL, 0UL, "vm-entry failed: machine check")]
        [InlineData(StopCause.EntryFailed, StopReason.HostError, 0UL, 0UL, "vm-entry failed")]
        [InlineData(StopCause.PrimingFailed, StopReason.GuestFault, 0UL, 0UL, "priming failed")]
        [InlineData(StopCause.Primed, StopReason.GuestFault, 0UL, 0UL, "primed")]
        [InlineData(StopCause.GuestPowerOff, StopReason.GuestPowerOff, 0UL, 0UL, "guest power-off")]
        [InlineData(StopCause.GuestReset, StopReason.GuestPowerOff, 0UL, 0UL, "guest reset")]
        public void Kind_and_text(StopCause cause, StopReason reason, ulong detail, ulong access, string text)
        {
            Assert.Equal(reason, StopCauses.ReasonOf(cause));
            var sink = new Hv.Core.Text.CharBufferSink(128);
            StopCauses.Describe(sink, cause, detail, access);
            Assert.Equal(text, sink.ToString());
        }

        [Fact]
        public void Every_basic_exit_reason_the_sdm_assigns_has_words()
        {
            foreach (Hv.Core.Vmx.Arch.ExitReason reason in System.Enum.GetValues<Hv.Core.Vmx.Arch.ExitReason>())
            {
                var sink = new Hv.Core.Text.CharBufferSink(128);
                StopCauses.Describe(sink, StopCause.UnhandledExit, (ulong)reason, 0);
                Assert.DoesNotContain("unknown", sink.ToString());
                Assert.EndsWith("(exit reason " + (uint)reason + "), not supported", sink.ToString());
            }
        }
    }
}
