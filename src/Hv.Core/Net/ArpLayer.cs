using System;

namespace Hv.Core.Net
{
    /// <summary>
    /// ARP for IPv4 over Ethernet (RFC 826): a fixed cache with aging, requests for unknown next hops (retried,
    /// then given up), replies for our own address, and a bounded queue of frames that wait for a resolution.
    /// Entries are learnt only from packets aimed at us or for addresses already cached (RFC 826's merge rule),
    /// so a flood of foreign ARP traffic cannot fill the cache.
    /// </summary>
    public sealed class ArpLayer
    {
        public const int PacketBytes = 28;
        private const ushort RequestOp = 1;
        private const ushort ReplyOp = 2;
        private const byte Free = 0;
        private const byte Incomplete = 1;
        private const byte Resolved = 2;

        private readonly NetStack _stack;
        private readonly uint[] _ip;
        private readonly ulong[] _mac;
        private readonly byte[] _state;
        private readonly ulong[] _updated;
        private readonly int[] _retries;
        private readonly byte[] _frame = new byte[60];
        private readonly PendingFrames _pending;
        private readonly ulong _lifetime;
        private readonly ulong _retryInterval;

        internal ArpLayer(NetStack stack)
        {
            _stack = stack;
            int n = stack.Config.ArpEntries;
            _ip = new uint[n];
            _mac = new ulong[n];
            _state = new byte[n];
            _updated = new ulong[n];
            _retries = new int[n];
            _pending = new PendingFrames(stack.Config.ArpPendingFrames);
            _lifetime = stack.TicksFromMs(stack.Config.ArpLifetimeMs);
            _retryInterval = stack.TicksFromMs(stack.Config.ArpRetryMs);
        }

        /// <summary>The MAC address cached for ip, if resolved.</summary>
        public bool TryLookup(uint ip, out ulong mac)
        {
            int i = Find(ip);
            mac = i >= 0 && _state[i] == Resolved ? _mac[i] : 0;
            return i >= 0 && _state[i] == Resolved;
        }

        /// <summary>Frames waiting for a resolution.</summary>
        public int PendingCount { get { return _pending.Count; } }

        /// <summary>
        /// Sends frame[0..length) (destination MAC still blank) to nextHop: at once if resolved, else queued (a
        /// copy) while a request goes out.
        /// </summary>
        internal void Send(Span<byte> frame, int length, uint nextHop)
        {
            if (nextHop == Ipv4Address.Broadcast)
            {
                BigEndian.WriteMac(frame, 0, Ethernet.BroadcastMac);
                _stack.Transmit(frame, length);
                return;
            }
            int i = Find(nextHop);
            if (i >= 0 && _state[i] == Resolved)
            {
                BigEndian.WriteMac(frame, 0, _mac[i]);
                _stack.Transmit(frame, length);
                return;
            }
            if (!_pending.Add(frame.Slice(0, length), nextHop))
            {
                _stack.Counters.Drop(NetDrop.ArpQueueFull);
                return;
            }
            if (i < 0)
            {
                i = Allocate(nextHop);
                _state[i] = Incomplete;
                _retries[i] = 0;
                SendRequest(i);
            }
        }

        internal void Receive(ReadOnlySpan<byte> packet)
        {
            NetCounters counters = _stack.Counters;
            if (packet.Length < PacketBytes)
            {
                counters.Drop(NetDrop.ArpTruncated);
                return;
            }
            ushort op = BigEndian.ReadUInt16(packet, 6);
            if (BigEndian.ReadUInt16(packet, 0) != 1 || BigEndian.ReadUInt16(packet, 2) != Ethernet.TypeIpv4
                || packet[4] != 6 || packet[5] != 4 || (op != RequestOp && op != ReplyOp))
            {
                counters.Drop(NetDrop.ArpUnsupported);
                return;
            }
            ulong senderMac = BigEndian.ReadMac(packet, 8);
            uint senderIp = BigEndian.ReadUInt32(packet, 14);
            uint targetIp = BigEndian.ReadUInt32(packet, 24);
            if (senderMac == 0 || Ethernet.IsGroup(senderMac) || Ipv4Address.IsMulticast(senderIp) || senderIp == Ipv4Address.Broadcast)
            {
                counters.Drop(NetDrop.ArpBadSender);
                return;
            }
            IpSettings ip = _stack.Ip;
            if (!ip.IsConfigured)
            {
                counters.Drop(NetDrop.ArpNotForUs);
                return;
            }
            if (senderIp == ip.Address)
            {
                counters.Drop(NetDrop.ArpAddressConflict);
                return;
            }
            // RFC 826 "Packet Reception": update an existing entry first; add one only if the packet is for us.
            bool merged = false;
            int i = senderIp == 0 ? -1 : Find(senderIp);
            if (i >= 0)
            {
                Learn(i, senderMac);
                merged = true;
            }
            if (targetIp != ip.Address)
            {
                if (!merged)
                {
                    counters.Drop(NetDrop.ArpNotForUs);
                }
                return;
            }
            if (!merged && senderIp != 0)
            {
                i = Allocate(senderIp);
                Learn(i, senderMac);
            }
            if (op == RequestOp)
            {
                // An ARP probe (sender 0.0.0.0, RFC 5227) is answered too: the address is taken.
                Build(ReplyOp, senderMac, senderMac, senderIp);
                _stack.Transmit(_frame, 42);
                counters.Count(NetStat.ArpRepliesSent);
            }
        }

        /// <summary>Ages resolved entries and retries (or gives up) pending requests.</summary>
        internal void Poll()
        {
            ulong now = _stack.Now;
            for (int i = 0; i < _state.Length; i++)
            {
                if (_state[i] == Resolved && now - _updated[i] >= _lifetime)
                {
                    _state[i] = Free;
                }
                else if (_state[i] == Incomplete && now - _updated[i] >= _retryInterval)
                {
                    if (_retries[i] >= _stack.Config.ArpRetries)
                    {
                        Forget(i);
                    }
                    else
                    {
                        SendRequest(i);
                    }
                }
            }
        }

        private void Learn(int i, ulong mac)
        {
            _mac[i] = mac;
            _state[i] = Resolved;
            _updated[i] = _stack.Now;
            _pending.Flush(_ip[i], mac, _stack);
        }

        // Gives up on entry i: its waiting frames are dropped.
        private void Forget(int i)
        {
            int dropped = _pending.Discard(_ip[i]);
            for (int k = 0; k < dropped; k++)
            {
                _stack.Counters.Drop(NetDrop.ArpUnresolved);
            }
            _state[i] = Free;
        }

        private void SendRequest(int i)
        {
            Build(RequestOp, Ethernet.BroadcastMac, 0, _ip[i]);
            _stack.Transmit(_frame, 42);
            _stack.Counters.Count(NetStat.ArpRequestsSent);
            _retries[i]++;
            _updated[i] = _stack.Now;
        }

        private void Build(ushort op, ulong destinationMac, ulong targetMac, uint targetIp)
        {
            Span<byte> f = _frame;
            Ethernet.WriteHeader(f, destinationMac, _stack.MacAddress, Ethernet.TypeArp);
            BigEndian.WriteUInt16(f, 14, 1);
            BigEndian.WriteUInt16(f, 16, Ethernet.TypeIpv4);
            f[18] = 6;
            f[19] = 4;
            BigEndian.WriteUInt16(f, 20, op);
            BigEndian.WriteMac(f, 22, _stack.MacAddress);
            BigEndian.WriteUInt32(f, 28, _stack.Ip.Address);
            BigEndian.WriteMac(f, 32, targetMac);
            BigEndian.WriteUInt32(f, 38, targetIp);
        }

        private int Find(uint ip)
        {
            for (int i = 0; i < _state.Length; i++)
            {
                if (_state[i] != Free && _ip[i] == ip)
                {
                    return i;
                }
            }
            return -1;
        }

        // A free slot, else the least recently confirmed resolved entry, else the oldest pending one.
        private int Allocate(uint ip)
        {
            int victim = -1;
            for (int i = 0; i < _state.Length; i++)
            {
                if (_state[i] == Free)
                {
                    victim = i;
                    break;
                }
                if (victim < 0 || (_state[i] == Resolved && (_state[victim] != Resolved || _updated[i] < _updated[victim]))
                    || (_state[i] == Incomplete && _state[victim] == Incomplete && _updated[i] < _updated[victim]))
                {
                    victim = i;
                }
            }
            if (_state[victim] == Incomplete)
            {
                Forget(victim);
            }
            _ip[victim] = ip;
            _state[victim] = Incomplete;
            _updated[victim] = _stack.Now;
            return victim;
        }
    }
}
