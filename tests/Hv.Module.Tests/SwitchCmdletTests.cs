using System;
using System.Linq;
using System.Management.Automation;
using Hv.Core.Networking;
using Hv.Testing;

namespace Hv.Module.Tests
{
    /// <summary>New/Get/Remove-HvSwitch in the real PowerShell engine against the real management server and hypervisor (in process).</summary>
    public sealed class SwitchCmdletTests : IDisposable
    {
        private readonly InProcessHost _host = InProcessHost.Start();
        private readonly PsSession _ps = new PsSession();

        public SwitchCmdletTests()
        {
            _ps.Run("$h = Connect-HvHost -ComputerName 127.0.0.1 -Port $args[0] -Key $args[1] -TimeoutSec 5", _host.Port, _host.KeyText).NoErrors();
        }

        public void Dispose()
        {
            _ps.Dispose();
            _host.Dispose();
        }

        private static byte[] Frame(ulong destination, ulong source)
        {
            var frame = new byte[60];
            for (int i = 0; i < 6; i++)
            {
                frame[i] = EthernetFrame.MacOctet(destination, i);
                frame[6 + i] = EthernetFrame.MacOctet(source, i);
            }
            return frame;
        }

        private static ErrorRecord SingleError(PsResult r, string id, ErrorCategory category)
        {
            ErrorRecord e = Assert.Single(r.Errors);
            Assert.Equal(category, e.CategoryInfo.Category);
            Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
            return e;
        }

        [Fact]
        public void Switches_are_made_listed_by_wildcard_and_removed_through_the_pipeline()
        {
            var made = _ps.Run("New-HvSwitch lab-a, lab-b, other").NoErrors().Of("HvSwitch");
            Assert.Equal(new[] { "lab-a", "lab-b", "other" }, made.Select(s => (string)s.Name).ToArray());
            Assert.All(made, s => Assert.Equal(32u, (uint)s.MaxAdapters));
            var lab = _ps.Run("Get-HvSwitch lab*").NoErrors().Of("HvSwitch");
            Assert.Equal(2, lab.Length);
            Assert.All(lab, s => Assert.Equal("127.0.0.1", ((string)s.ComputerName).Split(':')[0]));
            SingleError(_ps.Run("Get-HvSwitch nosuch"), "Hv.SwitchNotFound", ErrorCategory.ObjectNotFound);
            Assert.Empty(_ps.Run("Get-HvSwitch nomatch*").NoErrors().Output);
            string table = _ps.Run("Get-HvSwitch other | Out-Default").NoErrors().HostText;
            Assert.Matches(@"other\s+0\s+0\s+0\s+0\s", table);
            _ps.Run("Get-HvSwitch lab* | Remove-HvSwitch -Force").NoErrors();
            Assert.Equal(new[] { "other" }, _ps.Run("Get-HvSwitch").NoErrors().Of("HvSwitch").Select(s => (string)s.Name).ToArray());
            Assert.Equal(1, _host.WithHypervisor(hv => hv.Switches.Count));
            _ps.Run("Remove-HvSwitch other -WhatIf").NoErrors();
            Assert.Single(_ps.Run("Get-HvSwitch").NoErrors().Of("HvSwitch"));
            _ps.Run("Remove-HvSwitch -Name oth* -Server $h -Confirm:$false").NoErrors();
            Assert.Empty(_ps.Run("Get-HvSwitch").NoErrors().Output);
        }

        [Fact]
        public void Bad_duplicate_surplus_and_busy_switches_are_refused_clearly()
        {
            _ps.Run("New-HvSwitch s").NoErrors();
            SingleError(_ps.Run("New-HvSwitch s"), "Hv.SwitchExists", ErrorCategory.ResourceExists);
            Assert.Contains("space", SingleError(_ps.Run("New-HvSwitch ' lead'"), "Hv.InvalidArgument", ErrorCategory.InvalidArgument).ToString());
            _ps.Run("New-HvSwitch (2..16 | ForEach-Object { \"n$_\" })").NoErrors();
            Assert.Contains("maximum number of switches",
                SingleError(_ps.Run("New-HvSwitch n17"), "Hv.ResourceUnavailable", ErrorCategory.ResourceUnavailable).ToString());
            // A switch with a connected adapter stays, and says why.
            _host.WithHypervisor(hv => hv.Switches.Find("s").Switch.Connect(7, 0x020000000007, out _));
            var busy = SingleError(_ps.Run("Remove-HvSwitch s -Force"), "Hv.SwitchInUse", ErrorCategory.InvalidOperation);
            Assert.Contains("disconnect them first", busy.ToString());
            var s = _ps.Run("Get-HvSwitch s").NoErrors().Of("HvSwitch").Single();
            Assert.Equal(1u, (uint)s.ConnectedAdapters);
            SingleError(_ps.Run("Remove-HvSwitch nosuch -Force"), "Hv.SwitchNotFound", ErrorCategory.ObjectNotFound);
        }

        [Fact]
        public void The_host_counts_what_its_switches_did()
        {
            _ps.Run("New-HvSwitch c").NoErrors();
            _host.WithHypervisor(hv =>
            {
                VirtualSwitch sw = hv.Switches.Find("c").Switch;
                sw.Connect(1, 0x020000000001, out SwitchPort a);
                sw.Connect(2, 0x020000000002, out SwitchPort b);
                b.Send(Frame(EthernetFrame.Broadcast, 0x020000000002));
                a.Send(Frame(0x020000000002, 0x020000000001));
                a.Send(Frame(0x020000000002, 0x020000000009));
            });
            var c = _ps.Run("Get-HvSwitch c").NoErrors().Of("HvSwitch").Single();
            Assert.Equal((1UL, 1UL, 1UL, 2u), ((ulong)c.FloodedFrames, (ulong)c.ForwardedFrames, (ulong)c.SpoofedDrops, (uint)c.ConnectedAdapters));
        }
    }
}
