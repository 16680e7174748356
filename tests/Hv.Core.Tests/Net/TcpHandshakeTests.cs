using System;
using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    /// <summary>Opening, refusing and the RFC 5961 defences, against hand-made segments.</summary>
    public class TcpHandshakeTests
    {
        [Fact]
        public void PassiveOpen_AnswersSynWithARfc9293SynAck()
        {
            var peer = new TcpPeer();
            P.Sent synAck = Assert.Single(peer.Send(TcpFlags.Syn, options: P.MssOption(1400), window: 8192));
            Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
            Assert.Equal(TcpPeer.ServerPort, synAck.SourcePort);
            Assert.Equal(peer.Port, synAck.DestinationPort);
            Assert.Equal(peer.Iss + 1, synAck.Ack);
            Assert.Equal(24, synAck.DataOffset);
            Assert.Equal(new byte[] { 2, 4, 0x05, 0xB4 }, synAck.Segment.Skip(20).Take(4).ToArray()); // MSS 1460
            Assert.Equal(32768, synAck.Window); // the whole receive buffer
            Assert.True(synAck.ChecksumsValid);
            Assert.Equal(1, peer.Stack.Tcp.HalfOpen);
            Assert.Null(peer.Listener.Accept());

            peer.Seq++;
            Assert.Empty(peer.Send(TcpFlags.Ack, synAck.Seq + 1));
            Assert.Equal(0, peer.Stack.Tcp.HalfOpen);
            TcpConnection c = peer.Listener.Accept();
            Assert.Equal(TcpState.Established, c.State);
            Assert.Equal(P.PeerIp, c.RemoteAddress);
            Assert.Equal(peer.Port, c.RemotePort);
            Assert.Equal(TcpPeer.ServerPort, c.LocalPort);
            Assert.Equal(1UL, peer.Stack.Counters.Get(NetStat.TcpAccepted));
        }

        [Fact]
        public void InitialSequenceNumbers_DifferPerConnection()
        {
            var peer = new TcpPeer();
            uint first = Assert.Single(peer.Send(TcpFlags.Syn)).Seq;
            uint second = Assert.Single(peer.Send(TcpFlags.Syn, fromPort: 40001)).Seq;
            Assert.NotEqual(first, second);
            Assert.NotEqual(first + 1, second);
        }

        [Fact]
        public void SegmentsForNoConnection_GetAReset()
        {
            var peer = new TcpPeer();
            // RFC 9293 §3.10.7.1: no ACK → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
            byte[] syn = P.Tcp(P.PeerIp, P.OurIp, 40000, 81, 5000, 0, TcpFlags.Syn, 1000);
            peer.Stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, syn));
            P.Sent reset = Assert.Single(peer.Sent());
            Assert.Equal(TcpFlags.Rst | TcpFlags.Ack, reset.Flags);
            Assert.Equal(0u, reset.Seq);
            Assert.Equal(5001u, reset.Ack);
            // With an ACK → <SEQ=SEG.ACK><CTL=RST>.
            byte[] ack = P.Tcp(P.PeerIp, P.OurIp, 40000, 81, 5000, 777, TcpFlags.Ack, 1000, new byte[10]);
            peer.Stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, ack));
            reset = Assert.Single(peer.Sent());
            Assert.Equal(TcpFlags.Rst, reset.Flags);
            Assert.Equal(777u, reset.Seq);
            // A reset is never answered.
            peer.Stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, P.Tcp(P.PeerIp, P.OurIp, 40000, 81, 1, 0, TcpFlags.Rst, 0)));
            Assert.Empty(peer.Sent());
            Assert.Equal(3UL, peer.Stack.Counters.Dropped(NetDrop.TcpNoListener));
            // An ACK to the listening port itself is refused the same way.
            Assert.Equal(TcpFlags.Rst, Assert.Single(peer.Send(TcpFlags.Ack, 99)).Flags);
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpBadAck));
        }

        [Fact]
        public void ActiveOpen_SendsSynWithMss_AndCompletesOnSynAck()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            TcpConnection c = stack.Tcp.Connect(P.PeerIp, 22);
            P.Sent syn = P.View(Assert.Single(device.Take()));
            Assert.Equal(TcpFlags.Syn, syn.Flags);
            Assert.Equal(22, syn.DestinationPort);
            Assert.InRange(syn.SourcePort, 49152, 65535);
            Assert.Equal(new byte[] { 2, 4, 0x05, 0xB4 }, syn.Segment.Skip(20).Take(4).ToArray());
            Assert.Equal(TcpState.SynSent, c.State);
            Assert.Equal(-1, c.Write(new byte[1])); // not yet established

            byte[] synAck = P.Tcp(P.PeerIp, P.OurIp, 22, syn.SourcePort, 9000, syn.Seq + 1, TcpFlags.Syn | TcpFlags.Ack, 4000, options: P.MssOption(536));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, synAck));
            P.Sent ack = P.View(Assert.Single(device.Take()));
            Assert.Equal(TcpFlags.Ack, ack.Flags);
            Assert.Equal(syn.Seq + 1, ack.Seq);
            Assert.Equal(9001u, ack.Ack);
            Assert.Equal(TcpState.Established, c.State);
            // The peer's MSS (536) bounds our segments.
            Assert.Equal(1000, c.Write(new byte[1000]));
            var data = device.Take().Select(P.View).ToList();
            Assert.Equal(new[] { 536, 464 }, data.Select(s => s.Data.Length).ToArray());
        }

        [Fact]
        public void ActiveOpen_RefusedByReset()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            TcpConnection c = stack.Tcp.Connect(P.PeerIp, 22);
            P.Sent syn = P.View(Assert.Single(device.Take()));
            // A RST whose ACK does not cover our SYN is ignored (RFC 9293 §3.10.7.3, RFC 5961 §3).
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, P.Tcp(P.PeerIp, P.OurIp, 22, syn.SourcePort, 0, syn.Seq + 5, TcpFlags.Rst | TcpFlags.Ack, 0)));
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, P.Tcp(P.PeerIp, P.OurIp, 22, syn.SourcePort, 0, 0, TcpFlags.Rst, 0)));
            Assert.Equal(TcpState.SynSent, c.State);
            stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, P.Tcp(P.PeerIp, P.OurIp, 22, syn.SourcePort, 0, syn.Seq + 1, TcpFlags.Rst | TcpFlags.Ack, 0)));
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(TcpCloseReason.Refused, c.CloseReason);
            Assert.Equal(1, stack.Tcp.ConnectionsInUse); // held until the application lets go
            c.Close();
            Assert.Equal(0, stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void ActiveOpen_GivesUpAfterTheSynRetries()
        {
            NetStack stack = P.Stack(out CapturingDevice device);
            P.Introduce(stack, device);
            TcpConnection c = stack.Tcp.Connect(P.PeerIp, 22);
            device.Take();
            var times = new System.Collections.Generic.List<ulong>();
            for (ulong t = 2; t < 40_000_000 && c.State != TcpState.Closed; t += 10_000)
            {
                stack.Poll(t);
                if (device.Take().Count > 0)
                {
                    times.Add(t / 1_000_000);
                }
            }
            // Initial RTO 1 s, doubled each time (RFC 6298 §5.5): resent at 1, 3, 7, 15 s; given up at 31 s.
            Assert.Equal(new ulong[] { 1, 3, 7, 15 }, times);
            Assert.Equal(TcpCloseReason.TimedOut, c.CloseReason);
        }

        [Fact]
        public void BlindReset_InTheWindowButNotExact_GetsAChallengeAck()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            // RFC 5961 §3.2: exact → reset; in window → challenge ACK; outside → silently dropped.
            P.Sent challenge = Assert.Single(peer.Send(TcpFlags.Rst, seq: peer.Seq + 100));
            Assert.Equal(TcpFlags.Ack, challenge.Flags);
            Assert.Equal(peer.Seq, challenge.Ack);
            Assert.Equal(TcpState.Established, c.State);
            Assert.Empty(peer.Send(TcpFlags.Rst, seq: peer.Seq + 1_000_000));
            Assert.Equal(TcpState.Established, c.State);
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpBlindReset));
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpOutOfWindow));
            Assert.Empty(peer.Send(TcpFlags.Rst));
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(TcpCloseReason.Reset, c.CloseReason);
            Assert.Equal(-1, c.Write(new byte[1]));
        }

        [Fact]
        public void SynOnAnEstablishedConnection_GetsAChallengeAck_WhateverItsSequence()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            foreach (uint seq in new[] { peer.Seq, peer.Seq + 500, peer.Seq - 1 })
            {
                P.Sent answer = Assert.Single(peer.Send(TcpFlags.Syn, seq: seq));
                Assert.Equal(TcpFlags.Ack, answer.Flags);
            }
            Assert.Equal(TcpState.Established, c.State);
            Assert.Equal(2UL, peer.Stack.Counters.Dropped(NetDrop.TcpBlindSyn)); // the third was outside the window
        }

        [Fact]
        public void ChallengeAcks_AreRateLimited()
        {
            var peer = new TcpPeer(new NetConfig { TcpChallengeAcksPerSecond = 10 });
            peer.Connect();
            int answered = 0;
            for (int i = 0; i < 25; i++)
            {
                answered += peer.Send(TcpFlags.Rst, seq: peer.Seq + 10 + (uint)i).Count;
            }
            Assert.Equal(10, answered);
            Assert.Equal(15UL, peer.Stack.Counters.Get(NetStat.TcpChallengeAcksSuppressed));
            peer.Advance(1_000_000);
            Assert.Single(peer.Send(TcpFlags.Rst, seq: peer.Seq + 10));
        }

        [Fact]
        public void AcksOutsideTheSentRange_AreRefused()
        {
            var peer = new TcpPeer();
            TcpConnection c = peer.Connect();
            // An ACK for data never sent: answered with an ACK and dropped (RFC 9293 §3.10.7.4).
            P.Sent answer = Assert.Single(peer.SendData(new byte[] { 1 }, peer.ServerIss + 1 + 5000));
            Assert.Equal(TcpFlags.Ack, answer.Flags);
            Assert.Equal(0, c.BytesAvailable);
            // An ACK older than SND.UNA - MAX.SND.WND: a blind injection (RFC 5961 §5.2).
            peer.Seq -= 1;
            Assert.Single(peer.SendData(new byte[] { 1 }, peer.ServerIss + 1 - 200_000));
            Assert.Equal(0, c.BytesAvailable);
            Assert.Equal(2UL, peer.Stack.Counters.Dropped(NetDrop.TcpBadAck));
            peer.Seq -= 1;
            peer.SendData(new byte[] { 1 }, peer.ServerIss + 1);
            Assert.Equal(1, c.BytesAvailable);
        }

        [Fact]
        public void SynFlood_CannotTakeThePoolFromEstablishedConnections()
        {
            var config = new NetConfig { TcpConnections = 8, TcpHalfOpen = 3 };
            var peer = new TcpPeer(config, backlog: 4);
            TcpConnection first = peer.Connect();
            for (int i = 0; i < 200; i++)
            {
                peer.Send(TcpFlags.Syn, seq: (uint)(i * 7919), fromPort: (ushort)(10000 + i));
                Assert.True(peer.Stack.Tcp.HalfOpen <= 3);
            }
            Assert.Equal(197UL, peer.Stack.Counters.Get(NetStat.TcpHalfOpenEvicted));
            Assert.Equal(0UL, peer.Stack.Counters.Dropped(NetDrop.TcpPoolExhausted));
            Assert.Equal(TcpState.Established, first.State);
            // A real client still gets in during the flood, and another one after it.
            peer.Port = 41000;
            peer.Seq = peer.Iss = 77;
            Assert.NotNull(peer.Connect());
            peer.Port = 41001;
            peer.Seq = peer.Iss = 99;
            Assert.NotNull(peer.Connect());
            Assert.Equal(2, peer.Stack.Tcp.HalfOpen); // the first real SYN evicted one, the second found room
            Assert.Equal(5, peer.Stack.Tcp.ConnectionsInUse);
            // Unanswered SYN-ACKs give up (4 retries with back-off, RFC 6298 §5.5).
            for (int i = 0; i < 400; i++)
            {
                peer.Advance(100_000);
            }
            Assert.Equal(0, peer.Stack.Tcp.HalfOpen);
            Assert.Equal(3, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void SynRetransmittedByThePeer_GetsTheSameSynAckAgain()
        {
            var peer = new TcpPeer();
            P.Sent first = Assert.Single(peer.Send(TcpFlags.Syn));
            P.Sent again = Assert.Single(peer.Send(TcpFlags.Syn));
            Assert.Equal(first.Seq, again.Seq);
            Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, again.Flags);
            Assert.Equal(1, peer.Stack.Tcp.ConnectionsInUse);
        }

        [Fact]
        public void FullBacklog_RefusesNewSyns()
        {
            var peer = new TcpPeer(backlog: 1);
            peer.Connect();
            // Connect() accepted it; fill the queue with one not accepted.
            peer.Port = 40001;
            peer.Seq = peer.Iss;
            P.Sent synAck = Assert.Single(peer.Send(TcpFlags.Syn));
            peer.Send(TcpFlags.Ack, synAck.Seq + 1, seq: peer.Iss + 1);
            Assert.Equal(1, peer.Listener.Pending);
            peer.Port = 40002;
            Assert.Empty(peer.Send(TcpFlags.Syn));
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpBacklogFull));
        }

        [Fact]
        public void A_handshake_in_progress_holds_its_backlog_place_so_it_is_never_reset_when_it_completes()
        {
            var peer = new TcpPeer(backlog: 1);
            peer.Port = 40001;
            peer.Seq = peer.Iss;
            P.Sent first = Assert.Single(peer.Send(TcpFlags.Syn));
            // A second SYN while the first handshake is unfinished: the one place is taken, so it is dropped (its
            // client sends it again later) rather than answered and reset once both handshakes complete.
            peer.Port = 40002;
            Assert.Empty(peer.Send(TcpFlags.Syn));
            Assert.Equal(1UL, peer.Stack.Counters.Dropped(NetDrop.TcpBacklogFull));
            peer.Port = 40001;
            Assert.Empty(peer.Send(TcpFlags.Ack, first.Seq + 1, seq: peer.Iss + 1));
            Assert.Equal(1, peer.Listener.Pending);
        }

        [Fact]
        public void ClosingTheListener_ResetsConnectionsNotYetAccepted()
        {
            var peer = new TcpPeer();
            P.Sent synAck = Assert.Single(peer.Send(TcpFlags.Syn));
            peer.Listener.Close();
            P.Sent reset = Assert.Single(peer.Sent());
            Assert.Equal(TcpFlags.Rst, reset.Flags);
            Assert.Equal(synAck.Seq + 1, reset.Seq);
            Assert.Equal(0, peer.Stack.Tcp.ConnectionsInUse);
            Assert.Null(peer.Stack.Tcp.Listen(TcpPeer.ServerPort, 2).Accept());
        }

        [Fact]
        public void SegmentParser_RefusesBrokenHeaders()
        {
            var peer = new TcpPeer();
            NetCounters c = peer.Stack.Counters;
            byte[] good = P.Tcp(P.PeerIp, P.OurIp, 40000, TcpPeer.ServerPort, 1, 0, TcpFlags.Syn, 1000, options: P.MssOption(1000));
            void Deliver(byte[] s) => peer.Stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, s));
            byte[] Fix(byte[] s)
            {
                s[16] = s[17] = 0;
                ushort sum = P.Checksum(s, (P.PeerIp >> 16) + (P.PeerIp & 0xFFFF) + (P.OurIp >> 16) + (P.OurIp & 0xFFFF) + 6u + (uint)s.Length);
                s[16] = (byte)(sum >> 8);
                s[17] = (byte)sum;
                return s;
            }
            Deliver(good.Take(19).ToArray());
            byte[] b = (byte[])good.Clone(); b[12] = 0x40; Deliver(Fix(b));           // data offset 16
            b = (byte[])good.Clone(); b[12] = 0xF0; Deliver(Fix(b));                  // data offset 60 > 24
            b = (byte[])good.Clone(); b[5] ^= 1; Deliver(b);                           // checksum
            b = (byte[])good.Clone(); b[0] = b[1] = 0; Deliver(Fix(b));                // source port 0
            b = (byte[])good.Clone(); b[21] = 0; Deliver(Fix(b));                      // option length 0
            b = (byte[])good.Clone(); b[21] = 9; Deliver(Fix(b));                      // option past the header
            b = (byte[])good.Clone(); b[20] = 30; b[21] = 1; Deliver(Fix(b));          // option length 1
            b = (byte[])good.Clone(); b[21] = 3; Deliver(Fix(b));                      // MSS of the wrong length
            uint subnetBroadcast = Ipv4Address.Make(10, 0, 2, 255);
            byte[] toAll = P.Tcp(P.PeerIp, subnetBroadcast, 40000, TcpPeer.ServerPort, 1, 0, TcpFlags.Syn, 1000);
            peer.Stack.Receive(P.IpFrame(P.PeerIp, subnetBroadcast, 6, toAll, to: Ethernet.BroadcastMac));
            Assert.Equal(1UL, c.Dropped(NetDrop.TcpTruncated));
            Assert.Equal(2UL, c.Dropped(NetDrop.TcpBadHeaderLength));
            Assert.Equal(1UL, c.Dropped(NetDrop.TcpBadChecksum));
            Assert.Equal(1UL, c.Dropped(NetDrop.TcpBadPort));
            Assert.Equal(4UL, c.Dropped(NetDrop.TcpBadOptions));
            Assert.Equal(1UL, c.Dropped(NetDrop.TcpNotUnicast));
            Assert.Empty(peer.Sent());
            Assert.Equal(0, peer.Stack.Tcp.ConnectionsInUse);
        }
    }
}
