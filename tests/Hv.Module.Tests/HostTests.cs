using System;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>The cmdlets against the real management server and hypervisor (in process, over a real socket).</summary>
    public sealed class HostTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public HostTests()
        {
            _ps.Run("$h = Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
        }

        private static string Squeeze(string s) => Regex.Replace(s, "[ \t]+", " ");

        [Fact]
        public void Connect_returns_the_connection_and_makes_it_the_default()
        {
            var r = _ps.Run("$h; [object]::ReferenceEquals($h, $global:DefaultHvServer); (Get-HvHost).Version").NoErrors();
            var host = (dynamic)r.Output[0].BaseObject;
            Assert.Equal("Hv.PowerShell.HvHost", ((object)host).GetType().FullName);
            Assert.True(host.IsConnected);
            Assert.Equal(_host.Port, host.Port);
            Assert.Equal(true, r.Output[1].BaseObject);
            Assert.Equal("0.1.0-inprocess", r.Output[2].BaseObject);
        }

        [Fact]
        public void Templates_are_listed_and_filtered_with_wildcards()
        {
            var all = _ps.Run("Get-HvTemplate").NoErrors().Of("HvTemplate");
            Assert.Contains(all, t => t.Name == "hello");
            Assert.Contains(all, t => t.Name == "spin");
            var h = _ps.Run("Get-HvTemplate -Name 'h*'").NoErrors().Of("HvTemplate");
            Assert.All(h, t => Assert.StartsWith("h", t.Name));
            Assert.Contains(h, t => t.Name == "hello");
            var missing = _ps.Run("Get-HvTemplate -Name nosuch");
            var e = Assert.Single(missing.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.TemplateNotFound,", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void A_template_object_pipes_into_New_HvVm_and_names_the_vms_after_it()
        {
            var counted = _ps.Run("Get-HvTemplate hello | New-HvVm -Count 3").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "hello-1", "hello-2", "hello-3" }, counted.Select(v => (string)v.Name));
            var named = _ps.Run("Get-HvTemplate spin | New-HvVm piped1, piped2").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "piped1", "piped2" }, named.Select(v => (string)v.Name));
            Assert.All(named, v => Assert.Equal("spin", (string)v.Template));
            _ps.Run("Remove-HvVm hello-1, hello-2, hello-3, piped1, piped2 -Force").NoErrors();
        }

        [Fact]
        public void Three_hello_vms_run_print_and_stop_with_exit_code_0()
        {
            var created = _ps.Run("New-HvVm -Name a1, a2, a3 -Template hello -Start").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "a1", "a2", "a3" }, created.Select(v => v.Name));
            Assert.All(created, v => Assert.Same(created[0].Server, v.Server));
            var done = _ps.Run("Get-HvVm a* | Wait-HvVm -Timeout 20 -PassThru").NoErrors().Of("HvVm");
            Assert.Equal(3, done.Length);
            Assert.All(done, v => Assert.Equal("Stopped", (string)v.State.ToString()));
            Assert.All(done, v => Assert.Equal(0, v.ExitCode));
            var console = _ps.Run("Get-HvVmConsole -Name a2").NoErrors().Of("HvVmConsoleOutput");
            var text = Assert.Single(console).Text;
            Assert.Contains("hello from guest 1", text);
            Assert.Contains("hello from guest 5", text);
            var metrics = _ps.Run("Get-HvVm a* | Measure-HvVm").NoErrors().Of("HvVmMetrics");
            Assert.Equal(new[] { "a1", "a2", "a3" }, metrics.Select(m => m.VmName));
            Assert.All(metrics, m => Assert.True(m.TotalExits > 0 && m.ConsoleBytesOut > 0));
        }

        [Fact]
        public void Get_HvVm_filters_by_wildcard_state_and_id()
        {
            _ps.Run("New-HvVm -Name web1, web2, db1 -Template spin; Start-HvVm web1").NoErrors();
            Assert.Equal(new[] { "web1", "web2" }, _ps.Run("Get-HvVm -Name web*").NoErrors().Of("HvVm").Select(v => v.Name));
            Assert.Equal(new[] { "db1", "web2" }, _ps.Run("Get-HvVm -Name db?, web2").NoErrors().Of("HvVm").Select(v => v.Name).OrderBy(n => n));
            Assert.Equal(new[] { "web1" }, _ps.Run("Get-HvVm -State Running").NoErrors().Of("HvVm").Select(v => v.Name));
            var id = _ps.Run("(Get-HvVm db1).Id").NoErrors().Output[0].BaseObject;
            var byId = Assert.Single(_ps.Run("Get-HvVm -Id $args[0]", id).NoErrors().Of("HvVm"));
            Assert.Equal("db1", byId.Name);
            Assert.True(byId.IsDetailed);
            Assert.Equal("spin", byId.Template);
            Assert.All(_ps.Run("Get-HvVm -Detailed").NoErrors().Of("HvVm"), v => Assert.Equal("spin", v.Template));
            _ps.Run("Get-HvVm | Stop-HvVm -TurnOff -Force").NoErrors();
        }

        [Fact]
        public void A_missing_vm_is_ObjectNotFound_with_a_stable_id()
        {
            foreach (string script in new[] { "Get-HvVm -Name nosuchvm", "Stop-HvVm -Name nosuchvm -Force", "Get-HvVm -Id 4242" })
            {
                var r = _ps.Run(script);
                var e = Assert.Single(r.Errors);
                Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
                Assert.StartsWith("Hv.VmNotFound,", e.FullyQualifiedErrorId);
                Assert.Empty(r.Output);
            }
            // A wildcard that matches nothing is not an error (as with Get-ChildItem).
            Assert.Empty(_ps.Run("Get-HvVm -Name 'nosuch*'").NoErrors().Output);
            // ErrorAction Stop makes it catchable by category.
            var caught = _ps.Run("try { Get-HvVm nosuchvm -ErrorAction Stop } catch { $_.CategoryInfo.Category.ToString() }").NoErrors();
            Assert.Equal("ObjectNotFound", caught.Output[0].ToString());
        }

        [Fact]
        public void Vm_objects_and_property_names_bind_from_the_pipeline()
        {
            _ps.Run("New-HvVm -Name p1, p2, p3 -Template spin").NoErrors();
            var started = _ps.Run("Get-HvVm p1, p2 | Start-HvVm -PassThru").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "p1", "p2" }, started.Select(v => v.Name));
            Assert.All(started, v => Assert.Equal("Running", (string)v.State.ToString()));
            var byName = _ps.Run("[pscustomobject]@{ Name = 'p3' } | Start-HvVm -PassThru").NoErrors().Of("HvVm");
            Assert.Equal("p3", Assert.Single(byName).Name);
            var paused = _ps.Run("Suspend-HvVm p1 -PassThru").NoErrors().Of("HvVm");
            Assert.Equal("Paused", (string)(Assert.Single(paused).State).ToString());
            var resumed = _ps.Run("Get-HvVm p1 | Resume-HvVm -PassThru").NoErrors().Of("HvVm");
            Assert.Equal("Running", (string)(Assert.Single(resumed).State).ToString());
            var stopped = _ps.Run("Get-HvVm p* | Stop-HvVm -TurnOff -Force -PassThru").NoErrors().Of("HvVm");
            Assert.All(stopped, v => Assert.Equal("Stopped", (string)v.State.ToString()));
            Assert.Equal(3, stopped.Length);
            // Stopping again is harmless; removing leaves nothing.
            _ps.Run("Get-HvVm p* | Stop-HvVm -Force; Get-HvVm p* | Remove-HvVm -Force").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVm").NoErrors().Output);
        }

        [Fact]
        public void WhatIf_changes_nothing()
        {
            _ps.Run("New-HvVm -Name w1, w2 -Template spin -Start").NoErrors();
            var r = _ps.Run("Get-HvVm | Stop-HvVm -WhatIf; Get-HvVm | Remove-HvVm -WhatIf; Remove-HvVm w* -Force -WhatIf; New-HvVm w3 -Template spin -WhatIf; Suspend-HvVm w1 -WhatIf").NoErrors();
            Assert.Empty(r.Output);
            Assert.Contains("What if: Performing the operation \"Stop\" on target \"VM 'w1'", r.HostText);
            Assert.Contains("What if: Performing the operation \"Remove\"", r.HostText);
            var vms = _ps.Run("Get-HvVm").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "w1", "w2" }, vms.Select(v => v.Name));
            Assert.All(vms, v => Assert.Equal("Running", (string)v.State.ToString()));
        }

        [Fact]
        public void Destructive_cmdlets_ask_first_unless_Force()
        {
            _ps.Run("New-HvVm -Name c1 -Template spin -Start").NoErrors();
            // The test host cannot answer prompts: asking shows up as an error, and nothing is stopped.
            var r = _ps.Run("Stop-HvVm c1");
            Assert.NotEmpty(r.Errors);
            Assert.Equal("Running", (string)(_ps.Run("Get-HvVm c1").NoErrors().Of("HvVm")[0].State).ToString());
            _ps.Run("Stop-HvVm c1 -Confirm:$false -TurnOff").NoErrors();
            _ps.Run("Remove-HvVm c1 -Force").NoErrors();
        }

        [Fact]
        public void Multi_vm_work_writes_progress_unless_silenced()
        {
            _ps.Run("New-HvVm -Name g1, g2, g3 -Template spin -Start").NoErrors();
            var r = _ps.Run("Get-HvVm g* | Suspend-HvVm").NoErrors();
            Assert.NotEmpty(r.Progress);
            Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
            Assert.Contains(r.Progress, p => p.Activity == "Suspending VMs");
            var quiet = _ps.Run("$ProgressPreference = 'SilentlyContinue'; Get-HvVm g* | Resume-HvVm").NoErrors();
            Assert.Empty(quiet.Progress);
            var single = _ps.Run("Stop-HvVm g1 -TurnOff -Force").NoErrors();
            Assert.Empty(single.Progress); // one item: no progress noise
            _ps.Run("Get-HvVm | Remove-HvVm -Force").NoErrors();
        }

        [Fact]
        public void Names_complete_from_the_host()
        {
            _ps.Run("New-HvVm -Name alpha, alpine, beta -Template spin").NoErrors();
            var r = _ps.Run("$line = 'Get-HvVm -Name al'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "alpha", "alpine" }, r.Output.Select(o => o.ToString()));
            r = _ps.Run("$line = 'Stop-HvVm be'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "beta" }, r.Output.Select(o => o.ToString()));
            r = _ps.Run("$line = 'New-HvVm x -Template he'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "hello" }, r.Output.Select(o => o.ToString()));
            _ps.Run("New-HvSwitch -Name lab, lab2, far").NoErrors();
            r = _ps.Run("$line = 'Remove-HvSwitch -Name la'; [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText").NoErrors();
            Assert.Equal(new[] { "lab", "lab2" }, r.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void Format_views_render_tables_through_the_host()
        {
            _ps.Run("New-HvVm -Name f1 -Template hello -Start | Wait-HvVm -Timeout 20").NoErrors();
            var vms = _ps.Run("Get-HvVm | Out-Default").NoErrors();
            Assert.Contains("Id Name State MemoryMB CPUs Weight Cap% PrivateMB SharedMB StopReason ComputerName", Squeeze(vms.HostText));
            Assert.Matches(@"\n\s*\d+ f1\s+Stopped\s+\d+\s+1\s+100\s+([\d.]+\s+[\d.]+\s+)?GuestExit\s+127\.0\.0\.1:\d+", vms.HostText);
            var templates = _ps.Run("Get-HvTemplate | Out-Default").NoErrors();
            Assert.Contains("Name MemoryMB CPUs EntryMode Primed ComputerName", Squeeze(templates.HostText));
            var metrics = _ps.Run("Measure-HvVm f1 | Out-Default").NoErrors();
            Assert.Contains("VmName Exits IO EPT HLT CPUID MSR ConsoleOut RunTime PrivateMB SharedMB ComputerName", Squeeze(metrics.HostText));
            var hosts = _ps.Run("Get-HvHost | Out-Default").NoErrors();
            Assert.Contains("Name Address Version VMs FreeMB TotalMB Uptime Connected", Squeeze(hosts.HostText));
            var console = _ps.Run("Get-HvVmConsole f1 | Out-Default").NoErrors();
            Assert.Contains("[f1] hello from guest 1\n[f1] hello from guest 2\n", console.HostText);
        }

        [Fact]
        public void Console_follow_and_pattern_wait()
        {
            _ps.Run("New-HvVm -Name s1 -Template spin -Start; New-HvVm -Name h1 -Template hello").NoErrors();
            var matched = _ps.Run("Wait-HvVm s1 -ConsolePattern 'spin+ing' -Timeout 10 -PassThru").NoErrors().Of("HvVm");
            Assert.Equal("Running", (string)(Assert.Single(matched).State).ToString());
            var timedOut = _ps.Run("Wait-HvVm s1 -ConsolePattern 'never printed' -Timeout 1");
            var e = Assert.Single(timedOut.Errors);
            Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.WaitTimeout,", e.FullyQualifiedErrorId);
            Assert.True(timedOut.Elapsed < TimeSpan.FromSeconds(4), "took " + timedOut.Elapsed);
            var lines = _ps.Run("Start-HvVm h1; Get-HvVmConsole h1 -Wait -Raw -Timeout 20").NoErrors().Output.Select(o => o.ToString()).ToList();
            Assert.Equal(Enumerable.Range(1, 5).Select(i => "hello from guest " + i), lines);
            var unreachable = _ps.Run("Wait-HvVm h1 -State Running -Timeout 10");
            Assert.StartsWith("Hv.StateUnreachable,", Assert.Single(unreachable.Errors).FullyQualifiedErrorId);
            var next = _ps.Run("$c = Get-HvVmConsole h1; $c; Get-HvVmConsole h1 -Offset $c.NextOffset").NoErrors().Of("HvVmConsoleOutput");
            Assert.Equal("", next[1].Text);
            Assert.Equal(next[0].NextOffset, next[1].StartOffset);
            _ps.Run("Send-HvVmConsole s1 'hi there'").NoErrors();
            _ps.Run("Stop-HvVm s1 -TurnOff -Force").NoErrors();
        }

        [Fact]
        public void Errors_from_the_host_carry_its_code_and_category()
        {
            _ps.Run("New-HvVm -Name e1 -Template spin").NoErrors();
            var exists = _ps.Run("New-HvVm -Name e1 -Template spin");
            Assert.StartsWith("Hv.VmExists,", Assert.Single(exists.Errors).FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceExists, exists.Errors[0].CategoryInfo.Category);
            var noTemplate = _ps.Run("New-HvVm -Name e2 -Template nosuch");
            Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(noTemplate.Errors).CategoryInfo.Category);
            var state = _ps.Run("Resume-HvVm e1");
            Assert.Equal(ErrorCategory.InvalidOperation, Assert.Single(state.Errors).CategoryInfo.Category);
            Assert.StartsWith("Hv.InvalidState,", state.Errors[0].FullyQualifiedErrorId);
            var tooBig = _ps.Run("New-HvVm -Name e3 -Template spin -MemoryMB 100000");
            Assert.Equal(ErrorCategory.InvalidArgument, Assert.Single(tooBig.Errors).CategoryInfo.Category);
        }

        [Fact]
        public void Disconnect_clears_the_default_and_later_calls_fail_cleanly()
        {
            var r = _ps.Run("Disconnect-HvHost; $null -eq $global:DefaultHvServer; Get-HvVm -Server $h").Output;
            Assert.Equal(true, r[0].BaseObject);
            var e = _ps.Run("Get-HvVm -Server $h").Errors;
            Assert.Equal(ErrorCategory.ConnectionError, Assert.Single(e).CategoryInfo.Category);
            Assert.StartsWith("Hv.NotConnected,", _ps.Run("Get-HvVm").Errors.Single().FullyQualifiedErrorId);
        }
    }
}
