namespace Hv.Core.X86
{
    /// <summary>
    /// A decoded instruction that accesses one memory operand: the access <see cref="Width"/> in bytes (1, 2, 4, 8),
    /// the register (number 0-15 in x86 order; with <see cref="HighByte"/> it is AH/CH/DH/BH, i.e. bits 15:8 of
    /// register 0-3) or the immediate, and the instruction length. The address itself is not decoded: an MMIO exit
    /// reports the guest-physical address.
    /// </summary>
    public struct MmioInstruction
    {
        public DecodeStatus Status;
        public MmioOperation Operation;
        public int Length;
        /// <summary>Bytes read from or written to memory.</summary>
        public int Width;
        /// <summary>Width of the register operand: equals <see cref="Width"/> except for MOVZX/MOVSX (2, 4 or 8).</summary>
        public int RegisterWidth;
        public int Register;
        public bool HighByte;
        /// <summary>For <see cref="MmioOperation.StoreImmediate"/> and immediate forms: the value, sign-extended and masked to <see cref="Width"/>.</summary>
        public bool HasImmediate;
        public ulong Immediate;
        /// <summary>AND/OR/XOR reg, mem: the result goes to the register, memory is only read.</summary>
        public bool ResultInRegister;

        public bool Writes
        {
            get
            {
                return Operation == MmioOperation.Store || Operation == MmioOperation.StoreImmediate || Operation == MmioOperation.Exchange
                    || ((Operation == MmioOperation.And || Operation == MmioOperation.Or || Operation == MmioOperation.Xor) && !ResultInRegister);
            }
        }

        public bool Reads { get { return Operation != MmioOperation.Store && Operation != MmioOperation.StoreImmediate; } }
    }
}
