using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// Deceptive names through the real PowerShell engine against the real management server: each command that names
    /// something new is refused by the host's naming rule, reported as InvalidArgument with the host's reason, and
    /// nothing is made.
    /// </summary>
    public sealed class NameRuleCmdletTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "hv-names-" + Guid.NewGuid().ToString("N"));

        public NameRuleCmdletTests()
        {
            Directory.CreateDirectory(_dir);
            _ps.Run("$h = Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
            Directory.Delete(_dir, true);
        }

        private static void AssertRefused(PsResult result, string reason)
        {
            ErrorRecord error = Assert.Single(result.Errors);
            Assert.True(error.CategoryInfo.Category == ErrorCategory.InvalidArgument, result.ErrorText);
            Assert.Contains(reason, error.Exception.Message);
        }

        [Theory]
        [InlineData("vm\u0085x", "control character")]             // NEL (C1)
        [InlineData("vm\u009B31mx", "control character")]          // CSI (C1)
        [InlineData("vm\u001B[2J", "control character")]           // ESC (C0)
        [InlineData("vm\u202Etxt.exe", "bidirectional")]            // RIGHT-TO-LEFT OVERRIDE
        [InlineData("a\u2066b", "bidirectional")]                  // LEFT-TO-RIGHT ISOLATE
        [InlineData("v\u200Dm", "invisible")]                      // ZERO WIDTH JOINER
        [InlineData("v\u200Cm", "invisible")]                      // ZERO WIDTH NON-JOINER
        [InlineData("\uFEFFvm", "invisible")]                      // BOM
        [InlineData("vm\u2028x", "line or paragraph separator")]
        [InlineData("vm\u2029x", "line or paragraph separator")]
        [InlineData(" vm", "starts or ends with a space")]
        [InlineData("vm ", "starts or ends with a space")]
        [InlineData(" ", "starts or ends with a space")]
        [InlineData(".", "'.' or '..'")]
        [InlineData("..", "'.' or '..'")]
        public void New_HvVm_refuses_each_kind_of_deceptive_name(string name, string reason)
        {
            AssertRefused(_ps.Run("New-HvVm -Name $args[0] -Template spin", name), reason);
            Assert.Empty(_ps.Run("Get-HvVm").NoErrors().Output);
        }

        [Fact]
        public void Snapshot_copy_template_and_import_names_obey_the_same_rule()
        {
            _ps.Run("New-HvVm ok -Template spin -Start").NoErrors();
            AssertRefused(_ps.Run("Checkpoint-HvVm ok -SnapshotName $args[0]", "snap\u202E"), "bidirectional");
            Assert.Empty(_ps.Run("Get-HvVmSnapshot ok").NoErrors().Output);

            _ps.Run("Suspend-HvVm ok").NoErrors();
            AssertRefused(_ps.Run("Copy-HvVm -VMName ok -Name $args[0]", "copy\u200B"), "invisible");

            File.WriteAllBytes(Path.Combine(_dir, "t.bin"), ScriptedProcessor.Program("say t\nexit 0"));
            AssertRefused(_ps.Run("New-HvTemplate -Name $args[0] -Path $args[1] -EntryMode Real -MemoryMB 1", "..", Path.Combine(_dir, "t.bin")), "'.' or '..'");
            Assert.DoesNotContain(_ps.Run("Get-HvTemplate").NoErrors().Of("HvTemplate"), t => (string)t.Name == "..");

            string image = Path.Combine(_dir, "ok.hvvm");
            _ps.Run("Export-HvVm ok -Path $args[0]", image).NoErrors();
            AssertRefused(_ps.Run("Import-HvVm -Path $args[0] -Name $args[1]", image, "imp\u0085"), "control character");

            Assert.Equal(new[] { "ok" }, _ps.Run("Get-HvVm").NoErrors().Of("HvVm").Select(v => (string)v.Name));
        }
    }
}
