using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>Copy-on-write clones and primed templates, on real VT-x (Bochs).</summary>
    public class TemplateTests
    {
        [Fact]
        public void Fifty_clones_write_their_own_values_to_the_same_addresses_and_read_back_only_their_own()
        {
            // cowclone is a primed template whose memory holds 0xA5 at 0x20000-0x2FFFF: each clone checks it still sees
            // that, overwrites it with its own id, lets the others run, and checks it reads back only its own id.
            string run = string.Join(",", Enumerable.Repeat("cowclone", 50));
            var boot = HvBoot.Run("bochs", $"hv.run={run} hv.exit=idle hv.panic=poweroff", 900);
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("template: cowclone primed in", boot.Log);
            var owns = Regex.Matches(boot.Log, @"\[cowclone-(\d+)\] cow own ok id=(\w+)").Select(m => m.Groups[2].Value).ToList();
            Assert.Equal(50, owns.Count);
            Assert.Equal(50, owns.Distinct().Count());
            Assert.Equal(50, Regex.Matches(boot.Log, @"\[cowclone-\d+\] cow template ok").Count);
            Assert.DoesNotContain("FAIL", boot.Log);
            Assert.Equal(50, Regex.Matches(boot.Log, @"\(cowclone-\d+\) stopped: debug-exit, exit code 0").Count);
            // A clone writes its id in the same time slice as its template check, then pauses for longer than a slice;
            // so every later clone checked the template after the earlier ones had overwritten their views of it.
            string[] lines = boot.Log.Split('\n');
            int first = System.Array.FindIndex(lines, l => l.Contains("[cowclone-1] cow template ok"));
            int last = System.Array.FindIndex(lines, l => l.Contains("[cowclone-50] cow template ok"));
            int firstDone = System.Array.FindIndex(lines, l => l.Contains("[cowclone-1] cow own ok"));
            Assert.True(first >= 0 && first < last && last < firstDone, boot.Log);
        }

        [Fact]
        public void Clones_of_a_primed_template_skip_the_boot_path_and_get_their_own_seeds()
        {
            var boot = HvBoot.Run("bochs", "hv.run=primed,primed,primed hv.exit=idle hv.panic=poweroff", 300);
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("template: primed primed in", boot.Log);
            var seeds = Regex.Matches(boot.Log, @"\[primed-\d+\] primed ready seed=(\w+)").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(3, seeds.Count);
            Assert.Equal(3, seeds.Distinct().Count());
            // Each clone's first console line comes after the Ready hypercall: the boot path never ran in a clone.
            Assert.DoesNotMatch(@"\[primed-\d+\] primed booting", boot.Log);
        }

        [Fact]
        public void Clone_figures_hold_and_thousands_of_creates_and_removes_leak_no_page()
        {
            var boot = HvBoot.Run("bochs", "hv.bench hv.exit=idle hv.panic=poweroff", 600);
            Assert.True(boot.ExitCode == 0, boot.Log);
            long Figure(string name) => long.Parse(Regex.Match(boot.Log, $@"bench: {name}=(\d+)").Groups[1].Value);
            Assert.True(Figure("clone_tsc_256mib") <= Figure("clone_tsc_16mib") * 11 / 10, boot.Log);
            Assert.True(Figure("clone_private_kib") <= 64, boot.Log);
            Assert.True(Figure("max_clones_512mib_host") >= 1000, boot.Log);
            Assert.Equal(0, Figure("clone_pages_leaked"));
        }
    }
}
