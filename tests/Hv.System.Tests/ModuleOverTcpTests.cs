using System;
using System.IO;
using System.Linq;
using Hv.Emulators;
using Hv.Testing;

namespace Hv.SystemTests
{
    /// <summary>
    /// The module over TCP against two Bochs hosts (VT-x, e1000 NICs): connect by -ComputerName/-Port, upload a template,
    /// create and list VMs that run, and move a VM from one host to the other (export and import, pipelined).
    /// </summary>
    public class ModuleOverTcpTests
    {
        [Fact]
        public void Connect_upload_create_list_and_move_between_two_hosts_over_tcp()
        {
            using var one = RunningHost.Start("bochs", nic: "e1000");
            using var two = RunningHost.Start("bochs", nic: "e1000");
            foreach (var host in new[] { one, two }) host.WaitForLog("(dhcp)", TimeSpan.FromSeconds(120));
            using var guardOne = one.Within(TimeSpan.FromSeconds(900));
            using var guardTwo = two.Within(TimeSpan.FromSeconds(900));
            using var ps = new PsSession();
            string image = Path.Combine(HvBoot.RepositoryRoot, "artifacts", "iso-root", "boot", "guests", "hello.bin");
            var hosts = ps.Run(@"$a = Connect-HvHost 127.0.0.1 -Port $args[0] -Key $args[1] -NotDefault -TimeoutSec 600
                                 $b = Connect-HvHost 127.0.0.1 -Port $args[2] -Key $args[3] -NotDefault -TimeoutSec 600
                                 $a.Address; $b.Address",
                one.NetPort, one.KeyHex, two.NetPort, two.KeyHex).NoErrors();
            Assert.All(hosts.Output, o => Assert.EndsWith("(encrypted)", (string)o.BaseObject));

            ps.Run("New-HvTemplate -Server $a -Name greeter -Path $args[0] -EntryMode Real -MemoryMB 1 | Out-Null", image).NoErrors();
            var vms = ps.Run(@"New-HvVm -Server $a -Template greeter -Name net1, net2 -Start | Out-Null
                               Get-HvVm -Server $a -Name net*").NoErrors().Of("HvVm");
            Assert.Equal(new[] { "net1", "net2" }, vms.Select(v => (string)v.Name).OrderBy(n => n).ToArray());
            ps.Run("Get-HvVm -Server $a -Name net* | Wait-HvVm -State Stopped -Timeout 1800 | Out-Null").NoErrors();
            one.WaitForLog("[net2] hello from guest 5", TimeSpan.FromSeconds(60));

            // A paused VM moves to the other host over both TCP sessions and runs on there.
            ps.Run(@"$vm = New-HvVm -Server $a -Template ticker -Name traveller -Start
                     Wait-HvVm -VM $vm -ConsolePattern 'tick 2 ' -Timeout 1800 | Out-Null
                     Suspend-HvVm -VM $vm
                     $moved = Move-HvVm -VM $vm -Destination $b -Force -PassThru
                     Resume-HvVm -VM $moved").NoErrors();
            two.WaitForLog("[traveller] tick", TimeSpan.FromSeconds(120));
            Assert.Empty(ps.Run("Get-HvVm -Server $a -Name traveller -ErrorAction SilentlyContinue").Output);
            Assert.Single(ps.Run("Get-HvVm -Server $b -Name traveller").NoErrors().Of("HvVm"));
        }
    }
}
