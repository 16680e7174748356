using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
    public class HypervisorAdapterTests
    {
        private static HvClient Connect(InProcessHost host) =>
            HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", host.Port, 5000), host.Key), host.Key, 5000);

        private static VmInfo WaitForState(HvClient client, uint id, VmState state)
        {
            var watch = Stopwatch.StartNew();
            while (watch.ElapsedMilliseconds < 10000)
            {
                VmInfo vm = client.GetVm(id);
                if (vm.State == state) return vm;
                Thread.Sleep(10);
            }
            throw new TimeoutException($"VM {id} did not reach {state}");
        }

        [Fact]
        public void Creates_starts_reads_consoles_and_removes_three_vms()
        {
            using var host = InProcessHost.Start();
            using var client = Connect(host);
            int templatesOnly = host.Pages.Outstanding;
            Assert.Contains(client.ListTemplates(), t => t.Name == "hello");
            uint[] ids = Enumerable.Range(1, 3).Select(i => client.CreateVm("hello", "web" + i)).ToArray();
            foreach (uint id in ids) client.StartVm(id);
            foreach (uint id in ids)
            {
                VmInfo vm = WaitForState(client, id, VmState.Stopped);
                Assert.Equal(StopReason.GuestExit, vm.StopReason);
                Assert.Equal(0, vm.ExitCode);
                string console = Encoding.ASCII.GetString(client.ReadConsole(id, 0).Data);
                Assert.Equal(string.Concat(Enumerable.Range(1, 5).Select(n => $"hello from guest {n}\n")), console);
                Assert.True(client.GetMetrics(id).IoExits >= (ulong)console.Length);
            }
            Assert.Equal(3, client.ListVms().Length);
            foreach (uint id in ids) client.RemoveVm(id);
            Assert.Empty(client.ListVms());
            Assert.Equal(templatesOnly, host.Pages.Outstanding);
        }

        [Fact]
        public void Console_reads_continue_from_an_offset_across_reconnects()
        {
            using var host = InProcessHost.Start();
            uint id;
            ulong next;
            using (var client = Connect(host))
            {
                id = client.CreateVm("hello", "a");
                client.StartVm(id);
                WaitForState(client, id, VmState.Stopped);
                var first = client.ReadConsole(id, 0, 10);
                Assert.Equal("hello from", Encoding.ASCII.GetString(first.Data));
                next = first.NextOffset;
            }
            using (var client = Connect(host))
            {
                var rest = client.ReadConsole(id, next);
                Assert.StartsWith(" guest 1\nhello from guest 2", Encoding.ASCII.GetString(rest.Data));
            }
        }

        [Fact]
        public void A_spinning_vm_is_turned_off_on_request_and_frees_its_memory()
        {
            using var host = InProcessHost.Start();
            using var client = Connect(host);
            int templatesOnly = host.Pages.Outstanding;
            uint id = client.CreateVm("spin", "busy");
            // A clone of the template: a page for its own EPT root; its 1 MiB of RAM is shared copy-on-write.
            Assert.Equal(templatesOnly + 1, host.Pages.Outstanding);
            client.StartVm(id);
            Thread.Sleep(50);
            Assert.Equal(VmState.Running, client.GetVm(id).State);
            client.StopVm(id, force: true);
            var vm = client.GetVm(id);
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal(StopReason.Forced, vm.StopReason);
            Assert.Equal(templatesOnly, host.Pages.Outstanding);
        }

        [Fact]
        public void Errors_come_back_with_stable_codes()
        {
            using var host = InProcessHost.Start();
            using var client = Connect(host);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => client.GetVm(999)).Code);
            Assert.Equal(ErrorCode.NotFound, Assert.Throws<HvProtocolException>(() => client.CreateVm("nope", "x")).Code);
            uint id = client.CreateVm("hello", "x");
            Assert.Equal(ErrorCode.AlreadyExists, Assert.Throws<HvProtocolException>(() => client.CreateVm("hello", "x")).Code);
            Assert.Equal(ErrorCode.InvalidState, Assert.Throws<HvProtocolException>(() => client.ResumeVm(id)).Code);
            Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<HvProtocolException>(() => client.CreateVm("hello", "big", 4096)).Code);
        }

        [Fact]
        public void A_wrong_key_is_refused()
        {
            using var host = InProcessHost.Start();
            var wrong = (byte[])host.Key.Clone();
            wrong[0] ^= 1;
            var e = Assert.ThrowsAny<Exception>(() => HvClient.Connect(new SecureTransport(new TcpTransport("127.0.0.1", host.Port, 5000), wrong), wrong, 3000));
            Assert.True(e is HvProtocolException p ? p.Code == ErrorCode.AuthFailed : e is HvConnectionException, e.ToString());
        }

        [Fact]
        public void Starting_a_stopped_vm_restarts_it_from_its_template()
        {
            using var host = InProcessHost.Start();
            using var client = Connect(host);
            uint id = client.CreateVm("hello", "again");
            client.StartVm(id);
            WaitForState(client, id, VmState.Stopped);
            client.StartVm(id);
            VmInfo vm = WaitForState(client, id, VmState.Stopped);
            Assert.Equal(StopReason.GuestExit, vm.StopReason);
            string console = Encoding.ASCII.GetString(client.ReadConsole(id, 0).Data);
            Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(console, "hello from guest 5").Count);
        }
    }
}
