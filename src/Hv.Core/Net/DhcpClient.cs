using System;

namespace Hv.Core.Net
{
    /// <summary>The client states of RFC 2131 §4.4 (Figure 5), plus Stopped for static configuration.</summary>
    public enum DhcpState
    {
        Stopped,
        Selecting,
        Requesting,
        Bound,
        Renewing,
        Rebinding,
    }

    /// <summary>
    /// A DHCP client (RFC 2131): DISCOVER → OFFER → REQUEST → ACK, then renewal at T1 (unicast to the server),
    /// rebinding at T2 (broadcast) and loss of the address at expiry. Retransmissions back off exponentially
    /// (RFC 2131 §4.1: 4 s doubling to 64 s). Replies must match our transaction id and MAC.
    /// </summary>
    public sealed class DhcpClient : UdpReceiver
    {
        private const int FirstRetryMs = 4000;
        private const int RequestAttempts = 4;
        private const int MinRenewRetryMs = 60000;

        private readonly NetStack _stack;
        private DhcpState _state;
        private uint _xid;
        private uint _offered;
        private uint _server;
        private int _attempts;
        private int _retryMs;
        private ulong _nextSend;
        private ulong _renewAt;
        private ulong _rebindAt;
        private ulong _expireAt;

        internal DhcpClient(NetStack stack)
        {
            _stack = stack;
        }

        public DhcpState State { get { return _state; } }

        /// <summary>The server that granted the lease (0 before one).</summary>
        public uint Server { get { return _server; } }

        /// <summary>TSC time at which the lease ends (0 when there is none or it is infinite).</summary>
        public ulong LeaseExpires { get { return _expireAt; } }

        internal void Start()
        {
            if (_state == DhcpState.Stopped)
            {
                _stack.Udp.Bind(DhcpMessage.ClientPort, this);
            }
            Restart();
        }

        internal void Stop()
        {
            if (_state != DhcpState.Stopped)
            {
                _stack.Udp.Unbind(DhcpMessage.ClientPort);
                _state = DhcpState.Stopped;
            }
        }

        // INIT (RFC 2131 §4.4.1): a fresh transaction, DISCOVER now.
        private void Restart()
        {
            _state = DhcpState.Selecting;
            _xid = _stack.Random.Next();
            _offered = 0;
            _server = 0;
            _expireAt = 0;
            _attempts = 0;
            _retryMs = FirstRetryMs;
            _nextSend = _stack.Now;
        }

        internal void Poll()
        {
            ulong now = _stack.Now;
            switch (_state)
            {
                case DhcpState.Selecting:
                case DhcpState.Requesting:
                    if (now >= _nextSend)
                    {
                        if (_state == DhcpState.Requesting && _attempts >= RequestAttempts)
                        {
                            Restart();
                        }
                        SendAndBackOff();
                    }
                    return;
                case DhcpState.Bound:
                case DhcpState.Renewing:
                case DhcpState.Rebinding:
                    if (_expireAt != 0 && now >= _expireAt)
                    {
                        _stack.Ip.Clear();
                        _stack.Counters.Count(NetStat.DhcpExpiries);
                        Restart();
                        SendAndBackOff();
                        return;
                    }
                    if (_state == DhcpState.Bound && _renewAt != 0 && now >= _renewAt)
                    {
                        Enter(DhcpState.Renewing, now);
                    }
                    if (_state == DhcpState.Renewing && _rebindAt != 0 && now >= _rebindAt)
                    {
                        Enter(DhcpState.Rebinding, now);
                    }
                    if (_state != DhcpState.Bound && now >= _nextSend)
                    {
                        SendRequest();
                        // RFC 2131 §4.4.5: wait half the time left to T2 (or expiry), at least 60 s.
                        ulong end = _state == DhcpState.Renewing ? _rebindAt : _expireAt;
                        ulong wait = end > now ? (end - now) / 2 : 0;
                        ulong min = _stack.TicksFromMs(MinRenewRetryMs);
                        _nextSend = now + (wait > min ? wait : min);
                    }
                    return;
            }
        }

        private void Enter(DhcpState state, ulong now)
        {
            _state = state;
            _xid = _stack.Random.Next();
            _nextSend = now;
        }

        private void SendAndBackOff()
        {
            if (_state == DhcpState.Selecting)
            {
                Send(DhcpMessageType.Discover, 0, 0, 0, Ipv4Address.Broadcast);
            }
            else
            {
                Send(DhcpMessageType.Request, 0, _offered, _server, Ipv4Address.Broadcast);
            }
            _attempts++;
            _nextSend = _stack.Now + _stack.TicksFromMs(_retryMs);
            _retryMs = Math.Min(_retryMs * 2, _stack.Config.DhcpMaxBackoffMs);
        }

        // RENEWING unicasts to the server, REBINDING broadcasts; both carry our address as ciaddr (RFC 2131 §4.3.2).
        private void SendRequest()
        {
            uint to = _state == DhcpState.Renewing ? _server : Ipv4Address.Broadcast;
            Send(DhcpMessageType.Request, _stack.Ip.Address, 0, 0, to);
        }

        private void Send(DhcpMessageType type, uint clientAddress, uint requested, uint server, uint destination)
        {
            int length = DhcpMessage.Write(_stack.Udp.SendBuffer, type, _xid, _stack.MacAddress, clientAddress, requested, server);
            _stack.Udp.SendPrepared(DhcpMessage.ClientPort, destination, DhcpMessage.ServerPort, length);
        }

        public override void OnDatagram(ReadOnlySpan<byte> data, uint sourceAddress, ushort sourcePort, uint destinationAddress)
        {
            NetCounters counters = _stack.Counters;
            DhcpMessage message;
            if (!DhcpMessage.TryParse(data, out message))
            {
                counters.Drop(NetDrop.DhcpMalformed);
                return;
            }
            if (sourcePort != DhcpMessage.ServerPort || message.TransactionId != _xid || message.ClientMac != _stack.MacAddress
                || _state == DhcpState.Stopped || _state == DhcpState.Bound)
            {
                counters.Drop(NetDrop.DhcpNotOurs);
                return;
            }
            if (_state == DhcpState.Selecting && message.Type == DhcpMessageType.Offer && IsUsable(message))
            {
                _offered = message.YourAddress;
                _server = message.ServerId;
                _state = DhcpState.Requesting;
                _attempts = 0;
                _retryMs = FirstRetryMs;
                SendAndBackOff();
            }
            else if (_state != DhcpState.Selecting && message.Type == DhcpMessageType.Ack && IsUsable(message)
                     && (_state == DhcpState.Requesting ? message.YourAddress == _offered : message.YourAddress == _stack.Ip.Address))
            {
                Bind(message);
            }
            else if (_state != DhcpState.Selecting && message.Type == DhcpMessageType.Nak)
            {
                // RFC 2131 §4.4.1/§4.4.5: the lease is refused or gone; start over without the address.
                counters.Count(NetStat.DhcpNaks);
                _stack.Ip.Clear();
                Restart();
            }
            else
            {
                counters.Drop(NetDrop.DhcpUnexpected);
            }
        }

        // A lease we can configure: a unicast host address, a server id, a contiguous mask, some lease time.
        private static bool IsUsable(DhcpMessage m)
        {
            uint inverse = ~m.SubnetMask;
            bool maskContiguous = (inverse & (inverse + 1)) == 0;
            return m.YourAddress != 0 && m.YourAddress != Ipv4Address.Broadcast && !Ipv4Address.IsMulticast(m.YourAddress)
                   && m.ServerId != 0 && m.LeaseSeconds != 0 && maskContiguous;
        }

        private void Bind(DhcpMessage m)
        {
            int prefix = 0;
            uint mask = m.SubnetMask;
            if (mask == 0)
            {
                // RFC 2131 §4.4.1 leaves it to us: the address class's natural mask.
                prefix = (m.YourAddress >> 31) == 0 ? 8 : (m.YourAddress >> 30) == 2 ? 16 : 24;
            }
            while ((mask & 0x80000000) != 0)
            {
                prefix++;
                mask <<= 1;
            }
            uint gatewayMask = Ipv4Address.MaskFromPrefix(prefix);
            uint gateway = ((m.Router ^ m.YourAddress) & gatewayMask) == 0 && m.Router != m.YourAddress ? m.Router : 0;
            _stack.Ip.Set(m.YourAddress, prefix, gateway, IpSource.Dhcp);
            _server = m.ServerId;
            _stack.Counters.Count(_state == DhcpState.Requesting ? NetStat.DhcpLeases : NetStat.DhcpRenewals);
            _state = DhcpState.Bound;
            ulong now = _stack.Now;
            if (m.LeaseSeconds == DhcpMessage.Infinite)
            {
                _renewAt = _rebindAt = _expireAt = 0;
                return;
            }
            // RFC 2131 §4.4.5 defaults: T1 = 0.5 and T2 = 0.875 of the lease.
            uint t1 = m.RenewalSeconds != 0 && m.RenewalSeconds < m.LeaseSeconds ? m.RenewalSeconds : m.LeaseSeconds / 2;
            uint t2 = m.RebindingSeconds != 0 && m.RebindingSeconds < m.LeaseSeconds ? m.RebindingSeconds : m.LeaseSeconds / 8 * 7;
            _renewAt = now + _stack.TicksFromMs(1000L * t1);
            _rebindAt = now + _stack.TicksFromMs(1000L * (t2 > t1 ? t2 : t1));
            _expireAt = now + _stack.TicksFromMs(1000L * m.LeaseSeconds);
        }
    }
}
