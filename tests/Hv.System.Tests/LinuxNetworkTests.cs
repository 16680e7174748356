using System;
using System.Linq;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// VMs' own network: clones of the primed linux template (nic=1: Debian's virtio_net found the adapter at PCI 00:02.0
    /// while priming) take their own MACs, two on one host switch ping each other, and a third on another switch is not
    /// reached; the switches count what they forwarded. The Linux boot is the shared priming VM's (PrimedLinuxHost).
    /// </summary>
    [Collection(PrimedLinuxHost.Name)]
    public class LinuxNetworkTests : PrimedLinuxTest
    {
        public LinuxNetworkTests(PrimingLinuxHostFixture fixture) : base(fixture) { }

        private string Mac(string vm) =>
            Shell.Ps.Run("(Get-HvVmNetworkAdapter -Server $h -Name $args[0]).MacAddress", vm).NoErrors().Output.Single().ToString();

        // The clone's eth0 still has the template's address (read at probe, while priming): it takes the adapter's own.
        private void Up(string vm, int host, int n)
        {
            string link = Run(vm, "dmesg -n 1; ip link set eth0 down; ip link set eth0 address " + Mac(vm) + "; ip addr add 10.0.0." + host
                + "/24 dev eth0; ip link set eth0 up; ip -o link show eth0", n);
            Assert.Contains(Mac(vm), link);
        }

        // What the guests and the host saw, for a failure's message.
        private string Diagnostics()
        {
            string text = "";
            int n = 100;
            foreach (string vm in new[] { "net-1", "net-2" })
            {
                text += "\n--- " + vm + ":\n" + Run(vm, "cat /sys/class/net/eth0/carrier /sys/class/net/eth0/operstate /sys/class/net/eth0/statistics/tx_packets "
                    + "/sys/class/net/eth0/statistics/rx_packets; "
                    + "grep -i virtio /proc/interrupts; ip neigh; dmesg | grep -i -e virtio -e eth0 | tail -5", n++);
                foreach (var a in Shell.Ps.Run("Get-HvVmNetworkAdapter -Server $h -Name $args[0]", vm).Of("HvVmNetworkAdapter"))
                    text += "adapter " + a.MacAddress + " on " + a.SwitchName + ": tx " + a.TransmittedFrames + " rx " + a.ReceivedFrames + " txdrop "
                        + a.TransmitDrops + " rxdrop " + a.ReceiveDrops + " spoofed " + a.SpoofedDrops + " full " + a.QueueFullDrops + "\n";
            }
            foreach (var s in Shell.Ps.Run("Get-HvSwitch -Server $h").Of("HvSwitch"))
                text += "switch " + s.Name + ": fwd " + s.ForwardedFrames + " flood " + s.FloodedFrames + " spoofed " + s.SpoofedDrops + "\n";
            return text + "\n--- host log (network):\n" + string.Join("\n", Host.Log.Split('\n').Where(l => l.Contains("virtio") || l.Contains("eth0")));
        }

        [Fact]
        public void Two_clones_on_one_switch_ping_each_other_and_a_third_on_another_switch_is_not_reached()
        {
            using var guard = Host.Within(TimeSpan.FromSeconds(3600));
            Host.WaitForLog("template: linux primed in", TimeSpan.FromSeconds(3600));
            Assert.Matches(@"\[priming-linux\] \[\s*[\d.]+\] pci 0000:00:02\.0: \[1af4:1041\]", Host.Log);
            Shell.Ps.Run("New-HvSwitch -Server $h lab, far | Out-Null; New-HvVm -Server $h -Template linux -Name net -Count 3 -Start | Out-Null").NoErrors();
            Shell.Ps.Run("Connect-HvVmNetworkAdapter -Server $h net-1, net-2 -SwitchName lab; Connect-HvVmNetworkAdapter -Server $h net-3 -SwitchName far").NoErrors();
            Up("net-1", 1, 1);
            Up("net-2", 2, 2);
            Up("net-3", 3, 3);

            string ping = Run("net-1", "ping -c 3 -W 20 10.0.0.2; echo rc=$?", 4);
            if (!ping.Contains("rc=0")) Assert.Fail(ping + Diagnostics());
            Assert.Contains("3 packets received", ping);
            string far = Run("net-1", "ping -c 2 -W 5 10.0.0.3 >/dev/null 2>&1; echo rc=$?", 5);
            Assert.Contains("rc=1", far);
            var lab = Shell.Ps.Run("Get-HvSwitch -Server $h lab").NoErrors().Of("HvSwitch").Single();
            Assert.True((ulong)lab.ForwardedFrames >= 6, "forwarded " + lab.ForwardedFrames);
            Assert.Equal(0UL, (ulong)lab.SpoofedDrops);
            Assert.Equal(0UL, (ulong)Shell.Ps.Run("Get-HvSwitch -Server $h far").NoErrors().Of("HvSwitch").Single().ForwardedFrames);

            Shell.Ps.Run("Get-HvVm -Server $h -Name net-* | Remove-HvVm -Force; Remove-HvSwitch -Server $h lab, far -Force").NoErrors();
        }
    }
}
