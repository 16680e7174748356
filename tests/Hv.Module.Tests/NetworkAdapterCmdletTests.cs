using System;
using System.Linq;
using System.Management.Automation;
using Hv.Core.Vm;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>
    /// Add/Get/Remove/Connect/Disconnect-HvVmNetworkAdapter in the real PowerShell engine against the real management server
    /// and hypervisor (in process), on PC VMs of linux templates that are made, paused, copied and stopped (never run:
    /// the guests' traffic is the unit tests' and the Bochs tests' part).
    /// </summary>
    public sealed class NetworkAdapterCmdletTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public NetworkAdapterCmdletTests()
        {
            _host.AddLinuxTemplate("lxnic", networkAdapter: true);
            _host.AddLinuxTemplate("lx", networkAdapter: false);
            _ps.Run("$h = Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
        }

        private static ErrorRecord SingleError(PsResult r, string id, ErrorCategory category)
        {
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
            return e;
        }

        [Fact]
        public void Vms_of_a_nic_template_have_their_own_mac_and_connect_disconnect_and_move_between_switches()
        {
            _ps.Run("New-HvVm a, b -Template lxnic; New-HvVm plain -Template lx; New-HvSwitch lab, other").NoErrors();
            var adapters = _ps.Run("Get-HvVmNetworkAdapter *").NoErrors().Of("HvVmNetworkAdapter");
            Assert.Equal(new[] { "a", "b" }, adapters.Select(x => (string)x.VMName).OrderBy(x => x).ToArray());
            Assert.All(adapters, x => { Assert.Null((string)x.SwitchName); Assert.False((bool)x.Connected); });
            Assert.NotEqual((string)adapters[0].MacAddress, (string)adapters[1].MacAddress);
            Assert.Matches("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", (string)adapters[0].MacAddress);
            string mac = _ps.Run("(Get-HvVmNetworkAdapter a).MacAddress").NoErrors().Output.Single().ToString();
            Assert.Equal(_host.WithHypervisor(hv => hv.FindByName("a").MacAddress), Convert.ToUInt64(mac.Replace(":", ""), 16));

            var connected = _ps.Run("Connect-HvVmNetworkAdapter a, b -SwitchName lab -PassThru").NoErrors().Of("HvVmNetworkAdapter");
            Assert.All(connected, x => Assert.Equal("lab", (string)x.SwitchName));
            Assert.Equal(2u, (uint)_ps.Run("Get-HvSwitch lab").NoErrors().Of("HvSwitch").Single().ConnectedAdapters);
            Assert.True(_host.WithHypervisor(hv => hv.FindByName("a").Network.Device.LinkUp));
            // Adapter objects pipe back in (VMName and Server bind by property name).
            _ps.Run("Get-HvVmNetworkAdapter b | Connect-HvVmNetworkAdapter -SwitchName other").NoErrors();
            Assert.Equal(1u, (uint)_ps.Run("Get-HvSwitch lab").NoErrors().Of("HvSwitch").Single().ConnectedAdapters);
            Assert.Equal("other", (string)_ps.Run("Get-HvVmNetworkAdapter b").NoErrors().Of("HvVmNetworkAdapter").Single().SwitchName);
            _ps.Run("Connect-HvVmNetworkAdapter a -SwitchName ''; Disconnect-HvVmNetworkAdapter b").NoErrors();
            Assert.All(_ps.Run("Get-HvVmNetworkAdapter a, b").NoErrors().Of("HvVmNetworkAdapter"), x => Assert.False((bool)x.Connected));
            Assert.False(_host.WithHypervisor(hv => hv.FindByName("a").Network.Device.LinkUp));
            _ps.Run("Remove-HvSwitch lab, other -Force").NoErrors();

            string table = _ps.Run("Get-HvVmNetworkAdapter a | Out-Default").NoErrors().HostText;
            Assert.Contains(mac, table);
        }

        [Fact]
        public void A_switch_with_connected_adapters_stays_until_they_leave_and_removing_a_vm_frees_its_port()
        {
            _ps.Run("New-HvVm a -Template lxnic; New-HvSwitch lab; Connect-HvVmNetworkAdapter a -SwitchName lab").NoErrors();
            SingleError(_ps.Run("Remove-HvSwitch lab -Force"), "Hv.SwitchInUse", ErrorCategory.InvalidOperation);
            _ps.Run("Remove-HvVm a -Force").NoErrors();
            Assert.Equal(0u, (uint)_ps.Run("Get-HvSwitch lab").NoErrors().Of("HvSwitch").Single().ConnectedAdapters);
            _ps.Run("Remove-HvSwitch lab -Force").NoErrors();
        }

        [Fact]
        public void Adapters_are_added_and_removed_only_while_the_vm_is_off_and_boots_afresh()
        {
            _ps.Run("New-HvVm p -Template lx; New-HvSwitch lab").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVmNetworkAdapter p").NoErrors().Output);
            var added = _ps.Run("Add-HvVmNetworkAdapter p -SwitchName lab -PassThru").NoErrors().Of("HvVmNetworkAdapter").Single();
            Assert.Equal("lab", (string)added.SwitchName);
            Assert.NotNull(_host.WithHypervisor(hv => hv.FindByName("p").Platform.Pci.Network));
            Assert.Contains("already", SingleError(_ps.Run("Add-HvVmNetworkAdapter p"), "Hv.AlreadyExists", ErrorCategory.ResourceExists).ToString());
            _ps.Run("Remove-HvVmNetworkAdapter p -Force").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVmNetworkAdapter p").NoErrors().Output);
            Assert.Equal(0u, (uint)_ps.Run("Get-HvSwitch lab").NoErrors().Of("HvSwitch").Single().ConnectedAdapters);
            SingleError(_ps.Run("Remove-HvVmNetworkAdapter p -Force"), "Hv.NoNetworkAdapter", ErrorCategory.ObjectNotFound);
            SingleError(_ps.Run("Connect-HvVmNetworkAdapter p -SwitchName lab"), "Hv.NoNetworkAdapter", ErrorCategory.ObjectNotFound);
            // Not while it is on; not for a VM that continues a captured state (a copy); not for a VM without PCI.
            _host.AddVm("on", "lx", VmState.Paused);
            Assert.Contains("off", SingleError(_ps.Run("Add-HvVmNetworkAdapter on"), "Hv.InvalidState", ErrorCategory.InvalidOperation).ToString());
            // A stopped copy restarts from its (unprimed) template afresh: it may get an adapter.
            _ps.Run("Copy-HvVm -VMName on -Name copy").NoErrors();
            Assert.Contains("off", SingleError(_ps.Run("Add-HvVmNetworkAdapter copy"), "Hv.InvalidState", ErrorCategory.InvalidOperation).ToString());
            _ps.Run("Stop-HvVm copy -TurnOff -Force; Add-HvVmNetworkAdapter copy").NoErrors();
            // A clone of a primed template continues its guest, which has probed its PCI bus: refused, as when it is stopped.
            _host.WithHypervisor(hv =>
            {
                VirtualMachine on = hv.FindByName("on");
                Assert.Equal(Hv.Core.Memory.AddressSpaceStatus.Ok, on.Memory.Fork(out Hv.Core.Memory.AddressSpace golden));
                var state = new Hv.Core.Vmx.VcpuState();
                on.Capture(state);
                hv.Templates.Find("lx").Prime(golden, state, null);
            });
            _ps.Run("New-HvVm clone -Template lx").NoErrors();
            Assert.Contains("captured state", SingleError(_ps.Run("Add-HvVmNetworkAdapter clone"), "Hv.InvalidState", ErrorCategory.InvalidOperation).ToString());
            _ps.Run("Stop-HvVm clone -TurnOff -Force").NoErrors();
            Assert.Contains("captured state", SingleError(_ps.Run("Add-HvVmNetworkAdapter clone"), "Hv.InvalidState", ErrorCategory.InvalidOperation).ToString());
            _ps.Run("New-HvVm bare -Template spin").NoErrors();
            SingleError(_ps.Run("Add-HvVmNetworkAdapter bare"), "Hv.Unsupported", ErrorCategory.NotImplemented);
            // -WhatIf changes nothing.
            _ps.Run("Add-HvVmNetworkAdapter p -WhatIf").NoErrors();
            Assert.Empty(_ps.Run("Get-HvVmNetworkAdapter p").NoErrors().Output);
        }

        [Fact]
        public void A_copy_of_a_vm_with_an_adapter_has_one_with_its_own_mac_and_unknown_switches_are_refused()
        {
            _host.AddVm("src", "lxnic", VmState.Paused);
            _ps.Run("Copy-HvVm -VMName src -Name dup; New-HvSwitch lab").NoErrors();
            var both = _ps.Run("Get-HvVmNetworkAdapter src, dup").NoErrors().Of("HvVmNetworkAdapter");
            Assert.Equal(2, both.Length);
            Assert.NotEqual((string)both[0].MacAddress, (string)both[1].MacAddress);
            _ps.Run("Connect-HvVmNetworkAdapter src, dup -SwitchName lab").NoErrors();
            SingleError(_ps.Run("Connect-HvVmNetworkAdapter src -SwitchName nosuch"), "Hv.SwitchNotFound", ErrorCategory.ObjectNotFound);
            Assert.Equal("lab", (string)_ps.Run("Get-HvVmNetworkAdapter src").NoErrors().Of("HvVmNetworkAdapter").Single().SwitchName);
        }

        [Fact]
        public void Measure_HvVm_counts_a_frame_the_switch_dropped_as_the_senders_network_drop()
        {
            _ps.Run("New-HvVm a, b -Template lxnic; New-HvVm plain -Template lx; New-HvSwitch lab; Connect-HvVmNetworkAdapter a, b -SwitchName lab").NoErrors();
            // a's port sends a frame with b's address as its source (the adapter's own checks are the unit tests' part).
            _host.WithHypervisor(hv =>
            {
                ulong b = hv.FindByName("b").MacAddress;
                var frame = new byte[60];
                for (int i = 0; i < 6; i++) frame[i] = frame[6 + i] = Hv.Core.Networking.EthernetFrame.MacOctet(b, i);
                Assert.Equal(Hv.Core.Networking.ForwardResult.DroppedSpoofed, hv.FindByName("a").Network.Port.Send(frame));
            });
            var m = _ps.Run("Measure-HvVm a, b, plain").NoErrors().Of("HvVmMetrics").ToDictionary(x => (string)x.VmName);
            Assert.Equal(new ulong[] { 1, 0, 0 }, new[] { "a", "b", "plain" }.Select(n => (ulong)m[n].NetworkDrops).ToArray());
            // Nothing reached a guest: the frame counters are there, at zero (a VM without an adapter has them too).
            Assert.All(m.Values, x => Assert.Equal(0UL, (ulong)x.NetworkFramesSent + (ulong)x.NetworkFramesReceived
                + (ulong)x.NetworkBytesSent + (ulong)x.NetworkBytesReceived));
        }
    }
}
