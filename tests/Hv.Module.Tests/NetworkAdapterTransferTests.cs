using System;
using System.IO;
using System.Linq;
using Hv.Core.Vm;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// Export-HvVm, Import-HvVm and Move-HvVm carry a VM's network adapter (export format 8) between two in-process hosts:
    /// its MAC, its device state, and its switch by name, joined where the target host has a switch of that name.
    /// </summary>
    public sealed class NetworkAdapterTransferTests : IDisposable
    {
        private readonly InProcessHost _a = InProcessHost.Start();
        private readonly InProcessHost _b = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();
        private readonly string _dir = Directory.CreateTempSubdirectory("hv-nic-").FullName;

        public NetworkAdapterTransferTests()
        {
            _a.AddLinuxTemplate("lxnic", networkAdapter: true);
            _b.AddLinuxTemplate("lxnic", networkAdapter: true);
            _ps.Run(@"$a = Connect-HvHost 127.0.0.1 $args[0] -Key $args[1] -TimeoutSec 5
                      $b = Connect-HvHost 127.0.0.1 $args[2] -Key $args[3] -TimeoutSec 5 -NotDefault
                      $d = $args[4]", _a.Port, _a.KeyText, _b.Port, _b.KeyText, _dir).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _a.Dispose();
            _b.Dispose();
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }

        private dynamic Adapter(string vm, string server) =>
            _ps.Run("Get-HvVmNetworkAdapter $args[0] -Server $(if ($args[1] -eq 'a') { $a } else { $b })", vm, server).NoErrors().Of("HvVmNetworkAdapter").Single();

        [Fact]
        public void An_imported_vm_keeps_its_adapters_mac_and_joins_a_switch_of_the_same_name()
        {
            _a.AddVm("src", "lxnic", VmState.Paused);
            _ps.Run("New-HvSwitch lab; Connect-HvVmNetworkAdapter src -SwitchName lab; New-HvSwitch lab -Server $b | Out-Null").NoErrors();
            string mac = (string)Adapter("src", "a").MacAddress;
            _ps.Run("Export-HvVm src -Path $d/src.hvvm").NoErrors();

            _ps.Run("Import-HvVm $d/src.hvvm -Server $b -Name copy | Out-Null").NoErrors();
            var copy = Adapter("copy", "b");
            Assert.Equal((mac, "lab"), ((string)copy.MacAddress, (string)copy.SwitchName));
            Assert.Equal(_a.Vm("src").MacAddress, _b.Vm("copy").MacAddress);
            Assert.Equal(_a.Vm("src").Network.Device.Status, _b.Vm("copy").Network.Device.Status);
            Assert.True(_b.Vm("copy").Network.Device.LinkUp);

            // Beside its original the copy has the same MAC, and the switch takes one adapter per address: it stays unconnected.
            _ps.Run("Import-HvVm $d/src.hvvm -Name twin | Out-Null").NoErrors();
            var twin = Adapter("twin", "a");
            Assert.Equal(mac, (string)twin.MacAddress);
            Assert.Null((string)twin.SwitchName);
        }

        [Fact]
        public void A_vm_moved_to_a_host_without_its_switch_keeps_its_adapter_unconnected()
        {
            _a.AddVm("mover", "lxnic", VmState.Paused);
            _ps.Run("New-HvSwitch lab; Connect-HvVmNetworkAdapter mover -SwitchName lab").NoErrors();
            string mac = (string)Adapter("mover", "a").MacAddress;
            _ps.Run("Move-HvVm mover -Destination $b -Force").NoErrors();
            var moved = Adapter("mover", "b");
            Assert.Equal(mac, (string)moved.MacAddress);
            Assert.Null((string)moved.SwitchName);
            Assert.False(_b.Vm("mover").Network.Device.LinkUp);
            // The source's port went with it: its switch is empty and can go.
            _ps.Run("Remove-HvSwitch lab -Force").NoErrors();
            _ps.Run("New-HvSwitch lab -Server $b | Out-Null; Connect-HvVmNetworkAdapter mover -Server $b -SwitchName lab").NoErrors();
            Assert.Equal("lab", (string)Adapter("mover", "b").SwitchName);
        }

        [Fact]
        public void A_vm_without_an_adapter_imports_without_one()
        {
            _a.AddVm("plain", "spin", VmState.Paused);
            _ps.Run("Export-HvVm plain -Path $d/plain.hvvm; Import-HvVm $d/plain.hvvm -Server $b | Out-Null").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVmNetworkAdapter plain -Server $b").NoErrors().Output);
            Assert.Null(_b.Vm("plain").Network);
        }
    }
}
