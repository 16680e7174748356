using System;
using System.Linq;
using System.Text;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;

using Hv.Testing;

namespace Hv.SystemTests
{
    // The management protocol against the real image in Bochs, over the emulated COM1 (a TCP socket).
    public class ManagementTests
    {
        private static VmInfo WaitFor(RunningHost host, HvClient client, uint id, VmState state)
        {
            VmInfo vm = null;
            host.WaitUntil(() => (vm = client.GetVm(id)).State == state, TimeSpan.FromSeconds(60), $"VM {id} {state}");
            return vm;
        }

        [Fact]
        public void A_client_creates_runs_reads_and_removes_two_vms_over_com1()
        {
            using var host = RunningHost.Start();
            using var guard = host.Within(TimeSpan.FromSeconds(120));
            using var client = host.Connect();
            HostInfo info = client.GetHostInfo();
            Assert.Equal("0.1.0", info.Version);
            Assert.Contains("+vmx", info.CpuFeatureNames);
            Assert.Contains(client.ListTemplates(), t => t.Name == "hello");

            uint a = client.CreateVm("hello", "alpha");
            uint b = client.CreateVm("hello", "beta");
            client.StartVm(a);
            client.StartVm(b);
            foreach (uint id in new[] { a, b })
            {
                VmInfo vm = WaitFor(host, client, id, VmState.Stopped);
                Assert.Equal(StopReason.GuestExit, vm.StopReason);
                string console = Encoding.ASCII.GetString(client.ReadConsole(id, 0).Data);
                Assert.Contains("hello from guest 5", console);
            }
            Assert.Equal(new[] { "alpha", "beta" }, client.ListVms().Select(v => v.Name).ToArray());
            client.RemoveVm(a);
            client.RemoveVm(b);
            Assert.Empty(client.ListVms());
            host.WaitForLog("[alpha] hello from guest 1", TimeSpan.FromSeconds(30));
        }
    }
}

namespace Hv.SystemTests
{
    public class ManagementWithoutVtxTests
    {
        [Fact]
        public void Without_vtx_the_image_serves_management_and_refuses_vms_with_a_clear_error()
        {
            using var host = Hv.Testing.RunningHost.Start("qemu");
            using var guard = host.Within(TimeSpan.FromSeconds(60));
            using var client = host.Connect();
            var info = client.GetHostInfo();
            Assert.Contains("+svm +npt", info.CpuFeatureNames);
            Assert.Contains("-vmx", info.CpuFeatureNames);
            Assert.Contains(client.ListTemplates(), t => t.Name == "hello");
            var e = Assert.Throws<Hv.Protocol.Client.HvProtocolException>(() => client.CreateVm("hello", "nope"));
            Assert.Equal(Hv.Protocol.Wire.ErrorCode.ResourceUnavailable, e.Code);
            Assert.Contains("VT-x", e.Message);
            Assert.Contains("vmx: not available", host.Log);
        }
    }
}
