using System;
using Hv.Core.Net;
using Hv.Crypto;
using Hv.Protocol.Server;

namespace Hv.Management
{
    /// <summary>
    /// The management protocol on a TCP port (PROTOCOL.md, "Management over TCP"): each accepted connection gets a
    /// <see cref="SecureStreamSession"/> of its own (secure-channel handshake, keys, sequence numbers, protocol session),
    /// all serving the one adapter's handlers. A session whose handshake or records fail is reset (RST) alone; the
    /// others go on. At most <c>sessions</c> connections are served at once; later ones wait in the listener's backlog.
    /// Before a connection proves the key it is bounded by the <see cref="HandshakeGate"/>: reset when it has not
    /// finished the secure handshake by the deadline (its slot goes to the next in the backlog), and its ClientHello
    /// waits while the key-exchange budget is spent. The slots are served round-robin, so no connection is always
    /// first to the budget. Sessions and their buffers are made at start; serving allocates nothing.
    /// </summary>
    public sealed class ManagementService
    {
        private readonly TcpListener _listener;
        private readonly TcpConnection[] _connections;
        private readonly SecureStreamSession[] _sessions;
        private readonly ulong[] _acceptedMs;
        private readonly HypervisorAdapter _adapter;
        private readonly HandshakeGate _gate = new HandshakeGate();
        private int _firstSlot;

        private ManagementService(TcpListener listener, SecureStreamSession[] sessions, HypervisorAdapter adapter)
        {
            _listener = listener;
            _sessions = sessions;
            _adapter = adapter;
            _connections = new TcpConnection[sessions.Length];
            _acceptedMs = new ulong[sessions.Length];
        }

        /// <summary>Sessions opened (handshake done) since start.</summary>
        public ulong SessionsOpened { get; private set; }

        /// <summary>Connections dropped because the handshake or a record failed (wrong key, tampered, replayed).</summary>
        public ulong SessionsRefused { get; private set; }

        /// <summary>Why the last refused session failed.</summary>
        public SecureChannelStatus LastFailure { get; private set; }

        /// <summary>Connections reset because they had not finished the secure handshake by the deadline.</summary>
        public ulong HandshakesTimedOut { get; private set; }

        /// <summary>Polls at which a complete ClientHello had to wait because the key-exchange budget was spent.</summary>
        public ulong KeyExchangesDeferred { get { return _gate.Deferred; } }

        /// <summary>Listens on <paramref name="port"/>; null when the port or every listener is taken.</summary>
        public static ManagementService Start(NetStack stack, ushort port, int sessions, EntropySource entropy, byte[] key,
                                              HypervisorAdapter adapter)
        {
            TcpListener listener = stack.Tcp.Listen(port, sessions);
            if (listener == null) return null;
            var made = new SecureStreamSession[sessions];
            for (int i = 0; i < sessions; i++)
            {
                made[i] = new SecureStreamSession(entropy, key);
                adapter.RegisterWith(made[i].Server);
            }
            return new ManagementService(listener, made, adapter);
        }

        /// <summary>Accepts waiting connections and moves every open session along; call it from the host loop.</summary>
        public void Poll()
        {
            ulong now = _adapter.NowMs;
            int slots = _connections.Length;
            for (int k = 0; k < slots; k++)
            {
                int i = (_firstSlot + k) % slots;
                if (_connections[i] == null)
                {
                    _connections[i] = _listener.Accept();
                    if (_connections[i] == null) continue;
                    _sessions[i].Reset();
                    _acceptedMs[i] = now;
                }
                if (Serve(_connections[i], _sessions[i], _acceptedMs[i], now)) _connections[i] = null;
            }
            _firstSlot = (_firstSlot + 1) % slots;
        }

        // Moves bytes both ways until neither side can go on; true once the connection is given back to the stack.
        private bool Serve(TcpConnection c, SecureStreamSession s, ulong acceptedMs, ulong now)
        {
            bool authenticating = s.State == SecureStreamState.AwaitingHello || s.State == SecureStreamState.AwaitingFinished;
            if (authenticating && HandshakeGate.Expired(acceptedMs, now))
            {
                HandshakesTimedOut++;
                c.Abort();
                return true;
            }
            for (;;)
            {
                if (s.State == SecureStreamState.Failed)
                {
                    SessionsRefused++;
                    LastFailure = s.Failure;
                    c.Abort();
                    return true;
                }
                if (c.State == TcpState.Closed)
                {
                    c.Close();
                    return true;
                }
                bool moved = false;
                int pending = s.OutputPending;
                if (pending > 0)
                {
                    int sent = c.Write(new ReadOnlySpan<byte>(s.OutputBuffer, s.OutputStart, pending));
                    if (sent < 0)
                    {
                        c.Abort();
                        return true;
                    }
                    if (sent > 0)
                    {
                        s.OutputSent(sent);
                        moved = true;
                    }
                }
                else if (s.State == SecureStreamState.Closed || c.IsReceiveFinished)
                {
                    c.Close();
                    return true;
                }
                int room = s.InputRoom;
                // The read that completes a ClientHello starts a key exchange: only within the budget.
                bool startsKeyExchange = s.State == SecureStreamState.AwaitingHello && c.BytesAvailable >= room;
                if (room > 0 && c.BytesAvailable > 0 && (!startsKeyExchange || _gate.TryStartKeyExchange(now)))
                {
                    SecureStreamState before = s.State;
                    int read = c.Read(new Span<byte>(s.InputBuffer, s.InputEnd, room));
                    s.InputArrived(read);
                    if (before == SecureStreamState.AwaitingFinished && s.State == SecureStreamState.Open) SessionsOpened++;
                    moved = true;
                }
                if (!moved) return false;
            }
        }
    }
}
