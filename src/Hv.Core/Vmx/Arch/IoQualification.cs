namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The exit qualification of an I/O-instruction exit (SDM Vol. 3C 27.2.1, Table 27-5 "Exit Qualification
    /// for I/O Instructions"): bits 2:0 size - 1 (0, 1 or 3), bit 3 direction (1 = IN), bit 4 string
    /// (INS/OUTS), bit 5 REP prefix, bit 6 operand encoding (1 = immediate port), bits 31:16 port.
    /// </summary>
    public struct IoQualification
    {
        public readonly int Size;
        public readonly bool IsIn;
        public readonly bool IsString;
        public readonly bool IsRep;
        public readonly bool IsImmediate;
        public readonly ushort Port;

        private IoQualification(int size, bool isIn, bool isString, bool isRep, bool isImmediate, ushort port)
        {
            Size = size;
            IsIn = isIn;
            IsString = isString;
            IsRep = isRep;
            IsImmediate = isImmediate;
            Port = port;
        }

        /// <summary>False for size encodings the SDM does not define (2, 4-7); <see cref="Size"/> is then 0.</summary>
        public bool IsValid { get { return Size != 0; } }

        public static IoQualification Decode(ulong qualification)
        {
            uint sizeField = (uint)(qualification & 0x7);
            int size = sizeField == 0 ? 1 : sizeField == 1 ? 2 : sizeField == 3 ? 4 : 0;
            return new IoQualification(
                size,
                (qualification & (1UL << 3)) != 0,
                (qualification & (1UL << 4)) != 0,
                (qualification & (1UL << 5)) != 0,
                (qualification & (1UL << 6)) != 0,
                (ushort)(qualification >> 16));
        }
    }
}
