using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading;

using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>What the module promises without any host: manifest, cmdlet shapes, help, completers, connection errors.</summary>
    public sealed class OfflineTests : IDisposable
    {
        private static readonly string[] Cmdlets =
        {
            "Connect-HvHost", "Disconnect-HvHost", "Get-HvHost", "Get-HvTemplate", "New-HvVm", "Get-HvVm", "Set-HvVm", "Start-HvVm",
            "Stop-HvVm", "Suspend-HvVm", "Resume-HvVm", "Restart-HvVm", "Remove-HvVm", "Get-HvVmConsole", "Send-HvVmConsole",
            "Wait-HvVm", "Measure-HvVm", "Copy-HvVm", "Checkpoint-HvVm", "Get-HvVmSnapshot", "Restore-HvVmSnapshot",
            "Remove-HvVmSnapshot", "New-HvTemplate", "Remove-HvTemplate", "Export-HvVm", "Import-HvVm", "Move-HvVm",
            "Get-HvVmHardDiskDrive", "Add-HvVmHardDiskDrive", "Remove-HvVmHardDiskDrive", "New-HvDisk", "Get-HvDisk", "Remove-HvDisk",
            "New-HvSwitch", "Get-HvSwitch", "Remove-HvSwitch",
            "Add-HvVmNetworkAdapter", "Get-HvVmNetworkAdapter", "Remove-HvVmNetworkAdapter", "Connect-HvVmNetworkAdapter",
            "Disconnect-HvVmNetworkAdapter",
        };

        private const string SomeKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

        private readonly PsSession _ps = new PsSession();

        public void Dispose() => _ps.Dispose();

        [Fact]
        public void Manifest_exports_exactly_the_cmdlets_with_the_build_version()
        {
            var r = _ps.Run("$m = Get-Module Hv; $m.Version.ToString(); $m.CompatiblePSEditions; @($m.ExportedCmdlets.Keys)").NoErrors();
            string props = File.ReadAllText(Path.Combine(ModuleBuild.RepoRoot, "Directory.Build.props"));
            string version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
            var values = r.Output.Select(o => o.ToString()).ToList();
            Assert.Equal(version, values[0]);
            Assert.Contains("Core", values);
            Assert.Contains("Desktop", values);
            Assert.Equal(Cmdlets.OrderBy(c => c), values.Skip(3).OrderBy(c => c));
        }

        [Fact]
        public void Every_cmdlet_uses_an_approved_verb()
        {
            var r = _ps.Run(@"
                $approved = foreach ($t in [System.Management.Automation.VerbsCommon], [System.Management.Automation.VerbsCommunications],
                                           [System.Management.Automation.VerbsLifecycle], [System.Management.Automation.VerbsDiagnostic],
                                           [System.Management.Automation.VerbsData], [System.Management.Automation.VerbsSecurity],
                                           [System.Management.Automation.VerbsOther]) { $t.GetFields() | ForEach-Object { $_.GetValue($null) } }
                Get-Command -Module Hv | Where-Object { $approved -notcontains $_.Verb } | ForEach-Object Name").NoErrors();
            Assert.Empty(r.Output);
        }

        [Fact]
        public void Vm_cmdlets_take_names_or_vm_objects_from_the_pipeline()
        {
            foreach (string name in new[] { "Start-HvVm", "Stop-HvVm", "Suspend-HvVm", "Resume-HvVm", "Restart-HvVm", "Remove-HvVm", "Set-HvVm", "Measure-HvVm", "Get-HvVmConsole", "Send-HvVmConsole", "Wait-HvVm",
                "Checkpoint-HvVm", "Export-HvVm", "Move-HvVm", "Get-HvVmHardDiskDrive", "Add-HvVmHardDiskDrive", "Remove-HvVmHardDiskDrive" })
            {
                var cmd = (CmdletInfo)_ps.Run("Get-Command $args[0]", name).NoErrors().Output[0].BaseObject;
                Assert.Equal(new[] { "Name", "VM" }, cmd.ParameterSets.Select(s => s.Name).OrderBy(n => n));
                Assert.Equal("Name", cmd.DefaultParameterSet);
                var vmSet = cmd.ParameterSets.Single(s => s.Name == "VM");
                var vm = vmSet.Parameters.Single(p => p.Name == "VM");
                Assert.True(vm.ValueFromPipeline && vm.IsMandatory, name);
                Assert.Equal("Hv.PowerShell.HvVm[]", vm.ParameterType.FullName);
                var nameSet = cmd.ParameterSets.Single(s => s.Name == "Name");
                var n = nameSet.Parameters.Single(p => p.Name == "Name");
                Assert.True(n.IsMandatory && n.ValueFromPipelineByPropertyName && n.Position == 0, name);
                Assert.Contains(n.Attributes, a => a is SupportsWildcardsAttribute);
                var server = nameSet.Parameters.Single(p => p.Name == "Server");
                Assert.Equal("Hv.PowerShell.HvHost[]", server.ParameterType.FullName);
                Assert.DoesNotContain(vmSet.Parameters, p => p.Name == "Server"); // a VM object brings its own host
                Assert.Contains(nameSet.Parameters, p => p.Name == "ThrottleLimit");
            }
        }

        [Fact]
        public void Other_cmdlets_have_their_parameter_sets()
        {
            var r = _ps.Run(@"
                (Get-Command Get-HvVm).ParameterSets | ForEach-Object { $_.Name + ':' + (($_.Parameters | ForEach-Object Name) -join ',') }
                (Get-Command Connect-HvHost).ParameterSets | ForEach-Object { $_.Name + ':' + (($_.Parameters | ForEach-Object Name) -join ',') }
                (Get-Command Connect-HvHost).DefaultParameterSet").NoErrors();
            var sets = r.Output.Select(o => o.ToString()).ToList();
            Assert.Contains(sets, s => s.StartsWith("Name:Name,Server,"));
            Assert.Contains(sets, s => s.StartsWith("Id:Id,Server,"));
            Assert.Contains(sets, s => s.StartsWith("Tcp:ComputerName,Port,Key,Credential,TimeoutSec"));
            Assert.Contains(sets, s => s.StartsWith("Serial:SerialPort,BaudRate,Key,Credential,TimeoutSec"));
            Assert.Equal("Tcp", sets.Last());
            foreach (string name in new[] { "New-HvVm" })
            {
                var p = _ps.Run("(Get-Command New-HvVm).Parameters.Keys").Output.Select(o => o.ToString()).ToList();
                Assert.Contains("Template", p);
                Assert.Contains("MemoryMB", p);
                Assert.Contains("ProcessorCount", p);
                Assert.Contains("Start", p);
            }
        }

        [Theory]
        [InlineData("Stop-HvVm", "High")]
        [InlineData("Remove-HvVm", "High")]
        [InlineData("Restart-HvVm", "High")]
        [InlineData("Start-HvVm", "Medium")]
        [InlineData("New-HvVm", "Medium")]
        [InlineData("Suspend-HvVm", "Medium")]
        [InlineData("Restore-HvVmSnapshot", "High")]
        [InlineData("Remove-HvVmSnapshot", "High")]
        [InlineData("Remove-HvTemplate", "High")]
        [InlineData("Move-HvVm", "High")]
        [InlineData("Checkpoint-HvVm", "Medium")]
        [InlineData("Copy-HvVm", "Medium")]
        [InlineData("New-HvTemplate", "Medium")]
        [InlineData("Export-HvVm", "Medium")]
        [InlineData("Import-HvVm", "Medium")]
        [InlineData("Add-HvVmHardDiskDrive", "High")]
        [InlineData("Remove-HvVmHardDiskDrive", "High")]
        [InlineData("New-HvDisk", "Medium")]
        public void Mutators_support_ShouldProcess(string name, string impact)
        {
            var r = _ps.Run(@"$c = Get-Command $args[0]
                $attr = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)[0]
                $attr.SupportsShouldProcess; $attr.ConfirmImpact.ToString()
                $c.Parameters.ContainsKey('WhatIf'); $c.Parameters.ContainsKey('Force'); $c.Parameters.ContainsKey('PassThru')", name).NoErrors();
            Assert.Equal(true, r.Output[0].BaseObject);
            Assert.Equal(impact, r.Output[1].BaseObject);
            Assert.Equal(true, r.Output[2].BaseObject);
            if (impact == "High")
            {
                Assert.Equal(true, r.Output[3].BaseObject);
            }
            // -PassThru where the cmdlet outputs nothing by default (New-*, Copy-, Checkpoint-, Import- output what they make).
            if (new[] { "Start-HvVm", "Stop-HvVm", "Restart-HvVm", "Suspend-HvVm", "Restore-HvVmSnapshot", "Move-HvVm", "Export-HvVm" }.Contains(name))
            {
                Assert.Equal(true, r.Output[4].BaseObject);
            }
        }

        [Fact]
        public void Name_parameters_have_argument_completers()
        {
            var r = _ps.Run(@"
                foreach ($c in 'Get-HvVm','Stop-HvVm','Wait-HvVm','Get-HvVmConsole') {
                    (Get-Command $c).Parameters['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $c + ':' + $_.Type.Name } }
                foreach ($c in 'New-HvVm') { (Get-Command $c).Parameters['Template'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $c + ':' + $_.Type.Name } }
                foreach ($c in 'Get-HvTemplate','Remove-HvTemplate','Get-HvVmSnapshot','Restore-HvVmSnapshot','Remove-HvVmSnapshot') {
                    (Get-Command $c).Parameters['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $c + ':' + $_.Type.Name } }
                foreach ($c in 'Get-HvVmSnapshot','Copy-HvVm') { (Get-Command $c).Parameters['VMName'].Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } | ForEach-Object { $c + ':' + $_.Type.Name } }").NoErrors();
            Assert.Equal(new[] { "Get-HvVm:VmNameCompleter", "Stop-HvVm:VmNameCompleter", "Wait-HvVm:VmNameCompleter", "Get-HvVmConsole:VmNameCompleter",
                "New-HvVm:TemplateNameCompleter", "Get-HvTemplate:TemplateNameCompleter", "Remove-HvTemplate:TemplateNameCompleter",
                "Get-HvVmSnapshot:SnapshotNameCompleter", "Restore-HvVmSnapshot:SnapshotNameCompleter", "Remove-HvVmSnapshot:SnapshotNameCompleter",
                "Get-HvVmSnapshot:VmNameCompleter", "Copy-HvVm:VmNameCompleter" }, r.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void Completion_without_a_connection_offers_nothing_and_does_not_fail()
        {
            var r = _ps.Run("[System.Management.Automation.CommandCompletion]::CompleteInput('Get-HvVm -Name we', 17, $null).CompletionMatches.Count").NoErrors();
            Assert.Equal(0, r.Output[0].BaseObject);
        }

        [Fact]
        public void Every_cmdlet_has_help_with_a_synopsis_an_example_and_parameter_descriptions()
        {
            foreach (string name in Cmdlets)
            {
                var r = _ps.Run(@"$h = Get-Help $args[0] -Full
                    $h.Synopsis; $h.description.Text -join ' '; @($h.examples.example).Count; $h.examples.example[0].code
                    @($h.parameters.parameter | Where-Object { -not ($_.description.Text -join '') } | ForEach-Object name) -join ','", name).NoErrors();
                string synopsis = r.Output[0].ToString();
                Assert.False(synopsis.StartsWith(name, StringComparison.Ordinal) || synopsis.Contains("[-"), name + ": no MAML synopsis (got '" + synopsis + "')");
                Assert.False(string.IsNullOrWhiteSpace(r.Output[1].ToString()), name + ": no description");
                Assert.True((int)r.Output[2].BaseObject >= 1, name + ": no example");
                Assert.Contains(name, r.Output[3].ToString());
                Assert.True(r.Output[4].ToString() == "", name + ": parameters without a description: " + r.Output[4]);
            }
        }

        [Fact]
        public void About_topic_is_there()
        {
            var r = _ps.Run("Get-Help about_Hv | ForEach-Object { $_.ToString() }").NoErrors();
            string text = string.Join("\n", r.Output.Select(o => o.ToString()));
            Assert.Contains("Connect-HvHost", text);
            Assert.Contains("DefaultHvServer", text);
        }

        [Fact]
        public void Connecting_to_a_closed_port_is_a_ConnectionError_within_the_timeout()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var r = _ps.Run("Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 2", port, SomeKey);
            Assert.Empty(r.Output);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.ConnectionFailed,", e.FullyQualifiedErrorId);
            Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), "took " + r.Elapsed);
        }

        [Fact]
        public void A_host_that_never_answers_is_a_ConnectionError_after_the_timeout_not_a_hang()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(); // accepts (the kernel's backlog) but never answers the handshake
            try
            {
                int port = ((IPEndPoint)listener.LocalEndpoint).Port;
                var r = _ps.Run("Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 1", port, SomeKey);
                var e = Assert.Single(r.Errors);
                Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
                Assert.StartsWith("Hv.Timeout,", e.FullyQualifiedErrorId);
                Assert.True(r.Elapsed >= TimeSpan.FromSeconds(0.9) && r.Elapsed < TimeSpan.FromSeconds(4), "took " + r.Elapsed);
            }
            finally
            {
                listener.Stop();
            }
        }

        [Fact]
        public void Without_a_connection_the_cmdlets_say_so()
        {
            var r = _ps.Run("Get-HvVm");
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.NotConnected,", e.FullyQualifiedErrorId);
        }

        [Theory]
        [InlineData("-Key 'not-a-key'", "Hv.InvalidKey")]
        [InlineData("-Key 'abc' -Credential ([pscredential]::new('hv', [securestring]::new()))", "Hv.KeyAndCredential")]
        public void Bad_keys_are_InvalidArgument(string args, string id)
        {
            var r = _ps.Run("Connect-HvHost 127.0.0.1 1 " + args);
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
            Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
        }

        [Fact]
        public void Snapshot_and_copy_cmdlets_take_vm_names_vm_objects_or_snapshot_objects()
        {
            foreach (string name in new[] { "Get-HvVmSnapshot", "Restore-HvVmSnapshot", "Remove-HvVmSnapshot", "Copy-HvVm" })
            {
                var cmd = (CmdletInfo)_ps.Run("Get-Command $args[0]", name).NoErrors().Output[0].BaseObject;
                var sets = cmd.ParameterSets.Select(s => s.Name).OrderBy(n => n).ToArray();
                Assert.Equal(name.EndsWith("Snapshot") && !name.StartsWith("Get") ? new[] { "Snapshot", "VM", "VMName" } : new[] { "VM", "VMName" }, sets);
                // The object set is the default: PowerShell binds pipeline input to the default set first.
                Assert.Equal(sets.Contains("Snapshot") ? "Snapshot" : "VM", cmd.DefaultParameterSet);
                var vmName = cmd.ParameterSets.Single(s => s.Name == "VMName").Parameters.Single(p => p.Name == "VMName");
                Assert.True(vmName.IsMandatory && vmName.Position == 0 && vmName.ValueFromPipelineByPropertyName, name);
                var vm = cmd.ParameterSets.Single(s => s.Name == "VM").Parameters.Single(p => p.Name == "VM");
                Assert.True(vm.ValueFromPipeline && vm.IsMandatory, name);
                Assert.DoesNotContain(cmd.ParameterSets.Single(s => s.Name == "VM").Parameters, p => p.Name == "Server");
                if (sets.Contains("Snapshot"))
                {
                    var snap = cmd.ParameterSets.Single(s => s.Name == "Snapshot").Parameters.Single(p => p.Name == "Snapshot");
                    Assert.True(snap.ValueFromPipeline && snap.IsMandatory, name);
                    Assert.Equal("Hv.PowerShell.HvVmSnapshot[]", snap.ParameterType.FullName);
                }
            }
            // Restore names one snapshot; Remove and Get take several; Copy's -Name is the new VM's.
            var r = _ps.Run(@"(Get-Command Restore-HvVmSnapshot).Parameters['Name'].ParameterType.Name
                (Get-Command Remove-HvVmSnapshot).Parameters['Name'].ParameterType.Name
                (Get-Command Copy-HvVm).Parameters['Name'].ParameterType.Name
                (Get-Command New-HvVm).Parameters['Count'].ParameterType.Name
                (Get-Command New-HvTemplate).Parameters['EntryMode'].ParameterType.FullName
                [enum]::GetNames((Get-Command New-HvTemplate).Parameters['EntryMode'].ParameterType) -join ','").NoErrors();
            Assert.Equal(new[] { "String", "String[]", "String", "Int32", "Hv.GuestEntryMode", "Real,Long,Multiboot,Linux" },
                r.Output.Select(o => o.ToString()));
        }

        [Fact]
        public void New_HvTemplate_with_a_missing_file_is_ObjectNotFound_before_any_host_is_asked()
        {
            var r = _ps.Run("New-HvTemplate -Name t -Path ./no/such/image.bin -EntryMode Real -MemoryMB 1");
            var e = Assert.Single(r.Errors);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.StartsWith("Hv.PathNotFound,", e.FullyQualifiedErrorId);
            Assert.Contains("image.bin", e.Exception.Message);
            // The entry mode is checked by PowerShell's binder.
            var bad = _ps.Run("New-HvTemplate -Name t -Path x -EntryMode Protected -MemoryMB 1");
            Assert.StartsWith("CannotConvertArgumentNoMessage,", Assert.Single(bad.Errors).FullyQualifiedErrorId);
            // A file but no connection: the usual Hv.NotConnected.
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllBytes(file, new byte[] { 1, 2, 3 });
                Assert.StartsWith("Hv.NotConnected,", Assert.Single(_ps.Run("New-HvTemplate t $args[0] -EntryMode Real -MemoryMB 1", file).Errors).FullyQualifiedErrorId);
                File.WriteAllBytes(file, new byte[0]);
                Assert.StartsWith("Hv.EmptyImage,", Assert.Single(_ps.Run("New-HvTemplate t $args[0] -EntryMode Real -MemoryMB 1", file).Errors).FullyQualifiedErrorId);
            }
            finally
            {
                File.Delete(file);
            }
            var missing = _ps.Run("Import-HvVm ./no/such/vm.hvvm");
            Assert.Equal(ErrorCategory.ObjectNotFound, Assert.Single(missing.Errors).CategoryInfo.Category);
        }

        [Fact]
        public void New_HvVm_Count_is_bounded_by_the_protocol()
        {
            var r = _ps.Run("New-HvVm web -Template t -Count 257");
            Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(r.Errors).FullyQualifiedErrorId);
            r = _ps.Run("New-HvVm web -Template t -Count 0");
            Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        }
    }
}
