using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    /// <summary>The closing states against hand-made segments (RFC 9293 §3.6, figure 5).</summary>
    public class TcpTeardownTests
    {
        private static (TcpPeer Peer, TcpConnection Connection, P.Sent Fin) ClosedByUs(NetConfig config = null)
        {
            var peer = new TcpPeer(config ?? new NetConfig { TcpMslMs = 2000, TcpFinWait2Ms = 5000 });
            TcpConnection c = peer.Connect();
            c.Close();
            P.Sent fin = Assert.Single(peer.Sent());
            Assert.Equal(TcpFlags.Fin | TcpFlags.Ack, fin.Flags);
            Assert.Equal(peer.ServerIss + 1, fin.Seq);
            Assert.Equal(TcpState.FinWait1, c.State);
            return (peer, c, fin);
        }

        [Fact]
        public void ActiveClose_FinWait1_FinWait2_TimeWait_ThenReleasedAfterTwoMsl()
        {
            var (peer, c, fin) = ClosedByUs();
            Assert.Empty(peer.Send(TcpFlags.Ack, fin.Seq + 1));
            Assert.Equal(TcpState.FinWait2, c.State);
            P.Sent ack = Assert.Single(peer.SendData(new byte[0], fin.Seq + 1, extraFlags: TcpFlags.Fin));
            Assert.Equal(peer.Seq, ack.Ack);
            Assert.Equal(TcpState.TimeWait, c.State);
            // A retransmitted FIN is acknowledged again and restarts the 2 MSL wait.
            peer.Advance(3_000_000);
            P.Sent again = Assert.Single(peer.Send(TcpFlags.Fin | TcpFlags.Ack, fin.Seq + 1, seq: peer.Seq - 1));
            Assert.Equal(peer.Seq, again.Ack);
            peer.Advance(3_900_000);
            Assert.Equal(1, peer.Stack.Tcp.ConnectionsInUse);
            peer.Advance(200_000);
            Assert.Equal(0, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void FinWait2_IsGivenUpWhenThePeerNeverCloses()
        {
            var (peer, c, fin) = ClosedByUs();
            peer.Send(TcpFlags.Ack, fin.Seq + 1);
            Assert.Equal(TcpState.FinWait2, c.State);
            peer.Advance(4_900_000);
            Assert.Equal(1, peer.Stack.Tcp.ConnectionsInUse);
            peer.Advance(200_000);
            Assert.Equal(0, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void CrossingFins_GoThroughClosing()
        {
            var (peer, c, fin) = ClosedByUs();
            // The peer's FIN does not yet acknowledge ours.
            P.Sent ack = Assert.Single(peer.SendData(new byte[0], fin.Seq, extraFlags: TcpFlags.Fin));
            Assert.Equal(peer.Seq, ack.Ack);
            Assert.Equal(TcpState.Closing, c.State);
            Assert.Empty(peer.Send(TcpFlags.Ack, fin.Seq + 1));
            Assert.Equal(TcpState.TimeWait, c.State);
        }

        [Fact]
        public void UnacknowledgedFin_IsRetransmitted()
        {
            var (peer, c, fin) = ClosedByUs();
            P.Sent again = peer.Advance(1_100_000).Single();
            Assert.Equal(fin.Seq, again.Seq);
            Assert.True(again.Has(TcpFlags.Fin));
        }

        [Fact]
        public void PassiveClose_CloseWait_LastAck_Closed()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            peer.SendData(new byte[] { 1, 2 }, peer.ServerIss + 1, extraFlags: TcpFlags.Fin);
            Assert.Equal(TcpState.CloseWait, c.State);
            Assert.False(c.IsReceiveFinished); // two bytes still to read
            Assert.Equal(2, c.Read(new byte[10]));
            Assert.True(c.IsReceiveFinished);
            c.Close();
            P.Sent fin = peer.Sent().Last();
            Assert.True(fin.Has(TcpFlags.Fin));
            Assert.Equal(TcpState.LastAck, c.State);
            peer.Send(TcpFlags.Ack, fin.Seq + 1);
            Assert.Equal(0, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void NewSynOnATimeWaitPair_StartsANewConnection()
        {
            var (peer, c, fin) = ClosedByUs();
            peer.Send(TcpFlags.Ack, fin.Seq + 1);
            peer.SendData(new byte[0], fin.Seq + 1, extraFlags: TcpFlags.Fin);
            Assert.Equal(TcpState.TimeWait, c.State);
            peer.Iss = peer.Seq + 100_000; // RFC 6191: above what the old connection saw
            peer.Seq = peer.Iss;
            Assert.NotNull(peer.Connect());
            Assert.Equal(1UL, peer.Stack.Counters.Get(NetStat.TcpTimeWaitReused));
            Assert.Equal(1, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void PeerFin_ArrivingBeforeMissingData_WaitsForIt()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            uint start = peer.Seq;
            peer.Send(TcpFlags.Ack | TcpFlags.Fin, peer.ServerIss + 1, new byte[] { 3, 4 }, seq: start + 2);
            Assert.Equal(TcpState.Established, c.State);
            P.Sent ack = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, new byte[] { 1, 2 }, seq: start));
            Assert.Equal(start + 5, ack.Ack); // four bytes and the FIN
            Assert.Equal(TcpState.CloseWait, c.State);
            var data = new byte[4];
            c.Read(data);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, data);
            Assert.True(c.IsReceiveFinished);
        }
    }
}
