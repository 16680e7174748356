namespace Hv.Core.Networking
{
    /// <summary>
    /// A switch's learned addresses (IEEE 802.1D, 8.7 filtering database): which port each source MAC was last
    /// seen on, forgotten after the aging time (802.1D recommends 300 s) so a moved or silent station is flooded
    /// to again. Fixed size and 4-way set associative, like a hardware CAM: a lookup or a learn touches 4 entries
    /// and allocates nothing; when a set is full the entry seen longest ago is replaced.
    ///
    /// Time is whatever monotonic tick the host passes in (TSC, milliseconds); the aging time is in the same unit.
    /// </summary>
    public sealed class MacTable
    {
        public const int Ways = 4;
        private const ulong ValidBit = 1UL << 63;

        private readonly ulong[] _macs;
        private readonly int[] _ports;
        private readonly ulong[] _seen;
        private readonly int _setShift;
        private readonly ulong _agingTime;

        /// <param name="sets">Number of 4-entry sets (a power of two, at least 1).</param>
        public MacTable(int sets, ulong agingTime)
        {
            int bits = 0;
            while ((1 << (bits + 1)) <= sets && bits < 20)
            {
                bits++;
            }
            _macs = new ulong[(1 << bits) * Ways];
            _ports = new int[_macs.Length];
            _seen = new ulong[_macs.Length];
            _setShift = 64 - bits;
            _agingTime = agingTime;
        }

        public int Capacity { get { return _macs.Length; } }

        /// <summary>Entries replaced while still fresh because their set was full.</summary>
        public ulong Evictions { get; private set; }

        /// <summary>The port <paramref name="mac"/> was learned on, or -1 when unknown or aged out.</summary>
        public int Lookup(ulong mac, ulong now)
        {
            int first = SetStart(mac);
            for (int i = first; i < first + Ways; i++)
            {
                if (_macs[i] == (mac | ValidBit))
                {
                    return Fresh(i, now) ? _ports[i] : -1;
                }
            }
            return -1;
        }

        /// <summary>Records that <paramref name="mac"/> was seen as a source on <paramref name="port"/>.</summary>
        public void Learn(ulong mac, int port, ulong now)
        {
            int first = SetStart(mac);
            ulong key = mac | ValidBit;
            // The entry for this MAC if there is one, else a free or aged-out one, else the one seen longest ago.
            int victim = -1;
            for (int i = first; i < first + Ways; i++)
            {
                if (_macs[i] == key)
                {
                    victim = i;
                    break;
                }
                bool better = victim < 0
                    || (!Usable(i, now) && Usable(victim, now))
                    || (Usable(i, now) && Usable(victim, now) && _seen[i] < _seen[victim]);
                if (better)
                {
                    victim = i;
                }
            }
            if (_macs[victim] != key && Usable(victim, now))
            {
                Evictions++;
            }
            _macs[victim] = key;
            _ports[victim] = port;
            _seen[victim] = now;
        }

        /// <summary>Forgets every address learned on <paramref name="port"/> (it was disconnected).</summary>
        public void Forget(int port)
        {
            for (int i = 0; i < _macs.Length; i++)
            {
                if (_ports[i] == port)
                {
                    _macs[i] = 0;
                }
            }
        }

        public void Clear()
        {
            for (int i = 0; i < _macs.Length; i++)
            {
                _macs[i] = 0;
            }
            Evictions = 0;
        }

        /// <summary>Gives back the table's arrays and the table (its switch was removed).</summary>
        public void Free()
        {
            Owned.Free(_macs);
            Owned.Free(_ports);
            Owned.Free(_seen);
            Owned.Free(this);
        }

        /// <summary>Valid and not aged out: an entry worth keeping.</summary>
        private bool Usable(int entry, ulong now)
        {
            return (_macs[entry] & ValidBit) != 0 && Fresh(entry, now);
        }

        private bool Fresh(int entry, ulong now)
        {
            return now < _seen[entry] || now - _seen[entry] <= _agingTime;
        }

        private int SetStart(ulong mac)
        {
            // Fibonacci hashing spreads the low-entropy OUI bits over the set index.
            int set = _setShift == 64 ? 0 : (int)((mac * 0x9E3779B97F4A7C15UL) >> _setShift);
            return set * Ways;
        }
    }
}
