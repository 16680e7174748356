using System.Linq;
using System.Text.RegularExpressions;

using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>
    /// Every test guest at once in one Bochs boot: each VM's console, exit code or stop reason must match what its source
    /// promises, and the host must survive all of them (the hostile ones included).
    /// </summary>
    public sealed class AllGuestsRun
    {
        public static readonly string[] Guests = { "hello", "cpuid", "memcheck", "long64", "mbkernel", "oob", "hosthit", "triple", "ioports", "interrupts", "wrmsr", "spin", "memcheck", "hello" };
        public string Log { get; }

        public AllGuestsRun()
        {
            // spin never stops by itself: the host turns everything off once the TSC passes 3e9 (30 s of Bochs time).
            var boot = HvBoot.Run("bochs", $"hv.run={string.Join(",", Guests)} hv.exit=idle hv.turnoff_tsc=3000000000 hv.panic=poweroff", 600);
            Xunit.Assert.True(boot.ExitCode == 0, boot.Log);
            Log = boot.Log;
        }

        /// <summary>Boot VMs are named template-N, N counting from 1 in hv.run order.</summary>
        public static string VmName(int index) => $"{Guests[index]}-{index + 1}";
    }

    public class GuestTests : IClassFixture<AllGuestsRun>
    {
        private readonly AllGuestsRun _run;
        public GuestTests(AllGuestsRun run) { _run = run; }

        public static TheoryData<int> GuestIndexes()
        {
            var data = new TheoryData<int>();
            for (int i = 0; i < AllGuestsRun.Guests.Length; i++) data.Add(i);
            return data;
        }

        [Theory]
        [MemberData(nameof(GuestIndexes))]
        public void Each_guest_behaves_as_its_source_promises(int index)
        {
            GuestExpectations.Load(AllGuestsRun.Guests[index]).AssertIn(_run.Log, AllGuestsRun.VmName(index));
        }

        [Fact]
        public void The_host_never_panics_and_every_vm_is_accounted_for()
        {
            Assert.DoesNotContain("PANIC", _run.Log);
            Assert.Equal(AllGuestsRun.Guests.Length, Regex.Matches(_run.Log, @"\) stopped: ").Count);
            Assert.Contains("idle: no VM can run", _run.Log);
        }

        [Fact]
        public void Two_hello_vms_interleave_and_keep_printing_after_the_hostile_guests_are_stopped()
        {
            string[] lines = _run.Log.Split('\n');
            int Index(string text) => System.Array.FindIndex(lines, l => l.Contains(text));
            string first = AllGuestsRun.VmName(0), last = AllGuestsRun.VmName(AllGuestsRun.Guests.Length - 1);
            // Interleaved: the second hello starts before the first one finishes.
            Assert.True(Index($"[{last}] hello from guest 1") < Index($"[{first}] hello from guest 5"), _run.Log);
            // The well-behaved guest outlives every hostile one.
            foreach (string hostile in new[] { "oob", "hosthit", "triple", "ioports" })
            {
                int vm = System.Array.IndexOf(AllGuestsRun.Guests, hostile);
                Assert.True(Index($"({AllGuestsRun.VmName(vm)}) stopped:") < Index($"[{first}] hello from guest 5"), $"{hostile} was not stopped before hello finished:\n{_run.Log}");
            }
        }

        [Fact]
        public void Two_memory_checkers_with_different_patterns_both_verify_clean_beside_a_probing_guest()
        {
            var patterns = Regex.Matches(_run.Log, @"\[memcheck-\d+\] memcheck ok pattern=(\w+) bytes=(\d+)").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(2, patterns.Count);
            Assert.NotEqual(patterns[0], patterns[1]);
            Assert.Matches(@"\(oob-\d+\) stopped: ept-violation at GPA 0x40000000", _run.Log);
        }
    }
}
