using System.Text.RegularExpressions;

using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>
    /// Two cpustate VMs at once in one Bochs boot (guests/cpustate.asm): each writes its own values into every register
    /// of GuestStateInventory, gives the CPU to the other (2000 times each, HLT and time slices), and reads back only its
    /// own; a leak in either direction prints "cpustate FAIL" and exits with code 1.
    /// </summary>
    public sealed class CpuStateRun
    {
        public string Log { get; }

        public CpuStateRun()
        {
            var boot = HvBoot.Run("bochs", "hv.run=cpustate,cpustate hv.exit=idle hv.panic=poweroff", 600);
            Xunit.Assert.True(boot.ExitCode == 0, boot.Log);
            Log = boot.Log;
        }
    }

    public class CpuStateTests : IClassFixture<CpuStateRun>
    {
        private readonly CpuStateRun _run;
        public CpuStateTests(CpuStateRun run) { _run = run; }

        [Theory]
        [InlineData("cpustate-1")]
        [InlineData("cpustate-2")]
        public void Each_vm_reads_back_only_its_own_cpu_state(string vm)
        {
            GuestExpectations.Load("cpustate").AssertIn(_run.Log, vm);
            Assert.Matches($@"\[{vm}\] cpustate ok iterations=2000", _run.Log);
        }

        [Fact]
        public void The_two_vms_ran_interleaved()
        {
            // Both started before either finished: their iterations alternated on the one processor.
            string[] lines = _run.Log.Split('\n');
            int Index(string text) => System.Array.FindIndex(lines, l => l.Contains(text));
            Assert.True(Index("[cpustate-2] cpustate start") < Index("[cpustate-1] cpustate ok"), _run.Log);
            Assert.DoesNotContain("PANIC", _run.Log);
            Assert.Equal(2, Regex.Matches(_run.Log, @"\(cpustate-\d\) stopped: guest exit hypercall, exit code 0").Count);
        }
    }
}
