using System;
using System.Collections.Generic;
using System.Text;
using Hv.Core.Net;

namespace Hv.Core.Tests.Net
{
    public class TcpTestServiceTests
    {
        private const ushort Port = 47000;

        private static (Link Link, TcpTestService Service) Serve()
        {
            var link = new Link(7, new NetConfig { TcpMinRtoMs = 200 }, loss: 0.02);
            TcpTestService service = TcpTestService.Start(link.A, Port, 2);
            Assert.NotNull(service);
            return (link, service);
        }

        private static TcpConnection Connect(Link link, TcpTestService service)
        {
            TcpConnection client = link.B.Tcp.Connect(Link.AddressA, Port);
            Assert.True(link.RunUntil(() => { service.Poll(); return client.State == TcpState.Established; }, 10_000_000));
            return client;
        }

        /// <summary>Writes all of data as the window allows and collects what comes back until it is as long as data less one.</summary>
        private static byte[] Echo(Link link, TcpTestService service, TcpConnection client, byte[] data)
        {
            int sent = 0;
            var received = new List<byte>();
            var buffer = new byte[4096];
            Assert.True(link.RunUntil(() =>
            {
                service.Poll();
                if (sent < data.Length)
                    sent += Math.Max(0, client.Write(data.AsSpan(sent)));
                int n;
                while ((n = client.Read(buffer)) > 0)
                    received.AddRange(buffer.AsSpan(0, n).ToArray());
                return received.Count >= data.Length - 1;
            }, 120_000_000));
            return received.ToArray();
        }

        [Fact]
        public void Echo_returns_every_byte_after_the_command()
        {
            var (link, service) = Serve();
            TcpConnection client = Connect(link, service);
            var data = new byte[100_000];
            new Random(1).NextBytes(data);
            data[0] = TcpTestService.EchoCommand;
            byte[] echoed = Echo(link, service, client, data);
            Assert.Equal(data.AsSpan(1).ToArray(), echoed);
        }

        [Fact]
        public void Discard_counts_the_bytes_and_answers_once_the_client_has_closed_its_side()
        {
            // The client half-closes (FIN, still reading), which the stack's own API does not offer: a scripted peer.
            var peer = new TcpPeer();
            peer.Listener.Close();
            TcpTestService service = TcpTestService.Start(peer.Stack, TcpPeer.ServerPort, 2);
            Packets.Sent synAck = Assert.Single(peer.Send(TcpFlags.Syn, options: Packets.MssOption(1460)));
            peer.ServerIss = synAck.Seq;
            peer.Seq++;
            uint ack = peer.ServerIss + 1;
            peer.Send(TcpFlags.Ack, ack);
            service.Poll();

            var reply = new List<byte>();
            bool finished = false;
            void Collect(List<Packets.Sent> segments)
            {
                foreach (Packets.Sent s in segments)
                {
                    reply.AddRange(s.Data);
                    finished |= s.Has(TcpFlags.Fin);
                }
            }
            Collect(peer.SendData(new[] { TcpTestService.DiscardCommand }, ack));
            const int chunks = 200;
            for (int i = 0; i < chunks; i++)
            {
                Collect(peer.SendData(new byte[1000], ack));
                service.Poll(); // reads, so the window stays open
            }
            Assert.Equal(0UL, service.DiscardsFinished);
            Collect(peer.SendData(Array.Empty<byte>(), ack, extraFlags: TcpFlags.Fin));
            service.Poll();
            Collect(peer.Sent());

            Assert.Equal("200000\n", Encoding.ASCII.GetString(reply.ToArray()));
            Assert.True(finished, "the service closes after its answer");
            Assert.Equal(1UL, service.DiscardsFinished);
            Assert.Equal(200000UL, service.LastDiscardCount);
        }

        [Fact]
        public void An_unknown_command_resets_the_connection_and_the_slot_serves_the_next_client()
        {
            var (link, service) = Serve();
            TcpConnection first = Connect(link, service);
            first.Write(Encoding.ASCII.GetBytes("x"));
            Assert.True(link.RunUntil(() => { service.Poll(); return first.State == TcpState.Closed; }, 10_000_000));
            Assert.Equal(TcpCloseReason.Reset, first.CloseReason);
            first.Close();

            for (int i = 0; i < 3; i++)
            {
                TcpConnection next = Connect(link, service);
                byte[] echoed = Echo(link, service, next, Encoding.ASCII.GetBytes("ehi"));
                Assert.Equal("hi", Encoding.ASCII.GetString(echoed));
                next.Abort();
            }
        }
    }
}
