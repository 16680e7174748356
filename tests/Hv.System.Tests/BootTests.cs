using System.Text.RegularExpressions;

using Hv.Emulators;

namespace Hv.SystemTests
{
    public class BootTests
    {
        [Fact]
        public void Bochs_boots_to_ready_and_reports_vtx_features_and_the_memory_map()
        {
            var boot = HvBoot.Run("bochs", "hv.exit=ready");
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("Hv 0.1.0", boot.Log);
            Assert.Contains("memory map:", boot.Log);
            Assert.Matches(new Regex(@"0x000000100000-0x[0-9A-F]{12} type 1"), boot.Log);
            Assert.Matches(new Regex(@"memory: total \d+ [KMG]iB, usable \d+ [KMG]iB"), boot.Log);
            Assert.Contains("+vmx +ept +vpid +unrestricted-guest +preemption-timer", boot.Log);
            Assert.Contains("cmdline: hv.exit=ready", boot.Log);
            Assert.Matches(new Regex(@"ready at tsc \d+"), boot.Log);
            Assert.DoesNotContain("ignored module", boot.Log);
        }

        [Fact]
        public void A_given_host_key_never_reaches_the_log_only_its_fingerprint()
        {
            byte[] key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            string hex = System.Convert.ToHexString(key).ToLowerInvariant();
            var boot = HvBoot.Run("bochs", "hv.key=" + hex + " hv.exit=ready");
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("cmdline: hv.key=<redacted> hv.exit=ready", boot.Log);
            string fingerprint = System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(key), 0, 4).ToLowerInvariant();
            Assert.Contains("mgmt: key from the command line, fingerprint " + fingerprint, boot.Log);
            // No run of 16 of the key's hex digits, in either case, anywhere on the log.
            for (int i = 0; i + 16 <= hex.Length; i++)
            {
                Assert.DoesNotContain(hex.Substring(i, 16), boot.Log, System.StringComparison.OrdinalIgnoreCase);
            }
        }

        [Fact]
        public void Qemu_boots_to_ready_and_reports_svm_with_nested_paging()
        {
            var boot = HvBoot.Run("qemu", "hv.exit=ready");
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("memory map:", boot.Log);
            Assert.Contains("+svm +npt", boot.Log);
            Assert.Contains("-vmx", boot.Log);
            Assert.Matches(new Regex(@"ready at tsc \d+"), boot.Log);
        }

        [Theory]
        [InlineData("bochs")]
        [InlineData("qemu")]
        public void A_deliberate_page_fault_prints_a_readable_panic_instead_of_rebooting(string emulator)
        {
            var boot = HvBoot.Run(emulator, "hv.selftest=pagefault hv.panic=poweroff");
            Assert.True(boot.ExitCode == 0, boot.Log);
            Assert.Contains("PANIC: CPU exception 14 page fault (#PF) error=0x2", boot.Log);
            Assert.Contains("cr2=0x0000001000000000", boot.Log);
            Assert.Matches(new Regex(@"rip=0x[0-9A-F]{16}"), boot.Log);
            // Exactly one boot: a triple fault would reset and print the banner again.
            Assert.Single(Regex.Matches(boot.Log, "Hv 0.1.0"));
            Assert.DoesNotContain("ready at tsc", boot.Log);
        }
    }
}
