using Hv.Core.Vmx.Arch;

namespace Hv.Core.X86
{
    /// <summary>
    /// General-purpose registers by x86 number (0 = RAX ... 15 = R15) and width, with the architecture's write rules:
    /// an 8- or 16-bit write keeps the rest of the register, a 32-bit write zero-extends to 64 bits (SDM Vol. 1 §3.4.1.1);
    /// <c>highByte</c> selects AH/CH/DH/BH (bits 15:8 of registers 0-3).
    /// </summary>
    public static class RegisterFile
    {
        public static ulong Read(GuestRegisters registers, int number, int width, bool highByte)
        {
            ulong full = Get(registers, number);
            if (highByte) return (full >> 8) & 0xFF;
            return full & MmioDecoder.Mask(width);
        }

        public static void Write(GuestRegisters registers, int number, int width, bool highByte, ulong value)
        {
            ulong full = Get(registers, number);
            if (highByte) full = (full & ~0xFF00UL) | ((value & 0xFF) << 8);
            else if (width >= 4) full = value & MmioDecoder.Mask(width);
            else full = (full & ~MmioDecoder.Mask(width)) | (value & MmioDecoder.Mask(width));
            Set(registers, number, full);
        }

        public static ulong Get(GuestRegisters r, int number)
        {
            switch (number & 15)
            {
                case 0: return r.Rax;
                case 1: return r.Rcx;
                case 2: return r.Rdx;
                case 3: return r.Rbx;
                case 4: return r.Rsp;
                case 5: return r.Rbp;
                case 6: return r.Rsi;
                case 7: return r.Rdi;
                case 8: return r.R8;
                case 9: return r.R9;
                case 10: return r.R10;
                case 11: return r.R11;
                case 12: return r.R12;
                case 13: return r.R13;
                case 14: return r.R14;
                default: return r.R15;
            }
        }

        public static void Set(GuestRegisters r, int number, ulong value)
        {
            switch (number & 15)
            {
                case 0: r.Rax = value; break;
                case 1: r.Rcx = value; break;
                case 2: r.Rdx = value; break;
                case 3: r.Rbx = value; break;
                case 4: r.Rsp = value; break;
                case 5: r.Rbp = value; break;
                case 6: r.Rsi = value; break;
                case 7: r.Rdi = value; break;
                case 8: r.R8 = value; break;
                case 9: r.R9 = value; break;
                case 10: r.R10 = value; break;
                case 11: r.R11 = value; break;
                case 12: r.R12 = value; break;
                case 13: r.R13 = value; break;
                case 14: r.R14 = value; break;
                default: r.R15 = value; break;
            }
        }
    }
}
