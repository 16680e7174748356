using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>
    /// tools/HvRelay (Bochs' COM1 for any number of successive clients): a second client that connects while one is
    /// working waits its turn instead of cutting the first off, and is bridged once the first leaves.
    /// </summary>
    public sealed class RelayTests : IDisposable
    {
        private readonly TcpListener _emulatorSide = new TcpListener(IPAddress.Loopback, 0);
        private readonly Process _relay;
        private readonly int _port;
        private readonly Socket _line;

        public RelayTests()
        {
            string dir = Path.Combine(HvBoot.RepositoryRoot, "artifacts", "tools", "relay");
            var build = Process.Start("dotnet", $"build \"{Path.Combine(HvBoot.RepositoryRoot, "tools", "HvRelay")}\" -c Release -o \"{dir}\" -nologo -v:q")!;
            build.WaitForExit();
            Assert.Equal(0, build.ExitCode);
            _emulatorSide.Start();
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _relay = Process.Start(Path.Combine(dir, "HvRelay"), $"{_port} {((IPEndPoint)_emulatorSide.LocalEndpoint).Port}")!;
            _line = _emulatorSide.AcceptSocket();
            _line.ReceiveTimeout = 60000;
        }

        public void Dispose()
        {
            _relay.Kill();
            _relay.WaitForExit();
            _line.Dispose();
            _emulatorSide.Stop();
        }

        private Socket Client()
        {
            for (;;)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 60000 };
                try
                {
                    s.Connect(IPAddress.Loopback, _port);
                    return s;
                }
                catch (SocketException)
                {
                    s.Dispose(); // the relay is still starting
                    System.Threading.Thread.Sleep(50);
                }
            }
        }

        private static string Read(Socket s, int count)
        {
            var buffer = new byte[count];
            int have = 0;
            while (have < count)
            {
                int n = s.Receive(buffer, have, count - have, SocketFlags.None);
                if (n == 0) throw new EndOfStreamException($"closed after {have} of {count} bytes");
                have += n;
            }
            return Encoding.ASCII.GetString(buffer);
        }

        [Fact]
        public void A_second_client_waits_its_turn_instead_of_cutting_off_the_first()
        {
            using Socket first = Client();
            first.Send(Encoding.ASCII.GetBytes("a1"));
            Assert.Equal("a1", Read(_line, 2));
            _line.Send(Encoding.ASCII.GetBytes("x"));
            Assert.Equal("x", Read(first, 1));

            using Socket second = Client();
            second.Send(Encoding.ASCII.GetBytes("b1"));
            // The first keeps the line both ways; the second's bytes are held, and it hears nothing.
            first.Send(Encoding.ASCII.GetBytes("a2"));
            Assert.Equal("a2", Read(_line, 2));
            _line.Send(Encoding.ASCII.GetBytes("y"));
            Assert.Equal("y", Read(first, 1));
            Assert.Equal(0, second.Available);

            // Once the first leaves, the second is bridged, with what it sent while it waited.
            first.Dispose();
            Assert.Equal("b1", Read(_line, 2));
            _line.Send(Encoding.ASCII.GetBytes("z"));
            Assert.Equal("z", Read(second, 1));
        }
    }
}
