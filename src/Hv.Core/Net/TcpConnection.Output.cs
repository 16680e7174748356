using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// Sending and timers: segmentation within the peer's window and the congestion window (RFC 5681), the
    /// retransmission timer (RFC 6298, Karn's rule, back-off, go-back-N), fast retransmit on three duplicate ACKs,
    /// zero-window probes (RFC 9293 §3.8.6.1), keep-alive (§3.8.4), TIME-WAIT and FIN-WAIT-2 ends.
    /// </summary>
    public sealed partial class TcpConnection
    {
        private ulong _retransmitAt;
        private ulong _persistAt;
        private ulong _keepAliveAt;
        private ulong _closeAt;
        private int _retransmits;
        private int _persistBackoff;
        private int _keepAliveProbes;
        private bool _timing;
        private uint _timedSeq;
        private ulong _timedAt;
        private uint _cwnd;
        private uint _ssthresh;
        private int _dupAcks;

        private void ResetTimers()
        {
            _retransmitAt = 0;
            _persistAt = 0;
            _keepAliveAt = 0;
            _closeAt = 0;
            _retransmits = 0;
            _persistBackoff = 0;
            _keepAliveProbes = 0;
            _timing = false;
            _dupAcks = 0;
            // RFC 5681 §3.1 initial window, and an initial ssthresh as large as any window we can be offered.
            _cwnd = (uint)(4 * TcpLayer.MaxMss < 4380 ? 4 * TcpLayer.MaxMss : 4380);
            _ssthresh = 65535;
        }

        /// <summary>Sends what the windows allow, then makes sure a timer watches whatever is in flight.</summary>
        internal void Output()
        {
            if (!IsSynchronized || _state == TcpState.TimeWait)
            {
                return;
            }
            while (true)
            {
                int offset = (int)(_sndNxt - _sendBase);
                int available = _send.Count - offset; // -1 once the FIN is out
                bool finToSend = _finQueued && TcpSequence.LessOrEqual(_sndNxt, FinSeq);
                uint window = _sndWnd < _cwnd ? _sndWnd : _cwnd;
                int usable = (int)(_sndUna + window - _sndNxt);
                int length = available < _mss ? available : _mss;
                if (length > usable)
                {
                    length = usable;
                }
                if (length < 0)
                {
                    length = 0;
                }
                bool fin = finToSend && length == available;
                if (length == 0 && !fin)
                {
                    break;
                }
                // Sender silly-window avoidance (§3.8.6.2.1): no small segment while more waits and data is in flight.
                if (length < _mss && length < available && _sndMax != _sndUna)
                {
                    break;
                }
                Transmit(_sndNxt, length, fin, true);
                if (fin)
                {
                    break;
                }
            }
            ulong now = _stack.Now;
            if (_sndWnd == 0 && _send.Count > (int)(_sndNxt - _sendBase) && _sndMax == _sndUna && _persistAt == 0)
            {
                _persistAt = now + _rto.Rto;
            }
            if (_retransmitAt == 0 && _persistAt == 0 && _sndMax != _sndUna)
            {
                _retransmitAt = now + _rto.Rto;
            }
        }

        // One segment at seq: length data bytes (from the send buffer) and the FIN if asked. Only new data is timed
        // (Karn's rule: an ACK for a retransmitted segment says nothing about the round trip).
        private void Transmit(uint seq, int length, bool fin, bool timed)
        {
            byte flags = TcpFlags.Ack;
            if (fin)
            {
                flags |= TcpFlags.Fin;
            }
            if (length > 0 && seq + (uint)length == FinSeq)
            {
                flags |= TcpFlags.Psh;
            }
            _tcp.Transmit(this, seq, flags, (int)(seq - _sendBase), length, false);
            if (timed && !_timing && seq == _sndMax && length > 0)
            {
                _timing = true;
                _timedSeq = seq;
                _timedAt = _stack.Now;
            }
            _sndNxt = seq + (uint)length + (fin ? 1u : 0u);
            if (TcpSequence.Greater(_sndNxt, _sndMax))
            {
                _sndMax = _sndNxt;
            }
        }

        /// <summary>SYN (active open) or SYN-ACK (passive), with our MSS; times it and arms the retransmit timer.</summary>
        private void SendSyn()
        {
            byte flags = _state == TcpState.SynReceived ? (byte)(TcpFlags.Syn | TcpFlags.Ack) : TcpFlags.Syn;
            _tcp.Transmit(this, _iss, flags, 0, 0, true);
            _timing = _retransmits == 0;
            _timedSeq = _iss;
            _timedAt = _stack.Now;
            _sndNxt = _iss + 1;
            _sndMax = _iss + 1;
            _retransmitAt = _stack.Now + _rto.Rto;
        }

        // A bare ACK carries SND.MAX, not SND.NXT: while go-back-N resends old data SND.NXT lags behind what the
        // peer has, and an ACK numbered below its RCV.NXT would be dropped as old (so both sides could end up
        // resending to each other with every ACK ignored).
        internal void SendAck()
        {
            _tcp.Transmit(this, _sndMax, TcpFlags.Ack, 0, 0, false);
        }

        // RFC 5961 §7: challenge ACKs are rate-limited for all connections together.
        private void SendChallengeAck()
        {
            if (_tcp.AllowChallengeAck())
            {
                _stack.Counters.Count(NetStat.TcpChallengeAcks);
                SendAck();
            }
            else
            {
                _stack.Counters.Count(NetStat.TcpChallengeAcksSuppressed);
            }
        }

        /// <summary>The window to put in a segment now: free buffer space, grown in steps worth announcing.</summary>
        internal ushort AdvertiseWindow()
        {
            uint right = _rcvNxt + (uint)_receive.Free;
            if (TcpSequence.Greater(right, _rcvAdvertised) && right - _rcvAdvertised >= WindowStep)
            {
                _rcvAdvertised = right;
            }
            if (TcpSequence.Less(_rcvAdvertised, _rcvNxt))
            {
                _rcvAdvertised = _rcvNxt;
            }
            return (ushort)(_rcvAdvertised - _rcvNxt);
        }

        // Receiver silly-window avoidance (§3.8.6.2.2): move the right edge by at least min(buffer / 2, MSS).
        private uint WindowStep
        {
            get { return (uint)(_receive.Capacity / 2 < TcpLayer.MaxMss ? _receive.Capacity / 2 : TcpLayer.MaxMss); }
        }

        private bool WindowUpdateWorthSending()
        {
            uint right = _rcvNxt + (uint)_receive.Free;
            return TcpSequence.Greater(right, _rcvAdvertised) && right - _rcvAdvertised >= WindowStep;
        }

        // An ACK for new data (§3.10.7.4, RFC 6298 §5.2-5.3, RFC 5681 §3.1).
        private void NewAck(uint ack)
        {
            uint acked = ack - _sndUna;
            uint dataEnd = _sendBase + (uint)_send.Count;
            if (TcpSequence.Greater(ack, _sendBase))
            {
                uint upTo = TcpSequence.Less(ack, dataEnd) ? ack : dataEnd;
                int n = (int)(upTo - _sendBase);
                _send.Consume(n);
                _sendBase += (uint)n;
            }
            _sndUna = ack;
            if (TcpSequence.Less(_sndNxt, ack))
            {
                _sndNxt = ack;
            }
            ulong now = _stack.Now;
            if (_timing && TcpSequence.Greater(ack, _timedSeq))
            {
                _rto.Sample(now - _timedAt);
                _timing = false;
            }
            _retransmits = 0;
            _dupAcks = 0;
            uint mss = (uint)_mss;
            if (_cwnd < _ssthresh)
            {
                _cwnd += acked < mss ? acked : mss;
            }
            else
            {
                uint step = mss * mss / _cwnd;
                _cwnd += step == 0 ? 1 : step;
            }
            if (_cwnd > 1u << 30)
            {
                _cwnd = 1u << 30;
            }
            _retransmitAt = _sndUna == _sndMax ? 0 : now + _rto.Rto;
        }

        // RFC 5681 §3.2: the third duplicate ACK means a segment was lost; resend it without waiting for the timer.
        private void DuplicateAck()
        {
            _dupAcks++;
            if (_dupAcks != 3)
            {
                return;
            }
            _stack.Counters.Count(NetStat.TcpFastRetransmits);
            HalveWindow();
            uint next = _sndNxt;
            int available = _send.Count - (int)(_sndUna - _sendBase);
            int length = available < _mss ? available : _mss;
            Transmit(_sndUna, length < 0 ? 0 : length, _finQueued && _sndUna + (uint)length == FinSeq, false);
            if (TcpSequence.Greater(next, _sndNxt))
            {
                _sndNxt = next;
            }
            _timing = false;
            _cwnd = _ssthresh;
            _retransmitAt = _stack.Now + _rto.Rto;
        }

        private void HalveWindow()
        {
            uint flight = _sndMax - _sndUna;
            uint floor = 2 * (uint)_mss;
            _ssthresh = flight / 2 > floor ? flight / 2 : floor;
        }

        private void HeardFromPeer()
        {
            int idle = _stack.Config.TcpKeepAliveIdleMs;
            _keepAliveAt = idle > 0 ? _stack.Now + _stack.TicksFromMs(idle) : 0;
            _keepAliveProbes = 0;
        }

        /// <summary>Runs this connection's timers at the stack's current time.</summary>
        internal void Tick()
        {
            ulong now = _stack.Now;
            if (_closeAt != 0 && now >= _closeAt)
            {
                Terminate(_state == TcpState.TimeWait ? TcpCloseReason.Normal : TcpCloseReason.TimedOut);
                return;
            }
            if (_retransmitAt != 0 && now >= _retransmitAt)
            {
                RetransmitTimeout();
                if (_state == TcpState.Closed)
                {
                    return;
                }
            }
            if (_persistAt != 0 && now >= _persistAt)
            {
                ProbeWindow();
            }
            if (_keepAliveAt != 0 && now >= _keepAliveAt)
            {
                KeepAlive();
            }
        }

        // RFC 6298 §5.4-5.7: back off, collapse the congestion window, and resend from SND.UNA (go-back-N).
        private void RetransmitTimeout()
        {
            NetConfig config = _stack.Config;
            _retransmitAt = 0;
            _timing = false;
            if (_state == TcpState.SynSent || _state == TcpState.SynReceived)
            {
                if (_retransmits >= config.TcpSynRetransmits)
                {
                    _stack.Counters.Count(NetStat.TcpTimedOut);
                    Terminate(TcpCloseReason.TimedOut);
                    return;
                }
                _retransmits++;
                _rto.BackOff();
                _stack.Counters.Count(NetStat.TcpTimeoutRetransmits);
                SendSyn();
                return;
            }
            if (_sndMax == _sndUna)
            {
                return;
            }
            if (_retransmits >= config.TcpMaxRetransmits)
            {
                _stack.Counters.Count(NetStat.TcpTimedOut);
                ResetAndTerminate(TcpCloseReason.TimedOut);
                return;
            }
            _retransmits++;
            _stack.Counters.Count(NetStat.TcpTimeoutRetransmits);
            HalveWindow();
            _cwnd = (uint)_mss;
            _dupAcks = 0;
            _sndNxt = _sndUna;
            _rto.BackOff();
            Output();
        }

        // §3.8.6.1: with a zero window and data waiting, send one byte now and then so a lost window update cannot
        // deadlock the connection. The probes back off but never give up while the peer keeps answering.
        private void ProbeWindow()
        {
            _persistAt = 0;
            int offset = (int)(_sndUna - _sendBase);
            if (_sndWnd != 0 || _send.Count - offset <= 0)
            {
                _persistBackoff = 0;
                return;
            }
            _stack.Counters.Count(NetStat.TcpZeroWindowProbes);
            _retransmitAt = 0;
            Transmit(_sndUna, 1, false, false);
            // The byte counts as unsent: when the window opens it goes out again with the rest (an ACK for it, up to
            // SND.MAX, is still valid if the peer took it).
            _sndNxt = _sndUna;
            if (_persistBackoff < 16)
            {
                _persistBackoff++;
            }
            ulong interval = _rto.Rto << _persistBackoff;
            ulong max = _stack.TicksFromMs(_stack.Config.TcpMaxRtoMs);
            _persistAt = _stack.Now + (interval < max ? interval : max);
        }

        // §3.8.4: after a quiet spell, an ACK one below SND.NXT makes a live peer answer; silence ends the connection.
        private void KeepAlive()
        {
            NetConfig config = _stack.Config;
            ulong now = _stack.Now;
            if (_state != TcpState.Established && _state != TcpState.CloseWait)
            {
                _keepAliveAt = 0;
                return;
            }
            if (_sndMax != _sndUna || _send.Count > 0)
            {
                _keepAliveAt = now + _stack.TicksFromMs(config.TcpKeepAliveIdleMs); // the retransmit timer watches
                return;
            }
            if (_keepAliveProbes >= config.TcpKeepAliveProbes)
            {
                _stack.Counters.Count(NetStat.TcpTimedOut);
                ResetAndTerminate(TcpCloseReason.TimedOut);
                return;
            }
            _keepAliveProbes++;
            _stack.Counters.Count(NetStat.TcpKeepAliveProbes);
            _tcp.Transmit(this, _sndMax - 1, TcpFlags.Ack, 0, 0, false);
            _keepAliveAt = now + _stack.TicksFromMs(config.TcpKeepAliveIntervalMs);
        }
    }
}
