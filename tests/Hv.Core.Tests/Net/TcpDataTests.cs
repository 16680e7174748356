using System;
using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    /// <summary>Data, windows, reassembly, retransmission and keep-alive, against hand-made segments.</summary>
    public class TcpDataTests
    {
        private static byte[] Pattern(int length, int seed = 0) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

        private static byte[] ReadAll(TcpConnection c)
        {
            var buffer = new byte[c.BytesAvailable];
            Assert.Equal(buffer.Length, c.Read(buffer));
            return buffer;
        }

        [Fact]
        public void InOrderData_IsAcked_AndTheWindowIsTheFreeBufferSpace()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            int received = 0;
            for (int i = 0; i < 7; i++)
            {
                P.Sent ack = Assert.Single(peer.SendData(Pattern(1460, i), peer.ServerIss + 1));
                received += 1460;
                Assert.Equal(peer.Seq, ack.Ack);
                Assert.Equal(32768 - received, ack.Window);
            }
            Assert.Equal(received, c.BytesAvailable);
            Assert.Equal(Enumerable.Range(0, 7).SelectMany(i => Pattern(1460, i)).ToArray(), ReadAll(c));
        }

        [Fact]
        public void ZeroWindow_ThenReading_SendsAWindowUpdate()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            P.Sent last = null;
            for (int sent = 0; sent < 32768; sent += 1024)
            {
                last = Assert.Single(peer.SendData(Pattern(1024), peer.ServerIss + 1));
            }
            Assert.Equal(0, last.Window);
            // Beyond the window: dropped, and the ACK repeats the zero window.
            P.Sent refused = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, new byte[10]));
            Assert.Equal(peer.Seq, refused.Ack);
            Assert.Equal(0, refused.Window);
            // A small read does not move the window (silly window avoidance); a larger one announces it at once.
            Assert.Equal(100, c.Read(new byte[100]));
            Assert.Empty(peer.Sent());
            Assert.Equal(20000, c.Read(new byte[20000]));
            P.Sent update = Assert.Single(peer.Sent());
            Assert.Equal(TcpFlags.Ack, update.Flags);
            Assert.Equal(20100, update.Window);
        }

        [Fact]
        public void OutOfOrderSegments_AreHeld_AndDeliveredInOrder()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            uint start = peer.Seq;
            byte[] a = Pattern(1000, 1), b = Pattern(1000, 2), d = Pattern(500, 3);
            P.Sent dup = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, b, seq: start + 1000));
            Assert.Equal(start, dup.Ack); // a duplicate ACK tells the sender what is missing
            Assert.Equal(0, c.BytesAvailable);
            Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, d, seq: start + 2000));
            P.Sent all = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, a, seq: start));
            Assert.Equal(start + 2500, all.Ack);
            Assert.Equal(a.Concat(b).Concat(d).ToArray(), ReadAll(c));
            Assert.Equal(32768, Assert.Single(peer.Sent()).Window); // reading 2500 bytes reopened the window
            // Overlapping retransmissions are trimmed to what is new.
            peer.Seq = start + 2500;
            Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(100, 9), seq: start + 2450));
            Assert.Equal(Pattern(100, 9).Skip(50).ToArray(), ReadAll(c));
        }

        [Fact]
        public void OutOfOrderBookkeeping_IsBounded()
        {
            var peer = new TcpPeer(new NetConfig { TcpOutOfOrderRanges = 2 });
            TcpConnection c = peer.Connect();
            uint start = peer.Seq;
            for (int i = 1; i <= 3; i++)
            {
                peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(100, i), seq: start + (uint)(200 * i));
            }
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpOutOfOrderFull));
            // Filling the holes joins the two remembered ranges; the dropped third must come again.
            peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(100, 11), seq: start + 300);
            peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(100, 12), seq: start + 500);
            P.Sent ack = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(200, 10), seq: start));
            Assert.Equal(start + 600, ack.Ack);
            Assert.Equal(600, c.BytesAvailable);
            ack = Assert.Single(peer.Send(TcpFlags.Ack, peer.ServerIss + 1, Pattern(100, 3), seq: start + 600));
            Assert.Equal(start + 700, ack.Ack);
        }

        [Fact]
        public void Writes_AreSegmentedByTheMss_AndTheCongestionWindow()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            Assert.Equal(10000, c.Write(Pattern(10000)));
            var first = peer.Sent();
            // RFC 5681 §3.1: the initial window is 4380 bytes, three full segments.
            Assert.Equal(new[] { 1460, 1460, 1460 }, first.Select(s => s.Data.Length).ToArray());
            Assert.Equal(peer.ServerIss + 1, first[0].Seq);
            Assert.True(first[2].ChecksumsValid);
            // Each ACK in slow start opens the window by one MSS: two new segments per ACK.
            var next = peer.Send(TcpFlags.Ack, first[0].Seq + 1460);
            Assert.Equal(2, next.Count);
            Assert.Equal(first[2].Seq + 1460, next[0].Seq);
            Assert.Equal(10000 - 1460, c.Unacknowledged);
        }

        [Fact]
        public void PeerWindow_LimitsWhatIsInFlight()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect(window: 2000);
            c.Write(Pattern(5000));
            var sent = peer.Sent();
            Assert.Equal(new[] { 1460 }, sent.Select(s => s.Data.Length).ToArray()); // 540 more would be a silly small segment
            sent = peer.Send(TcpFlags.Ack, sent[0].Seq + 1460, window: 2000);
            Assert.Equal(new[] { 1460 }, sent.Select(s => s.Data.Length).ToArray());
        }

        [Fact]
        public void LostSegment_IsRetransmittedWithBackOff_AndKarnsRuleSkipsItsSample()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            ulong rttBefore = c.SmoothedRtt;
            c.Write(Pattern(100));
            P.Sent original = Assert.Single(peer.Sent());
            var times = new System.Collections.Generic.List<double>();
            for (int step = 1; step <= 80; step++)
            {
                foreach (P.Sent again in peer.Advance(100_000))
                {
                    Assert.Equal(original.Seq, again.Seq);
                    Assert.Equal(original.Data, again.Data);
                    times.Add(step / 10.0);
                }
            }
            // RTO 1 s (the RFC 6298 floor), then doubled: 1, 3, 7 s after sending.
            Assert.Equal(new[] { 1.0, 3.0, 7.0 }, times);
            Assert.Equal(3UL, peer.Stack.Counters.Get(NetStat.TcpTimeoutRetransmits));
            peer.Send(TcpFlags.Ack, original.Seq + 100);
            Assert.Equal(0, c.Unacknowledged);
            Assert.Equal(rttBefore, c.SmoothedRtt); // no sample from a retransmitted segment
        }

        [Fact]
        public void UnansweredRetransmissions_EndTheConnectionWithAReset()
        {
            var peer = new TcpPeer(new NetConfig { TcpMaxRetransmits = 3, TcpMaxRtoMs = 4000 });
            TcpConnection c = peer.Connect();
            c.Write(Pattern(10));
            peer.Sent();
            P.Sent reset = null;
            for (int i = 0; i < 200 && reset == null; i++)
            {
                reset = peer.Advance(100_000).FirstOrDefault(s => s.Has(TcpFlags.Rst));
            }
            Assert.NotNull(reset);
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(TcpCloseReason.TimedOut, c.CloseReason);
            Assert.Equal(-1, c.Write(new byte[1]));
        }

        [Fact]
        public void ThreeDuplicateAcks_TriggerOneFastRetransmit()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            c.Write(Pattern(20000));
            var flight = peer.Sent();
            uint lost = flight[0].Seq + 1460;
            flight.AddRange(peer.Send(TcpFlags.Ack, lost)); // segment 1 arrived; window grows
            Assert.Equal(5, flight.Count);
            Assert.Empty(peer.Send(TcpFlags.Ack, lost));
            Assert.Empty(peer.Send(TcpFlags.Ack, lost));
            P.Sent resent = Assert.Single(peer.Send(TcpFlags.Ack, lost));
            Assert.Equal(lost, resent.Seq);
            Assert.Equal(1460, resent.Data.Length);
            Assert.Empty(peer.Send(TcpFlags.Ack, lost)); // the fourth does not resend again
            Assert.Equal(1UL, peer.Stack.Counters.Get(NetStat.TcpFastRetransmits));
        }

        [Fact]
        public void ZeroWindow_IsProbed_AndDataFlowsWhenItOpens()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect(window: 0);
            Assert.Equal(300, c.Write(Pattern(300)));
            Assert.Empty(peer.Sent());
            var probeTimes = new System.Collections.Generic.List<double>();
            for (int step = 1; step <= 80; step++)
            {
                foreach (P.Sent probe in peer.Advance(100_000))
                {
                    Assert.Equal(peer.ServerIss + 1, probe.Seq);
                    Assert.Single(probe.Data); // one byte
                    probeTimes.Add(step / 10.0);
                    peer.Send(TcpFlags.Ack, peer.ServerIss + 1, window: 0); // still closed
                }
            }
            Assert.Equal(new[] { 1.0, 3.0, 7.0 }, probeTimes);
            Assert.Equal(TcpState.Established, c.State); // probes never give up while answered
            var data = peer.Send(TcpFlags.Ack, peer.ServerIss + 1, window: 4000);
            Assert.Equal(300, data.Sum(s => s.Data.Length));
        }

        [Fact]
        public void KeepAlive_ProbesAnIdlePeer_AndResetsWhenItIsGone()
        {
            var peer = new TcpPeer(new NetConfig { TcpKeepAliveIdleMs = 5000, TcpKeepAliveIntervalMs = 1000, TcpKeepAliveProbes = 3 });
            TcpConnection c = peer.Connect();
            Assert.Empty(peer.Advance(4_900_000));
            P.Sent probe = Assert.Single(peer.Advance(200_000));
            Assert.Equal(peer.ServerIss, probe.Seq); // SND.NXT - 1
            Assert.Empty(probe.Data);
            // A live peer answers the out-of-window probe with an ACK, which restarts the idle time.
            peer.Send(TcpFlags.Ack, peer.ServerIss + 1);
            Assert.Empty(peer.Advance(4_000_000));
            int probes = 0;
            P.Sent reset = null;
            for (int i = 0; i < 100 && reset == null; i++)
            {
                foreach (P.Sent s in peer.Advance(100_000))
                {
                    if (s.Has(TcpFlags.Rst))
                    {
                        reset = s;
                    }
                    else
                    {
                        probes++;
                    }
                }
            }
            Assert.Equal(3, probes);
            Assert.NotNull(reset);
            Assert.Equal(TcpCloseReason.TimedOut, c.CloseReason);
            Assert.Equal(4UL, peer.Stack.Counters.Get(NetStat.TcpKeepAliveProbes));
        }
    }
}
