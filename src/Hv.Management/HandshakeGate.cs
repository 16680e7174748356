namespace Hv.Management
{
    /// <summary>
    /// What a TCP connection may cost the host before it proves the key (SECURE-CHANNEL.md). Two bounds, in host time:
    /// a <b>deadline</b> — a connection that has not finished the secure handshake <see cref="DeadlineMs"/> after it
    /// was accepted is reset, so idle or half-open connections cannot hold the session slots; and a <b>budget of key
    /// exchanges</b> — the X25519 work a ClientHello starts (the costly part, tens of milliseconds of an emulated CPU)
    /// is done at most <see cref="KeyExchangesPerSecond"/> times a second across all connections (a burst of as many),
    /// so a flood of ClientHellos cannot take the host's time from guests and working sessions. A ClientHello that
    /// finds the budget spent waits in its connection (the deadline still runs) until the budget refills.
    /// </summary>
    public sealed class HandshakeGate
    {
        /// <summary>Time from accept to a finished secure handshake; ample for a client across the world.</summary>
        public const ulong DeadlineMs = 10 * 1000;

        /// <summary>Key exchanges the host starts per second of host time at most (and in one burst).</summary>
        public const int KeyExchangesPerSecond = 8;

        private const ulong MsPerKeyExchange = 1000 / KeyExchangesPerSecond;

        private int _tokens = KeyExchangesPerSecond;
        private ulong _refilledMs;
        private bool _started;

        /// <summary>Requests refused because the budget was spent (a waiting ClientHello asks again at each poll).</summary>
        public ulong Deferred { get; private set; }

        /// <summary>True when a connection accepted at <paramref name="acceptedMs"/> has run out of time to handshake.</summary>
        public static bool Expired(ulong acceptedMs, ulong nowMs)
        {
            return nowMs > acceptedMs && nowMs - acceptedMs > DeadlineMs;
        }

        /// <summary>Takes one key exchange from the budget at <paramref name="nowMs"/>; false when it is spent.</summary>
        public bool TryStartKeyExchange(ulong nowMs)
        {
            Refill(nowMs);
            if (_tokens == 0)
            {
                Deferred++;
                return false;
            }
            _tokens--;
            return true;
        }

        // One token back per MsPerKeyExchange elapsed, up to a full burst; time that passed while full is not banked.
        private void Refill(ulong nowMs)
        {
            if (!_started || nowMs < _refilledMs)
            {
                _started = true;
                _refilledMs = nowMs;
                return;
            }
            ulong earned = (nowMs - _refilledMs) / MsPerKeyExchange;
            if (earned == 0) return;
            ulong tokens = (ulong)_tokens + earned;
            _tokens = tokens > KeyExchangesPerSecond ? KeyExchangesPerSecond : (int)tokens;
            _refilledMs = _tokens == KeyExchangesPerSecond ? nowMs : _refilledMs + earned * MsPerKeyExchange;
        }
    }
}
