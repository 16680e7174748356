using System;

namespace Hv.Core.Net
{
    /// <summary>Segment arrival (RFC 9293 §3.10.7) with RFC 5961's defences against blind RST, SYN and data.</summary>
    public sealed partial class TcpConnection
    {
        /// <summary>A SYN for a listener: SYN-RECEIVED, answered with SYN-ACK (RFC 9293 §3.10.7.2).</summary>
        internal void OpenPassive(TcpListener listener, in TcpSegment segment)
        {
            Listener = listener;
            _irs = segment.Sequence;
            _rcvNxt = segment.Sequence + 1;
            _rcvAdvertised = _rcvNxt;
            _mss = ClampMss(segment.Mss);
            UpdateWindow(segment.Window, segment.Sequence, _iss);
            SetState(TcpState.SynReceived);
            SendSyn();
        }

        /// <summary>Active open: SYN-SENT (RFC 9293 §3.10.1).</summary>
        internal void OpenActive()
        {
            _appOwned = true;
            SetState(TcpState.SynSent);
            SendSyn();
        }

        internal void Arrive(in TcpSegment segment)
        {
            if (_state == TcpState.SynSent)
            {
                ArriveInSynSent(segment);
                return;
            }
            NetCounters counters = _stack.Counters;
            uint seq = segment.Sequence;
            uint window = (uint)_receive.Free;
            int length = segment.Length;

            // First check (§3.10.7.4): is any of the segment inside the receive window?
            bool acceptable = length == 0
                ? (window == 0 ? seq == _rcvNxt : TcpSequence.InWindow(seq, _rcvNxt, window))
                : window != 0 && (TcpSequence.InWindow(seq, _rcvNxt, window) || TcpSequence.InWindow(seq + (uint)length - 1, _rcvNxt, window));
            // With a zero window only the ACK and RST of a segment at RCV.NXT count; its data waits.
            bool zeroWindowProbe = !acceptable && window == 0 && seq == _rcvNxt;
            if (!acceptable && !zeroWindowProbe)
            {
                if (_state == TcpState.SynReceived && segment.Has(TcpFlags.Syn) && seq == _irs)
                {
                    SendSyn(); // the peer did not get our SYN-ACK and sent its SYN again
                }
                else if (!segment.Has(TcpFlags.Rst))
                {
                    if (_state == TcpState.TimeWait && segment.Has(TcpFlags.Fin))
                    {
                        _closeAt = _stack.Now + TimeWaitTicks; // §3.10.7.4: the peer's FIN again restarts the 2 MSL wait
                    }
                    SendAck();
                }
                counters.Drop(NetDrop.TcpOutOfWindow);
                return;
            }

            // RFC 5961 §3.2: only a RST exactly at RCV.NXT resets; one elsewhere in the window gets a challenge ACK.
            if (segment.Has(TcpFlags.Rst))
            {
                if (seq != _rcvNxt)
                {
                    SendChallengeAck();
                    counters.Drop(NetDrop.TcpBlindReset);
                    return;
                }
                counters.Count(NetStat.TcpResetsReceived);
                Terminate(TcpCloseReason.Reset);
                return;
            }
            // RFC 5961 §4.2: a SYN on a synchronized connection is never honoured, whatever its sequence number.
            if (segment.Has(TcpFlags.Syn))
            {
                SendChallengeAck();
                counters.Drop(NetDrop.TcpBlindSyn);
                return;
            }
            if (!segment.Has(TcpFlags.Ack))
            {
                counters.Drop(NetDrop.TcpNoAck);
                return;
            }

            // Keep only the part inside the window: drop what we have already, and what does not fit.
            ReadOnlySpan<byte> data = segment.Payload;
            bool fin = segment.Has(TcpFlags.Fin);
            uint start = seq;
            if (TcpSequence.Less(start, _rcvNxt))
            {
                uint old = _rcvNxt - start;
                if (old > (uint)data.Length)
                {
                    fin = false; // its FIN is one we already took
                    data = data.Slice(0, 0);
                }
                else
                {
                    data = data.Slice((int)old);
                }
                start = _rcvNxt;
            }
            uint room = window - (start - _rcvNxt);
            if ((uint)data.Length > room)
            {
                data = data.Slice(0, (int)room);
                fin = false;
            }
            if (zeroWindowProbe)
            {
                data = data.Slice(0, 0);
                fin = false;
            }

            if (!ProcessAck(segment))
            {
                return;
            }
            if (_state == TcpState.Closed)
            {
                return; // our FIN was acknowledged in LAST-ACK
            }
            HeardFromPeer();

            bool ackNow = zeroWindowProbe || segment.Payload.Length != data.Length;
            if (data.Length > 0)
            {
                if (_state != TcpState.Established && _state != TcpState.FinWait1 && _state != TcpState.FinWait2)
                {
                    data = data.Slice(0, 0); // after the peer's FIN there is no more data
                    fin = false;
                }
                else if (_appClosed)
                {
                    // RFC 1122 §4.2.2.13: nobody will read it; tell the peer its data was lost.
                    counters.Drop(NetDrop.TcpDataAfterClose);
                    ResetAndTerminate(TcpCloseReason.Aborted);
                    return;
                }
                else
                {
                    ReceiveData(start, data);
                    ackNow = true;
                }
            }
            if (fin && !_finReceived)
            {
                _peerFinPending = true;
                _peerFinSeq = start + (uint)data.Length;
            }
            if (_peerFinPending && _peerFinSeq == _rcvNxt)
            {
                ReceiveFin();
                ackNow = true;
            }
            if (ackNow)
            {
                SendAck();
            }
            Output();
        }

        // §3.10.7.3 SYN-SENT.
        private void ArriveInSynSent(in TcpSegment segment)
        {
            NetCounters counters = _stack.Counters;
            bool hasAck = segment.Has(TcpFlags.Ack);
            uint ack = segment.Acknowledgment;
            if (hasAck && !(TcpSequence.Greater(ack, _iss) && TcpSequence.LessOrEqual(ack, _sndMax)))
            {
                if (!segment.Has(TcpFlags.Rst))
                {
                    _tcp.SendReset(_remoteAddress, _localPort, _remotePort, ack, 0, false);
                }
                counters.Drop(NetDrop.TcpBadAck);
                return;
            }
            if (segment.Has(TcpFlags.Rst))
            {
                if (!hasAck)
                {
                    counters.Drop(NetDrop.TcpBlindReset);
                    return;
                }
                counters.Count(NetStat.TcpResetsReceived);
                Terminate(TcpCloseReason.Refused);
                return;
            }
            if (!segment.Has(TcpFlags.Syn))
            {
                counters.Drop(NetDrop.TcpNoAck);
                return;
            }
            _irs = segment.Sequence;
            _rcvNxt = segment.Sequence + 1;
            _rcvAdvertised = _rcvNxt;
            _mss = ClampMss(segment.Mss);
            if (!hasAck)
            {
                // Simultaneous open (§3.5, figure 7): both sent SYN; answer with SYN-ACK.
                UpdateWindow(segment.Window, segment.Sequence, _iss);
                SetState(TcpState.SynReceived);
                SendSyn();
                return;
            }
            AcknowledgeSyn(ack);
            UpdateWindow(segment.Window, segment.Sequence, ack);
            SetState(TcpState.Established);
            counters.Count(NetStat.TcpConnected);
            HeardFromPeer();
            SendAck();
            Output();
        }

        private void AcknowledgeSyn(uint ack)
        {
            _sndUna = ack;
            if (TcpSequence.Less(_sndNxt, ack))
            {
                _sndNxt = ack;
            }
            if (_timing)
            {
                _rto.Sample(_stack.Now - _timedAt);
                _timing = false;
            }
            _retransmits = 0;
            _retransmitAt = 0;
        }

        // The fifth check of §3.10.7.4 with RFC 5961 §5.2's range; false if the segment is to be dropped.
        private bool ProcessAck(in TcpSegment segment)
        {
            NetCounters counters = _stack.Counters;
            uint ack = segment.Acknowledgment;
            if (_state == TcpState.SynReceived)
            {
                if (!(TcpSequence.Greater(ack, _sndUna) && TcpSequence.LessOrEqual(ack, _sndMax)))
                {
                    _tcp.SendReset(_remoteAddress, _localPort, _remotePort, ack, 0, false);
                    counters.Drop(NetDrop.TcpBadAck);
                    return false;
                }
                AcknowledgeSyn(ack);
                UpdateWindow(segment.Window, segment.Sequence, ack);
                SetState(TcpState.Established);
                _tcp.Established(this);
                return true;
            }
            if (TcpSequence.Greater(ack, _sndMax))
            {
                SendAck(); // it acknowledges something never sent
                counters.Drop(NetDrop.TcpBadAck);
                return false;
            }
            if (TcpSequence.Less(ack, _sndUna - _maxSndWnd))
            {
                SendChallengeAck(); // too old to be from this connection's peer: a blind injection
                counters.Drop(NetDrop.TcpBadAck);
                return false;
            }
            if (TcpSequence.Greater(ack, _sndUna))
            {
                NewAck(ack);
            }
            else if (ack == _sndUna && segment.Payload.Length == 0 && (segment.Flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0
                     && segment.Window == _sndWnd && _sndMax != _sndUna && _sndWnd != 0)
            {
                DuplicateAck();
            }
            if (TcpSequence.Less(_sndWl1, segment.Sequence)
                || (_sndWl1 == segment.Sequence && TcpSequence.LessOrEqual(_sndWl2, ack)))
            {
                UpdateWindow(segment.Window, segment.Sequence, ack);
            }
            if (FinAcknowledged)
            {
                switch (_state)
                {
                    case TcpState.FinWait1:
                        SetState(TcpState.FinWait2);
                        _closeAt = _stack.Now + _stack.TicksFromMs(_stack.Config.TcpFinWait2Ms);
                        break;
                    case TcpState.Closing:
                        EnterTimeWait();
                        break;
                    case TcpState.LastAck:
                        Terminate(TcpCloseReason.Normal);
                        break;
                }
            }
            return true;
        }

        private void UpdateWindow(ushort window, uint seq, uint ack)
        {
            _sndWnd = window;
            _sndWl1 = seq;
            _sndWl2 = ack;
            if (window > _maxSndWnd)
            {
                _maxSndWnd = window;
            }
            if (window != 0)
            {
                _persistAt = 0;
                _persistBackoff = 0;
            }
        }

        private bool FinAcknowledged
        {
            get { return _finQueued && TcpSequence.Greater(_sndUna, FinSeq); }
        }

        // In-window data: in order it extends the readable bytes (and joins any early ranges it reaches); ahead of
        // RCV.NXT it is stored at its place in the buffer and remembered as a range.
        private void ReceiveData(uint start, ReadOnlySpan<byte> data)
        {
            int offset = (int)(start - _rcvNxt);
            _receive.CopyIn(_receive.Count + offset, data);
            if (offset == 0)
            {
                _receive.Extend(data.Length);
                _rcvNxt += (uint)data.Length;
                uint next = _outOfOrder.Advance(_rcvNxt);
                _receive.Extend((int)(next - _rcvNxt));
                _rcvNxt = next;
            }
            else if (!_outOfOrder.Add(start, start + (uint)data.Length))
            {
                _stack.Counters.Drop(NetDrop.TcpOutOfOrderFull);
            }
        }

        private void ReceiveFin()
        {
            _peerFinPending = false;
            _finReceived = true;
            _rcvNxt++;
            switch (_state)
            {
                case TcpState.Established:
                    SetState(TcpState.CloseWait);
                    break;
                case TcpState.FinWait1:
                    if (FinAcknowledged)
                    {
                        EnterTimeWait();
                    }
                    else
                    {
                        SetState(TcpState.Closing);
                    }
                    break;
                case TcpState.FinWait2:
                    EnterTimeWait();
                    break;
            }
        }

        private void EnterTimeWait()
        {
            SetState(TcpState.TimeWait);
            ResetTimers();
            _closeAt = _stack.Now + TimeWaitTicks;
        }

        private ulong TimeWaitTicks { get { return 2 * _stack.TicksFromMs(_stack.Config.TcpMslMs); } }

        private static int ClampMss(ushort mss)
        {
            // RFC 9293 §3.7.1: 536 when the peer says nothing; never below 64 (tiny segments cost us per byte).
            if (mss == 0)
            {
                return TcpLayer.DefaultMss;
            }
            return mss < 64 ? 64 : mss > TcpLayer.MaxMss ? TcpLayer.MaxMss : mss;
        }
    }
}
