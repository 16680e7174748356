using System;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// VMs' own network: clones of the primed linux template (nic=1: Debian's virtio_net found the adapter at PCI 00:02.0
    /// while priming) take their own MACs, two on one host switch ping each other and move a file with nc, a third on
    /// another switch is not reached, and a guest that sends with another VM's MAC is dropped at the switch and counted.
    /// The Linux boot is the shared priming VM's (PrimedLinuxHost).
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
        public void Two_clones_on_one_switch_ping_and_move_a_file_a_third_on_another_is_not_reached_and_spoofing_is_dropped()
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

            MovesAFileWithNc();
            SpoofedFramesAreDroppedAndCounted();

            Shell.Ps.Run("Get-HvVm -Server $h -Name net-* | Remove-HvVm -Force; Remove-HvSwitch -Server $h lab, far -Force").NoErrors();
        }

        // net-2 listens, net-1 sends 64 KiB of random bytes, and both sides' SHA-256 agree. The listener's stdin is a pipe
        // that stays open (busybox nc ends once its stdin reaches EOF) and it has no time limit: the guests' clock can
        // run far ahead while the test types into the consoles. It ends when the sender closes the connection.
        private void MovesAFileWithNc()
        {
            string listening = Run("net-2", "sleep 3600 | nc -l -p 5000 > /tmp/got & "
                + "while ! netstat -ltn | grep -q ':5000 '; do sleep 1; done; echo listening", 6);
            Assert.Contains("listening", listening);
            string sent = Run("net-1", "head -c 65536 /dev/urandom > /tmp/f; nc 10.0.0.2 5000 < /tmp/f; echo rc=$?; sha256sum /tmp/f", 7);
            if (!sent.Contains("rc=0")) Assert.Fail(sent + Diagnostics());
            string sum = Regex.Match(sent, "([0-9a-f]{64})  /tmp/f").Groups[1].Value;
            Assert.Matches("^[0-9a-f]{64}$", sum);
            // The receiver's nc ends when it has read the sender's end of stream: the file is complete then.
            string got = Run("net-2", "while pidof nc >/dev/null; do sleep 1; done; wc -c < /tmp/got; sha256sum /tmp/got", 8);
            if (!got.Contains(sum)) Assert.Fail(sent + got + Diagnostics());
            Assert.Contains("65536", got);
            // Measure-HvVm counts the adapters' traffic: the file and its headers one way.
            var m = Shell.Ps.Run("Measure-HvVm -Server $h -Name net-1, net-2").NoErrors().Of("HvVmMetrics").ToDictionary(x => (string)x.VmName);
            Assert.True((ulong)m["net-1"].NetworkBytesSent > 65536 && (ulong)m["net-2"].NetworkBytesReceived > 65536,
                "sent " + m["net-1"].NetworkBytesSent + ", received " + m["net-2"].NetworkBytesReceived);
            Assert.True((ulong)m["net-2"].NetworkFramesReceived > 65536 / 1500);
        }

        // net-2 poses as net-1 (its eth0 takes net-1's MAC): the switch drops every frame it sends and counts them,
        // on the switch and on net-2's adapter, and net-1 receives none of them.
        private void SpoofedFramesAreDroppedAndCounted()
        {
            ulong before = Received("net-1");
            string spoof = Run("net-2", "ip link set eth0 down; ip link set eth0 address " + Mac("net-1")
                + "; ip link set eth0 up; ping -c 2 -W 5 10.0.0.1 >/dev/null 2>&1; echo rc=$?", 9);
            Assert.Contains("rc=1", spoof);
            var lab = Shell.Ps.Run("Get-HvSwitch -Server $h lab").NoErrors().Of("HvSwitch").Single();
            if ((ulong)lab.SpoofedDrops < 2) Assert.Fail("spoofed " + lab.SpoofedDrops + Diagnostics());
            var adapter = Shell.Ps.Run("Get-HvVmNetworkAdapter -Server $h -Name net-2").NoErrors().Of("HvVmNetworkAdapter").Single();
            Assert.Equal((ulong)lab.SpoofedDrops, (ulong)adapter.SpoofedDrops);
            Assert.Equal(before, Received("net-1"));
            var m = Shell.Ps.Run("Measure-HvVm -Server $h -Name net-2").NoErrors().Of("HvVmMetrics").Single();
            Assert.True((ulong)m.NetworkDrops >= (ulong)lab.SpoofedDrops, "drops " + m.NetworkDrops);
        }

        private ulong Received(string vm) =>
            (ulong)Shell.Ps.Run("Get-HvVmNetworkAdapter -Server $h -Name $args[0]", vm).NoErrors().Of("HvVmNetworkAdapter").Single().ReceivedFrames;
    }
}
