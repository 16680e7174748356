using System.Text.RegularExpressions;

using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>
    /// A short soak (src/Hv.Kernel/Host/Soak.cs) in Bochs: VM create/remove cycles, template uploads with abandoned
    /// 4 MiB uploads, snapshot cycles, exports with imports, and PC VMs (linux template: platform, PCI bus, virtio disk)
    /// created, snapshotted, restored, copied and removed. Whatever one cycle fails to give back (a device record, a disk,
    /// a page) shows as a delta after the cycles; the bench runs the long version (--target=Bench, soak section).
    /// </summary>
    public class SoakTests
    {
        [Fact]
        public void A_short_soak_gives_back_every_heap_block_page_vm_slot_and_template()
        {
            var boot = HvBoot.Run("bochs", "hv.soak=500 hv.soak_rounds=20 hv.exit=idle hv.panic=poweroff", 900);
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.DoesNotContain("no PC-VM cycles", boot.Log);
            Assert.Matches(@"bench: soak_pc_vm_tsc=[1-9]", boot.Log);
            Assert.Equal("0", Figure(boot.Log, "soak_failures"));
            foreach (string delta in new[] { "soak_heap_delta_bytes", "soak_heap_blocks_delta", "soak_pages_delta", "soak_vm_slots_delta", "soak_templates_delta" })
            {
                Assert.True(Figure(boot.Log, delta) == "0", delta + " is not 0:\n" + boot.Log);
            }
        }

        private static string Figure(string log, string name)
        {
            Match m = Regex.Match(log, @"bench: " + name + @"=(-?\d+)");
            Assert.True(m.Success, "no " + name + " in the log:\n" + log);
            return m.Groups[1].Value;
        }
    }
}
