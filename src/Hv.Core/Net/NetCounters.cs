namespace Hv.Core.Net
{
    /// <summary>One counter per <see cref="NetDrop"/> reason and per <see cref="NetStat"/> event.</summary>
    public sealed class NetCounters
    {
        private readonly ulong[] _drops = new ulong[(int)NetDrop.Count];
        private readonly ulong[] _stats = new ulong[(int)NetStat.Count];

        public void Drop(NetDrop reason)
        {
            _drops[(int)reason]++;
        }

        public void Count(NetStat stat)
        {
            _stats[(int)stat]++;
        }

        public ulong Dropped(NetDrop reason)
        {
            return _drops[(int)reason];
        }

        public ulong Get(NetStat stat)
        {
            return _stats[(int)stat];
        }

        public ulong TotalDrops
        {
            get
            {
                ulong total = 0;
                for (int i = 0; i < _drops.Length; i++)
                {
                    total += _drops[i];
                }
                return total;
            }
        }
    }
}
