namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// A 256-bit set indexed by interrupt vector: the local APIC's IRR, ISR and TMR (SDM Vol. 3A 11.8.4), which the
    /// guest reads as eight 32-bit registers, vector 32·i+b in bit b of register i.
    /// </summary>
    public sealed class ApicVectorSet
    {
        public const int Words = 8;
        private readonly uint[] _words = new uint[Words];

        /// <summary>Gives the set back (its APIC is being freed).</summary>
        public void Free()
        {
            Owned.Free(_words);
            Owned.Free(this);
        }

        public bool Contains(int vector)
        {
            return (_words[(vector >> 5) & 7] & (1u << (vector & 31))) != 0;
        }

        public void Add(int vector)
        {
            _words[(vector >> 5) & 7] |= 1u << (vector & 31);
        }

        public void Remove(int vector)
        {
            _words[(vector >> 5) & 7] &= ~(1u << (vector & 31));
        }

        public void Clear()
        {
            for (int i = 0; i < Words; i++)
            {
                _words[i] = 0;
            }
        }

        /// <summary>The register the guest reads for vectors 32·<paramref name="index"/> .. 32·index+31.</summary>
        public uint Word(int index)
        {
            return _words[index & 7];
        }

        /// <summary>The highest vector in the set, or -1 when it is empty.</summary>
        public int Highest()
        {
            for (int i = Words - 1; i >= 0; i--)
            {
                uint word = _words[i];
                if (word != 0)
                {
                    int bit = 31;
                    while ((word & (1u << bit)) == 0)
                    {
                        bit--;
                    }
                    return i * 32 + bit;
                }
            }
            return -1;
        }

        public void Save(ref StateWriter writer)
        {
            for (int i = 0; i < Words; i++)
            {
                writer.U32(_words[i]);
            }
        }

        /// <summary>Vectors 0-15 can never be pending or in service (they are illegal for the APIC), so a set holding one is invalid.</summary>
        public void Load(ref StateReader reader, ref bool valid)
        {
            for (int i = 0; i < Words; i++)
            {
                _words[i] = reader.U32();
            }
            if ((_words[0] & 0xFFFF) != 0)
            {
                valid = false;
                _words[0] &= 0xFFFF0000u;
            }
        }
    }
}
