using System;
using System.Collections.Generic;
using System.Linq;
using Hv.Core.Net;

namespace Hv.Core.Tests.Net
{
    /// <summary>Two stacks talking TCP over an in-memory link: bulk transfers under loss, and every teardown order.</summary>
    public class TcpLinkTests
    {
        private const ushort Port = 7000;

        // Byte i of stream s, so each direction of each connection carries its own checkable data.
        private static byte Expected(int stream, long i) => (byte)((ulong)(i * 2654435761L + stream * 40503L) >> 11);

        /// <summary>One direction of one connection: writes its stream and checks the other side's.</summary>
        private sealed class Endpoint
        {
            public TcpConnection Connection;
            public int OutStream;
            public int InStream;
            public long ToSend;
            public long Sent;
            public long Received;
            public long ToReceive;
            private readonly byte[] _buffer = new byte[8192];

            public void Pump()
            {
                while (Sent < ToSend)
                {
                    int n = (int)Math.Min(_buffer.Length, ToSend - Sent);
                    for (int i = 0; i < n; i++)
                    {
                        _buffer[i] = Expected(OutStream, Sent + i);
                    }
                    int taken = Connection.Write(_buffer.AsSpan(0, n));
                    Assert.True(taken >= 0, "the connection stopped accepting data: " + Connection.State);
                    if (taken == 0)
                    {
                        break;
                    }
                    Sent += taken;
                }
                int read;
                while ((read = Connection.Read(_buffer)) > 0)
                {
                    for (int i = 0; i < read; i++)
                    {
                        if (_buffer[i] != Expected(InStream, Received + i))
                        {
                            Assert.Fail("stream " + InStream + " differs at byte " + (Received + i));
                        }
                    }
                    Received += read;
                }
            }

            public bool Done => Sent == ToSend && Received == ToReceive && Connection.Unacknowledged == 0;
        }

        private static (TcpConnection Client, TcpConnection Server) Open(Link link, TcpListener listener)
        {
            TcpConnection client = link.A.Tcp.Connect(Link.AddressB, Port);
            TcpConnection server = null;
            Assert.True(link.RunUntil(() => (server ??= listener.Accept()) != null && client.State == TcpState.Established, 60_000_000));
            return (client, server);
        }

        [Theory]
        [InlineData(1, 0.0, 0.0, 0.0)]
        [InlineData(2, 0.02, 0.01, 0.05)]
        [InlineData(3, 0.05, 0.03, 0.2)]
        public void SeveralConnections_MoveMebibytesBothWays_OverALossyLink(int seed, double loss, double duplicate, double reorder)
        {
            var config = new NetConfig { TcpConnections = 8, TcpMinRtoMs = 200 };
            var link = new Link(seed, config, loss, duplicate, reorder);
            TcpListener listener = link.B.Tcp.Listen(Port, 4);
            const int connections = 3;
            const long bytesEachWay = 3 << 19; // 1.5 MiB: 9 MiB in all
            var endpoints = new List<Endpoint>();
            for (int i = 0; i < connections; i++)
            {
                var (client, server) = Open(link, listener);
                endpoints.Add(new Endpoint { Connection = client, OutStream = 2 * i, InStream = 2 * i + 1, ToSend = bytesEachWay, ToReceive = bytesEachWay });
                endpoints.Add(new Endpoint { Connection = server, OutStream = 2 * i + 1, InStream = 2 * i, ToSend = bytesEachWay, ToReceive = bytesEachWay });
            }
            bool done = link.RunUntil(() =>
            {
                foreach (Endpoint e in endpoints)
                {
                    e.Pump();
                }
                return endpoints.All(e => e.Done);
            }, 600_000_000);
            Assert.True(done, "transfer stalled at " + string.Join(", ", endpoints.Select(e => e.Received)));
            foreach (Endpoint e in endpoints)
            {
                e.Connection.Close();
            }
            Assert.True(link.RunUntil(() => link.A.Tcp.ConnectionsInUse == 0 && link.B.Tcp.ConnectionsInUse == 0, 300_000_000));
            if (loss > 0)
            {
                Assert.True(link.Lost > 0);
                Assert.True(link.A.Counters.Get(NetStat.TcpFastRetransmits) + link.B.Counters.Get(NetStat.TcpFastRetransmits) > 0);
            }
            Assert.Equal(0UL, link.A.Counters.Get(NetStat.TcpResetsSent) + link.B.Counters.Get(NetStat.TcpResetsSent));
        }

        private static Link Quiet(out TcpListener listener, double loss = 0)
        {
            var link = new Link(7, new NetConfig { TcpMslMs = 1000, TcpMinRtoMs = 200 }, loss);
            listener = link.B.Tcp.Listen(Port, 4);
            return link;
        }

        private static void AssertAllReleased(Link link)
        {
            Assert.True(link.RunUntil(() => link.A.Tcp.ConnectionsInUse == 0 && link.B.Tcp.ConnectionsInUse == 0, 120_000_000),
                        "still in use: " + link.A.Tcp.ConnectionsInUse + " / " + link.B.Tcp.ConnectionsInUse);
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.2)]
        public void ClientClosesFirst(double loss)
        {
            Link link = Quiet(out TcpListener listener, loss);
            var (client, server) = Open(link, listener);
            client.Close();
            Assert.True(link.RunUntil(() => server.IsReceiveFinished, 60_000_000));
            Assert.Equal(TcpState.CloseWait, server.State);
            Assert.Equal(3, server.Write(new byte[] { 1, 2, 3 })); // half-closed: the server may still send
            server.Close();
            Assert.True(link.RunUntil(() => server.State == TcpState.Closed || link.B.Tcp.ConnectionsInUse == 0, 60_000_000));
            AssertAllReleased(link);
        }

        [Fact]
        public void ServerClosesFirst_AfterItsLastBytes_AndKeepsTimeWait()
        {
            Link link = Quiet(out TcpListener listener);
            var (client, server) = Open(link, listener);
            byte[] response = Enumerable.Range(0, 100_000).Select(i => Expected(9, i)).ToArray();
            int written = 0;
            var received = new List<byte>();
            var buffer = new byte[4096];
            Assert.True(link.RunUntil(() =>
            {
                if (written < response.Length)
                {
                    written += server.Write(response.AsSpan(written));
                    if (written == response.Length)
                    {
                        server.Close(); // FIN goes after the queued data
                    }
                }
                int n;
                while ((n = client.Read(buffer)) > 0)
                {
                    received.AddRange(buffer.Take(n));
                }
                return client.IsReceiveFinished;
            }, 60_000_000));
            Assert.Equal(response, received.ToArray());
            client.Close();
            Assert.True(link.RunUntil(() => link.A.Tcp.ConnectionsInUse == 0, 10_000_000));
            Assert.Equal(1, link.B.Tcp.ConnectionsInUse); // the side that closed first waits 2 MSL
            ulong start = link.Now;
            AssertAllReleased(link);
            Assert.InRange(link.Now - start, 1_900_000UL, 2_100_000UL);
        }

        [Fact]
        public void SimultaneousClose_GoesThroughClosingToTimeWaitOnBothSides()
        {
            Link link = Quiet(out TcpListener listener);
            var (client, server) = Open(link, listener);
            client.Close();
            server.Close();
            var states = new HashSet<TcpState>();
            Assert.True(link.RunUntil(() =>
            {
                if (link.A.Tcp.ConnectionsInUse > 0)
                {
                    states.Add(client.State);
                }
                return link.A.Tcp.ConnectionsInUse == 0 && link.B.Tcp.ConnectionsInUse == 0;
            }, 60_000_000));
            Assert.Contains(TcpState.Closing, states);
            Assert.Contains(TcpState.TimeWait, states);
            Assert.Equal(0UL, link.A.Counters.Get(NetStat.TcpResetsSent));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Abort_ResetsThePeer(bool clientAborts)
        {
            Link link = Quiet(out TcpListener listener);
            var (client, server) = Open(link, listener);
            TcpConnection aborting = clientAborts ? client : server, other = clientAborts ? server : client;
            aborting.Abort();
            Assert.True(link.RunUntil(() => other.State == TcpState.Closed, 10_000_000));
            Assert.Equal(TcpCloseReason.Reset, other.CloseReason);
            Assert.Equal(-1, other.Write(new byte[1]));
            other.Close();
            AssertAllReleased(link);
        }

        [Fact]
        public void CloseWithUnreadData_ResetsThePeer()
        {
            Link link = Quiet(out TcpListener listener);
            var (client, server) = Open(link, listener);
            client.Write(new byte[500]);
            Assert.True(link.RunUntil(() => server.BytesAvailable == 500, 10_000_000));
            server.Close(); // RFC 1122 §4.2.2.13: the client must learn its data went unread
            Assert.True(link.RunUntil(() => client.State == TcpState.Closed, 10_000_000));
            Assert.Equal(TcpCloseReason.Reset, client.CloseReason);
            client.Close();
            AssertAllReleased(link);
        }

        [Fact]
        public void DataAfterClose_IsRefusedWithAReset()
        {
            Link link = Quiet(out TcpListener listener);
            var (client, server) = Open(link, listener);
            server.Close();
            Assert.True(link.RunUntil(() => client.State == TcpState.CloseWait, 10_000_000));
            Assert.Equal(4, client.Write(new byte[] { 1, 2, 3, 4 }));
            Assert.True(link.RunUntil(() => client.State == TcpState.Closed, 10_000_000));
            Assert.Equal(TcpCloseReason.Reset, client.CloseReason);
            Assert.Equal(1UL, link.B.Counters.Dropped(NetDrop.TcpDataAfterClose));
            client.Close();
            AssertAllReleased(link);
        }

        [Fact]
        public void PoolIsReused_AcrossManyShortConnections()
        {
            var link = new Link(8, new NetConfig { TcpConnections = 4, TcpMslMs = 60_000 });
            TcpListener listener = link.B.Tcp.Listen(Port, 2);
            for (int i = 0; i < 40; i++)
            {
                var (client, server) = Open(link, listener);
                client.Write(new byte[] { (byte)i });
                Assert.True(link.RunUntil(() => server.BytesAvailable == 1, 10_000_000));
                var one = new byte[1];
                server.Read(one);
                Assert.Equal((byte)i, one[0]);
                client.Close();
                Assert.True(link.RunUntil(() => server.IsReceiveFinished, 10_000_000));
                server.Close();
                Assert.True(link.RunUntil(() => link.B.Tcp.ConnectionsInUse == 0, 10_000_000));
            }
            // The client side keeps TIME-WAIT connections (MSL 60 s) and reuses the oldest when the pool is full.
            Assert.True(link.A.Counters.Get(NetStat.TcpTimeWaitReused) >= 36);
        }
    }
}
