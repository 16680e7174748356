using System;
using System.Linq;
using System.Management.Automation;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>Several hosts: explicit connections, fan-out, VMs that carry their host; and authentication.</summary>
    public sealed class FleetTests : IDisposable
    {
        private readonly InProcessHost _a = InProcessHost.Start();
        private readonly InProcessHost _b = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public void Dispose()
        {
            _ps.Run("$h1, $h2 | Where-Object { $_ } | Disconnect-HvHost");
            _ps.Dispose();
            _a.Dispose();
            _b.Dispose();
        }

        private void ConnectBoth()
        {
            _ps.Run(@"$h1 = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -NotDefault
                      $h2 = Connect-HvHost 127.0.0.1 $args[2] -Key $args[3] -NotDefault",
                _a.Port, _a.KeyText, _b.Port, _b.KeyText).NoErrors();
        }

        [Fact]
        public void A_test_session_closes_its_connections_when_disposed_default_or_not()
        {
            var ps = new PsSession();
            ps.Run("$kept = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -NotDefault", _a.Port, _a.KeyText).NoErrors();
            dynamic kept = ps.Run("$kept").NoErrors().Output.Single();
            Assert.True((bool)kept.IsConnected);
            ps.Dispose();
            Assert.False((bool)kept.IsConnected);
        }

        [Fact]
        public void Get_HvVm_over_two_hosts_returns_both_hosts_vms_each_with_its_host()
        {
            ConnectBoth();
            _ps.Run("New-HvVm -Name a1, a2 -Template spin -Server $h1; New-HvVm -Name b1 -Template spin -Server $h2").NoErrors();
            var r = _ps.Run("Get-HvVm -Server $h1, $h2").NoErrors();
            var vms = r.Of("HvVm");
            Assert.Equal(new[] { "a1", "a2", "b1" }, vms.Select(v => (string)v.Name)); // in the order of -Server
            Assert.Equal(new[] { _a.Port, _a.Port, _b.Port }, vms.Select(v => (int)v.Server.Port));
            // No default connection was set: -NotDefault keeps the session clean.
            Assert.Equal(true, _ps.Run("$null -eq $global:DefaultHvServer").Output[0].BaseObject);
            // Hosts from the pipeline, too.
            Assert.Equal(3, _ps.Run("$h1, $h2 | Get-HvVm").NoErrors().Of("HvVm").Length);
        }

        [Fact]
        public void A_pipeline_of_vms_from_two_hosts_routes_each_request_to_its_host()
        {
            ConnectBoth();
            // The same VM name on both hosts: only the host in the object tells them apart.
            _ps.Run("New-HvVm -Name same, other -Template spin -Start -Server $h1, $h2").NoErrors();
            _ps.Run("Get-HvVm -Server $h1, $h2 -Name same | Stop-HvVm -TurnOff -Force").NoErrors();
            int StateCount(InProcessHost h, string state) => h.WithHypervisor(hv => Enumerable.Range(0, hv.Vms.Capacity).Select(hv.Vms.At).Count(v => v != null && v.State.ToString() == state));
            Assert.Equal(1, StateCount(_a, "Stopped"));
            Assert.Equal(1, StateCount(_b, "Stopped"));
            Assert.Equal(1, StateCount(_a, "Running"));
            var m = _ps.Run("Get-HvVm -Server $h1, $h2 | Measure-HvVm").NoErrors().Of("HvVmMetrics");
            Assert.Equal(4, m.Length);
            _ps.Run("Get-HvVm -Server $h1, $h2 | Remove-HvVm -Force").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVm -Server $h1, $h2").NoErrors().Output);
        }

        [Fact]
        public void One_unreachable_host_does_not_stop_the_others()
        {
            ConnectBoth();
            _ps.Run("New-HvVm -Name x -Template spin -Server $h2").NoErrors();
            _a.Dispose(); // host 1 goes away
            var r = _ps.Run("Get-HvVm -Server $h1, $h2");
            Assert.Equal("x", (string)Assert.Single(r.Of("HvVm")).Name);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        }

        [Fact]
        public void A_wrong_key_is_an_AuthenticationError()
        {
            string wrong = string.Concat(Enumerable.Repeat("ab", 32));
            var r = _ps.Run("Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 3", _a.Port, wrong);
            Assert.Empty(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.AuthFailed,", e.FullyQualifiedErrorId);
            // The key as a credential's password works.
            var ok = _ps.Run(@"$s = [securestring]::new(); foreach ($c in $args[1].ToCharArray()) { $s.AppendChar($c) }
                               $cred = [pscredential]::new('hv', $s)
                               $c = Connect-HvHost 127.0.0.1 $args[0] -Credential $cred -NotDefault; $c.IsConnected; $c.Dispose()", _a.Port, _a.KeyText);
            Assert.Equal(true, ok.NoErrors().Output.Last().BaseObject);
        }

        [Fact]
        public void Hosts_are_worked_on_in_parallel()
        {
            ConnectBoth();
            // Each host needs ~1 s to give up waiting on a spinning VM; in parallel the two take ~1 s, not ~2 s.
            _ps.Run("New-HvVm -Name s -Template spin -Start -Server $h1, $h2").NoErrors();
            var r = _ps.Run("Get-HvVm -Server $h1, $h2 | Wait-HvVm -ConsolePattern 'never' -Timeout 1");
            Assert.Equal(2, r.Errors.Count);
            Assert.All(r.Errors, e => Assert.StartsWith("Hv.WaitTimeout,", e.FullyQualifiedErrorId));
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(1.8), "took " + r.Elapsed);
        }
    }
}
