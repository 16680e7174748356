using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The interrupt source of a VM without an interrupt controller model: vectors raised by the guest itself
    /// (hypercall RaiseInterrupt) or by the host, delivered highest vector first (as an APIC ranks its IRR), each once.
    /// </summary>
    public sealed class RequestedInterrupts : InterruptSource
    {
        public const int FirstVector = 32;
        private readonly ulong[] _pending = new ulong[4];

        /// <summary>Marks <paramref name="vector"/> pending; false for the exception vectors 0-31.</summary>
        public bool Raise(int vector)
        {
            if (vector < FirstVector || vector > 255) return false;
            _pending[vector >> 6] |= 1UL << (vector & 63);
            return true;
        }

        /// <summary>Gives back the set (its VM is being removed).</summary>
        public void Free()
        {
            Owned.Free(_pending);
            Owned.Free(this);
        }

        public override int PendingVector()
        {
            for (int word = 3; word >= 0; word--)
            {
                ulong bits = _pending[word];
                if (bits == 0) continue;
                int bit = 63;
                while ((bits & (1UL << bit)) == 0) bit--;
                return word * 64 + bit;
            }
            return -1;
        }

        public override void Acknowledge(int vector)
        {
            if (vector >= 0 && vector <= 255) _pending[vector >> 6] &= ~(1UL << (vector & 63));
        }
    }
}
