namespace Hv.Core.Net
{
    /// <summary>
    /// The retransmission timeout of RFC 6298 in TSC ticks: SRTT and RTTVAR from round-trip samples (§2.2-2.3, with
    /// alpha 1/8 and beta 1/4), RTO = SRTT + max(G, 4 RTTVAR) clamped to [min, max] (§2.4-2.5), doubled on each
    /// expiry (§5.5) until a new sample arrives. Callers follow Karn's rule: no samples from retransmitted data.
    /// </summary>
    public sealed class RtoEstimator
    {
        private readonly ulong _initial;
        private readonly ulong _min;
        private readonly ulong _max;
        private readonly ulong _granularity;
        private ulong _srtt;
        private ulong _rttvar;
        private ulong _base;
        private int _backoff;
        private bool _hasSample;

        public RtoEstimator(ulong initial, ulong min, ulong max, ulong granularity)
        {
            _initial = initial;
            _min = min;
            _max = max;
            _granularity = granularity;
            Reset();
        }

        /// <summary>The current RTO including back-off.</summary>
        public ulong Rto
        {
            get
            {
                ulong rto = _base;
                for (int i = 0; i < _backoff && rto < _max; i++)
                {
                    rto *= 2;
                }
                return rto < _max ? rto : _max;
            }
        }

        public ulong SmoothedRtt { get { return _srtt; } }
        public bool HasSample { get { return _hasSample; } }

        public void Reset()
        {
            _srtt = 0;
            _rttvar = 0;
            _base = _initial;
            _backoff = 0;
            _hasSample = false;
        }

        public void Sample(ulong rtt)
        {
            if (!_hasSample)
            {
                _srtt = rtt;
                _rttvar = rtt / 2;
                _hasSample = true;
            }
            else
            {
                ulong difference = _srtt > rtt ? _srtt - rtt : rtt - _srtt;
                _rttvar = (3 * _rttvar + difference) / 4;
                _srtt = (7 * _srtt + rtt) / 8;
            }
            ulong variance = 4 * _rttvar;
            ulong rto = _srtt + (variance > _granularity ? variance : _granularity);
            _base = rto < _min ? _min : rto > _max ? _max : rto;
            _backoff = 0;
        }

        /// <summary>§5.5: the timer expired; the next RTO is twice as long (up to the maximum).</summary>
        public void BackOff()
        {
            if (_backoff < 30)
            {
                _backoff++;
            }
        }
    }
}
