using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Hv.Emulators;
using Xunit.Abstractions;

namespace Hv.SystemTests
{
    // The host's own NIC driver and TCP/IP stack in the real emulators: QEMU with e1000 and with virtio-net, Bochs with
    // e1000, each on its user-mode network (slirp), reached through the port tools/hv-boot --net-port forwards to the
    // image's TCP port 47000, where hv.nettest serves the echo/discard test service.
    public class NetworkTests
    {
        private static readonly TimeSpan NetBudget = TimeSpan.FromSeconds(60);
        private const int DiscardBytes = 4 << 20;
        private readonly ITestOutputHelper _output;

        public NetworkTests(ITestOutputHelper output) { _output = output; }

        [Theory]
        [InlineData("qemu", "e1000", "e1000 82540EM")]
        [InlineData("qemu", "virtio", "virtio-net")]
        [InlineData("bochs", "e1000", "e1000 82540EM")]
        public void The_host_brings_up_its_nic_takes_an_address_by_dhcp_and_serves_tcp_through_the_forwarded_port(
            string emulator, string nic, string model)
        {
            using var host = RunningHost.Start(emulator, "hv.nettest", nic: nic);
            host.WaitForLog("net: address 10.0.2.15/24 gateway 10.0.2.2 (dhcp)", NetBudget);
            Assert.Matches(new Regex($@"net: {Regex.Escape(model)} at 00:[0-9A-F]{{2}}\.0 mac 52:54:00:12:34:56 link up"), host.Log);
            Assert.Contains("net: test service (echo, discard) on tcp port 47000", host.Log);
            using (host.Within(NetBudget))
            {
                var data = new byte[64 << 10];
                new Random(13).NextBytes(data);
                Assert.Equal(data, Echo(host.NetPort, data));
                var watch = Stopwatch.StartNew();
                Assert.Equal($"{DiscardBytes}\n", Discard(host.NetPort, DiscardBytes));
                _output.WriteLine($"{emulator} {nic}: {DiscardBytes / 1024.0 / watch.Elapsed.TotalSeconds:0} KiB/s into the image");
            }
            host.WaitForLog($"net: test service discarded {DiscardBytes} bytes", NetBudget);
        }

        [Fact]
        public void A_static_address_from_the_command_line_takes_the_place_of_dhcp()
        {
            using var host = RunningHost.Start("qemu", "hv.nettest hv.ip=10.0.2.15/24,10.0.2.2", nic: "e1000");
            host.WaitForLog("net: address 10.0.2.15/24 gateway 10.0.2.2 (static)", NetBudget);
            using (host.Within(NetBudget))
                Assert.Equal(Encoding.ASCII.GetBytes("static"), Echo(host.NetPort, Encoding.ASCII.GetBytes("static")));
            Assert.DoesNotContain("(dhcp)", host.Log);
        }

        private static TcpClient Connect(int port) =>
            new TcpClient("127.0.0.1", port) { ReceiveTimeout = RunningHost.ClientBackstopMs, SendTimeout = RunningHost.ClientBackstopMs };

        // 'e', then data; reads until as many bytes came back (writing on its own task, so neither side waits on the other).
        private static byte[] Echo(int port, byte[] data)
        {
            using TcpClient client = Connect(port);
            NetworkStream stream = client.GetStream();
            Task writer = Task.Run(() =>
            {
                stream.WriteByte((byte)'e');
                stream.Write(data);
            });
            var back = new byte[data.Length];
            int got = 0;
            while (got < back.Length)
            {
                int n = stream.Read(back, got, back.Length - got);
                if (n == 0)
                    throw new EndOfStreamException($"the echo ended after {got} of {data.Length} bytes");
                got += n;
            }
            writer.Wait();
            return back;
        }

        // 'd', then bytes bytes, then a half-close; returns the service's answer (the count it received).
        private static string Discard(int port, int bytes)
        {
            using TcpClient client = Connect(port);
            NetworkStream stream = client.GetStream();
            var chunk = new byte[64 << 10];
            stream.WriteByte((byte)'d');
            for (int sent = 0; sent < bytes; sent += chunk.Length)
                stream.Write(chunk, 0, Math.Min(chunk.Length, bytes - sent));
            client.Client.Shutdown(SocketShutdown.Send);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            return reader.ReadToEnd();
        }
    }
}
