using Hv.Core.Networking;

namespace Hv.Core.Tests.Switching
{
    /// <summary>The host's table of named switches: the name rule, uniqueness, its bound, and removal only when no adapter is connected.</summary>
    public class HostSwitchesTests
    {
        private readonly HostSwitches _switches = new HostSwitches(3, 1000);

        [Fact]
        public void Switches_are_made_found_and_removed_by_name_in_creation_order()
        {
            Assert.Equal(NetworkStatus.Ok, _switches.Create("a", out HostSwitch a));
            Assert.Equal(NetworkStatus.Ok, _switches.Create("b", out HostSwitch b));
            Assert.Same(a, _switches.Find("a"));
            Assert.Same(b, _switches.At(1));
            Assert.Equal(HostSwitches.PortsPerSwitch, a.Switch.MaxPorts);
            Assert.Equal(NetworkStatus.Ok, _switches.Remove("a"));
            Assert.Null(_switches.Find("a"));
            Assert.Same(b, _switches.At(0));
            Assert.Equal(1, _switches.Count);
            Assert.Equal(NetworkStatus.NoSuchSwitch, _switches.Remove("a"));
        }

        [Fact]
        public void Bad_duplicate_and_surplus_names_are_refused()
        {
            Assert.Equal(NetworkStatus.InvalidName, _switches.Create(" lead", out _));
            Assert.Equal(NetworkStatus.InvalidName, _switches.Create("..", out _));
            Assert.Equal(NetworkStatus.Ok, _switches.Create("x", out _));
            Assert.Equal(NetworkStatus.NameInUse, _switches.Create("x", out _));
            Assert.Equal(NetworkStatus.Ok, _switches.Create("y", out _));
            Assert.Equal(NetworkStatus.Ok, _switches.Create("z", out _));
            Assert.Equal(NetworkStatus.TooManySwitches, _switches.Create("w", out HostSwitch none));
            Assert.Null(none);
            Assert.Equal(NetworkStatus.Ok, _switches.Remove("y"));
            Assert.Equal(NetworkStatus.Ok, _switches.Create("w", out _)); // the slot came back
        }

        [Fact]
        public void A_switch_with_a_connected_adapter_is_not_removed_and_its_drops_are_summed_over_its_ports()
        {
            _switches.Create("s", out HostSwitch s);
            Assert.Equal(SwitchStatus.Ok, s.Switch.Connect(1, 0x020000000001, out SwitchPort port));
            Assert.Equal(ForwardResult.DroppedSpoofed, port.Send(VirtualSwitchTests.Frame(EthernetFrame.Broadcast, 0x020000000002)));
            Assert.Equal(ForwardResult.DroppedMalformed, port.Send(new byte[10]));
            Assert.Equal(1UL, s.SpoofedDrops);
            Assert.Equal(1UL, s.MalformedDrops);
            Assert.Equal(NetworkStatus.SwitchInUse, _switches.Remove("s"));
            Assert.Same(s, _switches.Find("s"));
            s.Switch.Disconnect(port);
            Assert.Equal(0, s.Switch.ConnectedPorts);
            Assert.Equal(NetworkStatus.Ok, _switches.Remove("s"));
        }

        [Fact]
        public void Learned_addresses_age_out_by_the_clock_the_host_advances()
        {
            _switches.Create("s", out HostSwitch s);
            s.Switch.Connect(1, 0x020000000001, out SwitchPort a);
            s.Switch.Connect(2, 0x020000000002, out SwitchPort b);
            s.Switch.Connect(3, 0x020000000003, out SwitchPort c);
            Assert.Equal(ForwardResult.Flooded, b.Send(VirtualSwitchTests.Frame(0x020000000001, 0x020000000002)));
            Assert.Equal(ForwardResult.Forwarded, a.Send(VirtualSwitchTests.Frame(0x020000000002, 0x020000000001)));
            _switches.AdvanceClock(HostSwitches.AgingSeconds * 1000 + 1);
            Assert.Equal(ForwardResult.Flooded, a.Send(VirtualSwitchTests.Frame(0x020000000002, 0x020000000001)));
            Assert.Equal(2UL, s.Switch.FloodedFrames);
            Assert.Equal(1UL, s.Switch.ForwardedFrames);
        }
    }
}
