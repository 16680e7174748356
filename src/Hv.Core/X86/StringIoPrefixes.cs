using System;

namespace Hv.Core.X86
{
    /// <summary>
    /// The prefixes of an INS/OUTS instruction (opcodes 6C-6F) that decide which memory it uses: the address size
    /// (66/67 and the code size) and the segment of the source of OUTS (DS or an override; INS always writes ES).
    /// The exit qualification gives port, size, direction and REP; these it does not.
    /// </summary>
    public struct StringIoPrefixes
    {
        /// <summary>Segment numbers in the x86 order: ES, CS, SS, DS, FS, GS.</summary>
        public const int Es = 0, Cs = 1, Ss = 2, Ds = 3, Fs = 4, Gs = 5;

        public bool Valid;
        public int AddressSize;
        public int Segment;

        public static StringIoPrefixes Parse(ReadOnlySpan<byte> code, CodeSize mode)
        {
            StringIoPrefixes result = new StringIoPrefixes();
            bool addressPrefix = false;
            int segment = Ds;
            int limit = code.Length < MmioDecoder.MaxLength ? code.Length : MmioDecoder.MaxLength;
            for (int i = 0; i < limit; i++)
            {
                byte b = code[i];
                if (b == 0x67) addressPrefix = true;
                else if (b == 0x26) segment = Es;
                else if (b == 0x2E) segment = Cs;
                else if (b == 0x36) segment = Ss;
                else if (b == 0x3E) segment = Ds;
                else if (b == 0x64) segment = Fs;
                else if (b == 0x65) segment = Gs;
                else if (b == 0x66 || b == 0xF0 || b == 0xF2 || b == 0xF3 || (mode == CodeSize.Bits64 && (b & 0xF0) == 0x40)) { }
                else
                {
                    if (b < 0x6C || b > 0x6F) return result;
                    result.Valid = true;
                    result.AddressSize = mode == CodeSize.Bits64 ? (addressPrefix ? 4 : 8)
                        : (mode == CodeSize.Bits32) != addressPrefix ? 4 : 2;
                    // In 64-bit mode only FS and GS overrides have a base (SDM Vol. 3A §3.4.4).
                    result.Segment = b <= 0x6D ? Es : segment;
                    return result;
                }
            }
            return result;
        }
    }
}
