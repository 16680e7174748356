using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// One TCP connection (RFC 9293): its control block, its send and receive buffers, and the application's
    /// socket-like calls. Connections live in <see cref="TcpLayer"/>'s fixed pool. The application gets one from
    /// <see cref="TcpListener.Accept"/> or <see cref="TcpLayer.Connect"/> and owns it until it calls
    /// <see cref="Close"/> or <see cref="Abort"/>; after that it must not use the object again (the stack finishes
    /// the teardown and reuses it). Segment arrival is in TcpConnection.Input.cs, sending and timers in
    /// TcpConnection.Output.cs.
    /// </summary>
    public sealed partial class TcpConnection
    {
        private readonly TcpLayer _tcp;
        private readonly NetStack _stack;
        private readonly ByteRing _send;
        private readonly ByteRing _receive;
        private readonly OutOfOrderRanges _outOfOrder;
        private readonly RtoEstimator _rto;

        private TcpState _state;
        private TcpCloseReason _reason;
        private ushort _localPort;
        private ushort _remotePort;
        private uint _remoteAddress;

        // Ownership: in the pool's use, in a listener (half-open or waiting for Accept), or the application's.
        internal bool InUse;
        internal TcpListener Listener;
        internal bool Queued;
        private bool _appOwned;
        private bool _appClosed;

        // Send sequence space (RFC 9293 §3.3.1). SND.MAX is the highest SND.NXT so far: after a time-out SND.NXT
        // goes back to SND.UNA (go-back-N) and ACKs up to SND.MAX stay valid.
        private uint _iss;
        private uint _sndUna;
        private uint _sndNxt;
        private uint _sndMax;
        private uint _sndWnd;
        private uint _sndWl1;
        private uint _sndWl2;
        private uint _maxSndWnd;
        private uint _sendBase; // sequence number of the oldest byte in _send
        private bool _finQueued;
        private int _mss;

        // Receive sequence space.
        private uint _irs;
        private uint _rcvNxt;
        private uint _rcvAdvertised; // the right edge of the window last advertised, never moved left
        private bool _finReceived;
        private bool _peerFinPending;
        private uint _peerFinSeq;

        internal ulong StateSince;

        public TcpConnection(TcpLayer tcp, NetStack stack, NetConfig config)
        {
            _tcp = tcp;
            _stack = stack;
            _send = new ByteRing(config.TcpSendBufferBytes);
            _receive = new ByteRing(config.TcpReceiveBufferBytes > 65535 ? 65535 : config.TcpReceiveBufferBytes);
            _outOfOrder = new OutOfOrderRanges(config.TcpOutOfOrderRanges);
            _rto = new RtoEstimator(stack.TicksFromMs(config.TcpInitialRtoMs), stack.TicksFromMs(config.TcpMinRtoMs),
                                    stack.TicksFromMs(config.TcpMaxRtoMs), stack.TicksFromMs(1));
        }

        public TcpState State { get { return _state; } }
        public TcpCloseReason CloseReason { get { return _reason; } }
        public ushort LocalPort { get { return _localPort; } }
        public ushort RemotePort { get { return _remotePort; } }
        public uint RemoteAddress { get { return _remoteAddress; } }

        /// <summary>Received bytes waiting to be read.</summary>
        public int BytesAvailable { get { return _receive.Count; } }

        /// <summary>Room in the send buffer (0 once the connection can no longer send).</summary>
        public int SendSpace { get { return CanSend ? _send.Free : 0; } }

        /// <summary>Bytes written but not yet acknowledged by the peer.</summary>
        public int Unacknowledged { get { return _send.Count; } }

        /// <summary>The peer has closed its side and every byte it sent has been read: end of stream.</summary>
        public bool IsReceiveFinished { get { return _finReceived && _receive.Count == 0; } }

        /// <summary>The smoothed round-trip time in ticks (0 before the first sample).</summary>
        public ulong SmoothedRtt { get { return _rto.SmoothedRtt; } }

        private bool CanSend
        {
            get { return !_finQueued && (_state == TcpState.Established || _state == TcpState.CloseWait); }
        }

        /// <summary>Copies up to destination.Length received bytes; returns how many (0 if none yet).</summary>
        public int Read(Span<byte> destination)
        {
            int n = destination.Length < _receive.Count ? destination.Length : _receive.Count;
            if (n == 0)
            {
                return 0;
            }
            _receive.CopyOut(0, destination.Slice(0, n));
            _receive.Consume(n);
            // RFC 9293 §3.8.6.2.2: tell the peer once the window has grown by enough to matter (or from zero).
            if (IsSynchronized && !_finReceived && WindowUpdateWorthSending())
            {
                SendAck();
            }
            return n;
        }

        /// <summary>
        /// Queues as much of data as fits and starts sending; returns the bytes taken (0 when the buffer is full),
        /// or -1 once the connection can no longer send (closed, reset, or not yet established).
        /// </summary>
        public int Write(ReadOnlySpan<byte> data)
        {
            if (!CanSend)
            {
                return -1;
            }
            int n = _send.Append(data);
            if (n > 0)
            {
                Output();
            }
            return n;
        }

        /// <summary>
        /// Ends the application's use: sends FIN after the queued data (graceful close). With unread received data
        /// the connection is reset instead (RFC 1122 §4.2.2.13: the peer must learn that data was lost).
        /// </summary>
        public void Close()
        {
            if (!_appOwned)
            {
                return;
            }
            _appOwned = false;
            _appClosed = true;
            if (_receive.Count > 0 && IsSynchronized)
            {
                ResetAndTerminate(TcpCloseReason.Aborted);
                return;
            }
            switch (_state)
            {
                case TcpState.SynSent:
                    Terminate(TcpCloseReason.Aborted);
                    return;
                case TcpState.Established:
                    QueueFin(TcpState.FinWait1);
                    return;
                case TcpState.CloseWait:
                    QueueFin(TcpState.LastAck);
                    return;
                case TcpState.Closed:
                    _tcp.Release(this);
                    return;
            }
        }

        /// <summary>Resets the connection (RST to the peer) and gives it back to the pool.</summary>
        public void Abort()
        {
            _appOwned = false;
            _appClosed = true;
            if (_state == TcpState.Closed)
            {
                _tcp.Release(this);
                return;
            }
            ResetAndTerminate(TcpCloseReason.Aborted);
        }

        private bool IsSynchronized
        {
            get { return _state != TcpState.Closed && _state != TcpState.Listen && _state != TcpState.SynSent && _state != TcpState.SynReceived; }
        }

        private void QueueFin(TcpState next)
        {
            _finQueued = true;
            SetState(next);
            Output();
        }

        /// <summary>The sequence number the FIN takes: right after the last byte written.</summary>
        private uint FinSeq { get { return _sendBase + (uint)_send.Count; } }

        internal void SetState(TcpState state)
        {
            _state = state;
            StateSince = _stack.Now;
        }

        /// <summary>Prepares a pooled connection for a new use.</summary>
        internal void Reset(ushort localPort, uint remoteAddress, ushort remotePort, uint iss)
        {
            _localPort = localPort;
            _remoteAddress = remoteAddress;
            _remotePort = remotePort;
            _reason = TcpCloseReason.None;
            Listener = null;
            Queued = false;
            _appOwned = false;
            _appClosed = false;
            _send.Clear();
            _receive.Clear();
            _outOfOrder.Clear();
            _rto.Reset();
            _iss = iss;
            _sndUna = iss;
            _sndNxt = iss;
            _sndMax = iss;
            _sendBase = iss + 1;
            _sndWnd = 0;
            _sndWl1 = 0;
            _sndWl2 = 0;
            _maxSndWnd = 0;
            _finQueued = false;
            _mss = TcpLayer.DefaultMss;
            _irs = 0;
            _rcvNxt = 0;
            _rcvAdvertised = 0;
            _finReceived = false;
            _peerFinPending = false;
            ResetTimers();
            InUse = true;
            SetState(TcpState.Closed);
        }

        internal uint ReceiveNext { get { return _rcvNxt; } }

        /// <summary>SND.MAX: the sequence number after the highest one sent (what a reset from us carries).</summary>
        internal uint SendMax { get { return _sndMax; } }

        internal void CopySendData(int offset, Span<byte> destination)
        {
            _send.CopyOut(offset, destination);
        }

        internal void GiveToApplication()
        {
            _appOwned = true;
        }

        internal bool Matches(ushort localPort, uint remoteAddress, ushort remotePort)
        {
            return InUse && _localPort == localPort && _remoteAddress == remoteAddress && _remotePort == remotePort
                   && _state != TcpState.Closed;
        }

        /// <summary>Reaches Closed; the pool takes the connection back unless the application still holds it.</summary>
        internal void Terminate(TcpCloseReason reason)
        {
            if (_state == TcpState.Closed)
            {
                return;
            }
            if (_reason == TcpCloseReason.None)
            {
                _reason = reason;
            }
            SetState(TcpState.Closed);
            ResetTimers();
            if (!_appOwned)
            {
                _tcp.Release(this);
            }
        }

        private void ResetAndTerminate(TcpCloseReason reason)
        {
            _tcp.SendReset(_remoteAddress, _localPort, _remotePort, _sndMax, 0, false);
            Terminate(reason);
        }
    }
}
