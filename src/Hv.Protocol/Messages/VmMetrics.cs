using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// A VM's counters (GetVm, GetMetrics; Measure-HvVm), indexed by <see cref="CounterId"/>. On the wire: count varint,
    /// then that many varints in <see cref="CounterId"/> order (at most <see cref="ProtocolInfo.MaxCounters"/>; a reader
    /// keeps the ones it knows).
    /// </summary>
    public sealed class VmMetrics
    {
        private readonly ulong[] _values = new ulong[(int)CounterId.Count];
        private int _received = (int)CounterId.Count;

        public ulong Get(CounterId id)
        {
            int i = (int)id;
            return i >= 0 && i < _values.Length ? _values[i] : 0;
        }

        public void Set(CounterId id, ulong value)
        {
            int i = (int)id;
            if (i >= 0 && i < _values.Length)
            {
                _values[i] = value;
            }
        }

        /// <summary>False for a counter the host did not send (an older host, a shorter block).</summary>
        public bool Has(CounterId id)
        {
            return (int)id < _received;
        }

        public ulong TotalExits { get { return Get(CounterId.TotalExits); } }
        public ulong IoExits { get { return Get(CounterId.IoExits); } }
        public ulong EptExits { get { return Get(CounterId.EptExits); } }
        public ulong HltExits { get { return Get(CounterId.HltExits); } }
        public ulong CpuidExits { get { return Get(CounterId.CpuidExits); } }
        public ulong MsrExits { get { return Get(CounterId.MsrExits); } }
        public ulong InterruptExits { get { return Get(CounterId.InterruptExits); } }
        public ulong OtherExits { get { return Get(CounterId.OtherExits); } }
        public ulong ConsoleBytesOut { get { return Get(CounterId.ConsoleBytesOut); } }
        public ulong ConsoleBytesIn { get { return Get(CounterId.ConsoleBytesIn); } }
        public ulong GuestTsc { get { return Get(CounterId.GuestTsc); } }
        public ulong RunTimeMs { get { return Get(CounterId.RunTimeMs); } }
        public ulong PrivatePages { get { return Get(CounterId.PrivatePages); } }
        public ulong SharedPages { get { return Get(CounterId.SharedPages); } }

        public void Clear()
        {
            for (int i = 0; i < _values.Length; i++)
            {
                _values[i] = 0;
            }
            _received = _values.Length;
        }

        public void WriteTo(MessageWriter writer)
        {
            writer.WriteVarUInt((ulong)_values.Length);
            for (int i = 0; i < _values.Length; i++)
            {
                writer.WriteVarUInt(_values[i]);
            }
        }

        public bool TryReadFrom(MessageReader reader)
        {
            uint count;
            if (!reader.ReadVarUInt32(out count) || count > ProtocolInfo.MaxCounters)
            {
                return false;
            }
            for (int i = 0; i < (int)count; i++)
            {
                ulong value;
                if (!reader.ReadVarUInt(out value))
                {
                    return false;
                }
                Set((CounterId)i, value);
            }
            _received = (int)count;
            return true;
        }
    }
}
