using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// TCP (RFC 9293) for the stack: demultiplexes segments to connections and listeners, answers segments for no
    /// connection with RST (§3.10.7.1), opens connections from a fixed pool, and builds every outgoing segment.
    /// At most <see cref="NetConfig.TcpHalfOpen"/> connections may sit in SYN-RECEIVED (a SYN beyond that evicts
    /// the oldest), so a SYN flood cannot take the pool from established connections.
    /// </summary>
    public sealed class TcpLayer
    {
        public const int MaxMss = Ethernet.Mtu - Ipv4Layer.HeaderBytes - TcpSegment.HeaderBytes;
        public const int DefaultMss = 536;
        private const int MssOptionBytes = 4;
        private const ushort FirstEphemeralPort = 49152;

        private readonly NetStack _stack;
        private readonly TcpConnection[] _pool;
        private readonly TcpListener[] _listeners;
        private ulong _challengeSecond;
        private int _challengesThisSecond;

        internal TcpLayer(NetStack stack)
        {
            _stack = stack;
            NetConfig config = stack.Config;
            _pool = new TcpConnection[config.TcpConnections];
            for (int i = 0; i < _pool.Length; i++)
            {
                _pool[i] = new TcpConnection(this, stack, config);
            }
            _listeners = new TcpListener[config.TcpListeners];
            for (int i = 0; i < _listeners.Length; i++)
            {
                _listeners[i] = new TcpListener(this, config.TcpConnections);
            }
        }

        internal NetCounters Counters { get { return _stack.Counters; } }

        /// <summary>Connections taken from the pool (in any state, including TIME-WAIT and held-closed ones).</summary>
        public int ConnectionsInUse
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _pool.Length; i++)
                {
                    n += _pool[i].InUse ? 1 : 0;
                }
                return n;
            }
        }

        /// <summary>Connections in SYN-RECEIVED.</summary>
        public int HalfOpen
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _pool.Length; i++)
                {
                    n += _pool[i].InUse && _pool[i].State == TcpState.SynReceived ? 1 : 0;
                }
                return n;
            }
        }

        /// <summary>Starts listening on port; null if the port is taken or every listener slot is used.</summary>
        public TcpListener Listen(ushort port, int backlog)
        {
            if (port == 0 || FindListener(port) != null)
            {
                return null;
            }
            for (int i = 0; i < _listeners.Length; i++)
            {
                if (!_listeners[i].Active)
                {
                    _listeners[i].Open(port, backlog);
                    return _listeners[i];
                }
            }
            return null;
        }

        /// <summary>Active open to address:port from an unpredictable ephemeral port; null without address or pool room.</summary>
        public TcpConnection Connect(uint address, ushort port)
        {
            if (!_stack.Ip.IsConfigured || port == 0)
            {
                return null;
            }
            ushort localPort = 0;
            for (int attempt = 0; attempt < 64 && localPort == 0; attempt++)
            {
                ushort candidate = (ushort)(FirstEphemeralPort + _stack.Random.Next() % (65536 - FirstEphemeralPort));
                if (Find(candidate, address, port) == null && FindListener(candidate) == null)
                {
                    localPort = candidate;
                }
            }
            TcpConnection connection = localPort == 0 ? null : Allocate();
            if (connection == null)
            {
                return null;
            }
            connection.Reset(localPort, address, port, InitialSequence(localPort, address, port));
            connection.OpenActive();
            return connection;
        }

        internal void Receive(ReadOnlySpan<byte> data, uint source, uint destination, bool broadcast)
        {
            NetCounters counters = _stack.Counters;
            TcpSegment segment;
            NetDrop reason;
            if (!TcpSegment.TryParse(data, source, destination, out segment, out reason))
            {
                counters.Drop(reason);
                return;
            }
            if (broadcast)
            {
                counters.Drop(NetDrop.TcpNotUnicast);
                return;
            }
            counters.Count(NetStat.TcpSegmentsReceived);
            TcpConnection connection = Find(segment.DestinationPort, source, segment.SourcePort);
            if (connection != null)
            {
                // A new SYN above what a TIME-WAIT connection has seen starts a new incarnation (RFC 6191 for IPv4).
                if (connection.State == TcpState.TimeWait && segment.Flags == TcpFlags.Syn
                    && TcpSequence.Greater(segment.Sequence, connection.ReceiveNext) && FindListener(segment.DestinationPort) != null)
                {
                    counters.Count(NetStat.TcpTimeWaitReused);
                    connection.Terminate(TcpCloseReason.Normal);
                }
                else
                {
                    connection.Arrive(segment);
                    return;
                }
            }
            TcpListener listener = FindListener(segment.DestinationPort);
            if (listener == null)
            {
                counters.Drop(NetDrop.TcpNoListener);
                if (!segment.Has(TcpFlags.Rst))
                {
                    ResetFor(segment, source);
                }
                return;
            }
            // LISTEN (RFC 9293 §3.10.7.2): ignore RST, refuse ACK, take SYN.
            if (segment.Has(TcpFlags.Rst))
            {
                counters.Drop(NetDrop.TcpBlindReset);
                return;
            }
            if (segment.Has(TcpFlags.Ack))
            {
                counters.Drop(NetDrop.TcpBadAck);
                ResetFor(segment, source);
                return;
            }
            if (!segment.Has(TcpFlags.Syn))
            {
                counters.Drop(NetDrop.TcpNoAck);
                return;
            }
            if (!HasRoom(listener))
            {
                counters.Drop(NetDrop.TcpBacklogFull);
                return;
            }
            if (HalfOpen >= _stack.Config.TcpHalfOpen)
            {
                EvictOldestHalfOpen();
            }
            connection = Allocate();
            if (connection == null)
            {
                counters.Drop(NetDrop.TcpPoolExhausted);
                return;
            }
            connection.Reset(segment.DestinationPort, source, segment.SourcePort,
                             InitialSequence(segment.DestinationPort, source, segment.SourcePort));
            connection.OpenPassive(listener, segment);
        }

        // A SYN is taken only while the backlog has room for it beside the connections already waiting there and those
        // still in their handshake: otherwise a handshake could finish into a full backlog and be reset, and the client
        // would see its connection closed. A dropped SYN is sent again by the client.
        private bool HasRoom(TcpListener listener)
        {
            int claimed = listener.Pending;
            for (int i = 0; i < _pool.Length; i++)
            {
                if (_pool[i].InUse && _pool[i].Listener == listener && !_pool[i].Queued)
                {
                    claimed++;
                }
            }
            return claimed < listener.Backlog;
        }

        internal void Poll()
        {
            for (int i = 0; i < _pool.Length; i++)
            {
                if (_pool[i].InUse)
                {
                    _pool[i].Tick();
                }
            }
        }

        /// <summary>A passive connection finished its handshake: it waits in its listener for Accept.</summary>
        internal void Established(TcpConnection connection)
        {
            TcpListener listener = connection.Listener;
            if (listener == null || !listener.Active || listener.IsFull)
            {
                _stack.Counters.Drop(NetDrop.TcpBacklogFull);
                SendReset(connection.RemoteAddress, connection.LocalPort, connection.RemotePort, connection.SendMax, 0, false);
                connection.Terminate(TcpCloseReason.Aborted);
                return;
            }
            listener.Enqueue(connection);
        }

        /// <summary>Gives a connection back to the pool.</summary>
        internal void Release(TcpConnection connection)
        {
            if (connection.Queued && connection.Listener != null)
            {
                connection.Listener.Remove(connection);
            }
            connection.Listener = null;
            connection.InUse = false;
        }

        internal void AbortListenerConnections(TcpListener listener)
        {
            for (int i = 0; i < _pool.Length; i++)
            {
                TcpConnection c = _pool[i];
                if (c.InUse && c.Listener == listener)
                {
                    SendReset(c.RemoteAddress, c.LocalPort, c.RemotePort, c.SendMax, 0, false);
                    c.Terminate(TcpCloseReason.Aborted);
                }
            }
        }

        /// <summary>RFC 5961 §7: at most TcpChallengeAcksPerSecond challenge ACKs a second, all connections together.</summary>
        internal bool AllowChallengeAck()
        {
            ulong second = _stack.Now / _stack.TicksFromMs(1000);
            if (second != _challengeSecond)
            {
                _challengeSecond = second;
                _challengesThisSecond = 0;
            }
            if (_challengesThisSecond >= _stack.Config.TcpChallengeAcksPerSecond)
            {
                return false;
            }
            _challengesThisSecond++;
            return true;
        }

        /// <summary>Builds and sends one segment of connection: header (with our MSS on a SYN), data from its send buffer.</summary>
        internal void Transmit(TcpConnection connection, uint seq, byte flags, int dataOffset, int length, bool synOptions)
        {
            int headerBytes = TcpSegment.HeaderBytes + (synOptions ? MssOptionBytes : 0);
            Span<byte> segment = _stack.TxPayload.Slice(0, headerBytes + length);
            uint ack = (flags & TcpFlags.Ack) != 0 ? connection.ReceiveNext : 0;
            WriteHeader(segment, connection.LocalPort, connection.RemotePort, seq, ack, flags, connection.AdvertiseWindow(), headerBytes);
            if (synOptions)
            {
                segment[20] = 2; // MSS (RFC 9293 §3.2)
                segment[21] = MssOptionBytes;
                BigEndian.WriteUInt16(segment, 22, MaxMss);
            }
            connection.CopySendData(dataOffset, segment.Slice(headerBytes, length));
            Send(segment, connection.RemoteAddress);
        }

        /// <summary>A bare RST (with ACK if withAck) to remote.</summary>
        internal void SendReset(uint remote, ushort localPort, ushort remotePort, uint seq, uint ack, bool withAck)
        {
            Span<byte> segment = _stack.TxPayload.Slice(0, TcpSegment.HeaderBytes);
            byte flags = withAck ? (byte)(TcpFlags.Rst | TcpFlags.Ack) : TcpFlags.Rst;
            WriteHeader(segment, localPort, remotePort, seq, ack, flags, 0, TcpSegment.HeaderBytes);
            if (Send(segment, remote))
            {
                _stack.Counters.Count(NetStat.TcpResetsSent);
            }
        }

        // RFC 9293 §3.10.7.1: the reset takes its sequence number from the offending segment's ACK if it has one.
        private void ResetFor(in TcpSegment segment, uint source)
        {
            if (segment.Has(TcpFlags.Ack))
            {
                SendReset(source, segment.DestinationPort, segment.SourcePort, segment.Acknowledgment, 0, false);
            }
            else
            {
                SendReset(source, segment.DestinationPort, segment.SourcePort, 0, segment.Sequence + (uint)segment.Length, true);
            }
        }

        private static void WriteHeader(Span<byte> segment, ushort sourcePort, ushort destinationPort, uint seq, uint ack,
                                        byte flags, ushort window, int headerBytes)
        {
            BigEndian.WriteUInt16(segment, 0, sourcePort);
            BigEndian.WriteUInt16(segment, 2, destinationPort);
            BigEndian.WriteUInt32(segment, 4, seq);
            BigEndian.WriteUInt32(segment, 8, ack);
            segment[12] = (byte)((headerBytes / 4) << 4);
            segment[13] = flags;
            BigEndian.WriteUInt16(segment, 14, window);
            BigEndian.WriteUInt16(segment, 16, 0);
            BigEndian.WriteUInt16(segment, 18, 0);
        }

        private bool Send(Span<byte> segment, uint destination)
        {
            uint sum = InternetChecksum.PseudoHeader(_stack.Ip.Address, destination, Ipv4Layer.ProtocolTcp, segment.Length);
            BigEndian.WriteUInt16(segment, 16, InternetChecksum.Finish(InternetChecksum.Add(sum, segment)));
            if (!_stack.Ipv4.Send(destination, Ipv4Layer.ProtocolTcp, segment.Length))
            {
                return false;
            }
            _stack.Counters.Count(NetStat.TcpSegmentsSent);
            return true;
        }

        // RFC 6528: ISN = M + F(addresses, ports, secret), M a clock ticking every 4 microseconds.
        private uint InitialSequence(ushort localPort, uint remote, ushort remotePort)
        {
            ulong ticksPer4us = _stack.TicksPerMs / 250;
            uint clock = (uint)(_stack.Now / (ticksPer4us == 0 ? 1 : ticksPer4us));
            return clock + _stack.Random.Hash(_stack.Ip.Address, remote, ((uint)localPort << 16) | remotePort);
        }

        private TcpConnection Find(ushort localPort, uint remote, ushort remotePort)
        {
            for (int i = 0; i < _pool.Length; i++)
            {
                if (_pool[i].Matches(localPort, remote, remotePort))
                {
                    return _pool[i];
                }
            }
            return null;
        }

        private TcpListener FindListener(ushort port)
        {
            for (int i = 0; i < _listeners.Length; i++)
            {
                if (_listeners[i].Active && _listeners[i].ListenPort == port)
                {
                    return _listeners[i];
                }
            }
            return null;
        }

        // A free connection; failing that, the oldest in TIME-WAIT (its wait only guards against stray old segments).
        private TcpConnection Allocate()
        {
            TcpConnection oldest = null;
            for (int i = 0; i < _pool.Length; i++)
            {
                TcpConnection c = _pool[i];
                if (!c.InUse)
                {
                    return c;
                }
                if (c.State == TcpState.TimeWait && (oldest == null || c.StateSince < oldest.StateSince))
                {
                    oldest = c;
                }
            }
            if (oldest != null)
            {
                _stack.Counters.Count(NetStat.TcpTimeWaitReused);
                oldest.Terminate(TcpCloseReason.Normal);
            }
            return oldest;
        }

        private void EvictOldestHalfOpen()
        {
            TcpConnection oldest = null;
            for (int i = 0; i < _pool.Length; i++)
            {
                TcpConnection c = _pool[i];
                if (c.InUse && c.State == TcpState.SynReceived && (oldest == null || c.StateSince < oldest.StateSince))
                {
                    oldest = c;
                }
            }
            if (oldest != null)
            {
                _stack.Counters.Count(NetStat.TcpHalfOpenEvicted);
                oldest.Terminate(TcpCloseReason.TimedOut);
            }
        }
    }
}
