using System;

namespace Hv.Core.X86
{
    /// <summary>
    /// Decodes the instructions drivers use on device memory (SDM Vol. 2, ch. 2 encoding; opcode map appendix A):
    /// MOV r/m↔reg (88-8B), MOV rAX↔moffs (A0-A3), MOV r/m, imm (C6/0, C7/0), MOVZX/MOVSX (0F B6/B7/BE/BF), MOVNTI (0F C3),
    /// AND/OR/XOR (08-0B, 20-23, 30-33, 80/81/83 with /1 /4 /6), TEST (84, 85, F6/0, F7/0) and XCHG (86, 87); with the
    /// 66/67 size prefixes, LOCK, segment overrides (ignored: the exit gives the guest-physical address) and REX.
    /// Anything else, and REP prefixes, is refused. Reads only <c>code[0 .. min(code.Length, 15))</c>.
    /// </summary>
    public static class MmioDecoder
    {
        public const int MaxLength = 15;

        public static MmioInstruction Decode(ReadOnlySpan<byte> code, CodeSize mode)
        {
            MmioInstruction result = new MmioInstruction();
            int limit = code.Length < MaxLength ? code.Length : MaxLength;
            int i = 0;
            bool operandPrefix = false, addressPrefix = false;
            int rex = 0;
            for (;;)
            {
                if (i >= limit) return Short(i + 1);
                byte b = code[i];
                if (mode == CodeSize.Bits64 && (b & 0xF0) == 0x40) { rex = b; i++; continue; }
                if (b == 0x66) operandPrefix = true;
                else if (b == 0x67) addressPrefix = true;
                else if (b == 0xF2 || b == 0xF3) return Refuse(DecodeStatus.Unsupported);
                else if (b != 0xF0 && b != 0x26 && b != 0x2E && b != 0x36 && b != 0x3E && b != 0x64 && b != 0x65) break;
                rex = 0; // a REX prefix counts only directly before the opcode
                i++;
            }
            bool rexW = (rex & 8) != 0;
            int operandSize = mode == CodeSize.Bits64 ? (rexW ? 8 : operandPrefix ? 2 : 4)
                : (mode == CodeSize.Bits32) != operandPrefix ? 4 : 2;
            int addressSize = mode == CodeSize.Bits64 ? (addressPrefix ? 4 : 8)
                : (mode == CodeSize.Bits32) != addressPrefix ? 4 : 2;

            byte opcode = code[i++];
            int width = operandSize;
            int registerWidth = 0;
            int immediateBytes = 0;
            bool hasModRm = true;
            bool twoByte = false;
            int group = -1; // for opcodes whose operation is the ModRM reg field
            MmioOperation operation;
            if (opcode == 0x0F)
            {
                if (i >= limit) return Short(i + 1);
                twoByte = true;
                opcode = code[i++];
                if (opcode == 0xB6 || opcode == 0xB7 || opcode == 0xBE || opcode == 0xBF)
                {
                    operation = opcode < 0xBE ? MmioOperation.LoadZeroExtend : MmioOperation.LoadSignExtend;
                    registerWidth = operandSize;
                    width = (opcode & 1) == 0 ? 1 : 2;
                }
                else if (opcode == 0xC3 && !operandPrefix)
                {
                    operation = MmioOperation.Store;
                    if (width == 2) width = 4;
                }
                else return Refuse(DecodeStatus.Unsupported);
            }
            else if (opcode >= 0x88 && opcode <= 0x8B) operation = opcode < 0x8A ? MmioOperation.Store : MmioOperation.Load;
            else if (opcode >= 0xA0 && opcode <= 0xA3)
            {
                operation = opcode < 0xA2 ? MmioOperation.Load : MmioOperation.Store;
                hasModRm = false;
            }
            else if (opcode == 0xC6 || opcode == 0xC7) { operation = MmioOperation.StoreImmediate; group = 0; }
            else if (opcode == 0x84 || opcode == 0x85) operation = MmioOperation.Test;
            else if (opcode == 0xF6 || opcode == 0xF7) { operation = MmioOperation.Test; group = 0; }
            else if (opcode == 0x86 || opcode == 0x87) operation = MmioOperation.Exchange;
            else if (opcode <= 0x33 && (opcode & 7) <= 3 && (opcode >> 3 == 1 || opcode >> 3 == 4 || opcode >> 3 == 6))
            {
                operation = LogicOperation(opcode >> 3);
                result.ResultInRegister = (opcode & 2) != 0;
            }
            else if (opcode == 0x80 || opcode == 0x81 || opcode == 0x83) { operation = MmioOperation.Or; group = 1; }
            else return Refuse(DecodeStatus.Unsupported);

            // Bit 0 clear selects the byte form in every one-byte opcode accepted above except 0x83 (imm8 to a full operand).
            if (!twoByte && (opcode & 1) == 0) width = 1;
            if (registerWidth == 0) registerWidth = width;

            int register = 0;
            if (hasModRm)
            {
                if (i >= limit) return Short(i + 1);
                byte modrm = code[i++];
                int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
                if (mod == 3) return Refuse(DecodeStatus.NoMemoryOperand);
                if (group == 0 && reg != 0) return Refuse(DecodeStatus.Unsupported);
                if (group == 1)
                {
                    if (reg != 1 && reg != 4 && reg != 6) return Refuse(DecodeStatus.Unsupported);
                    operation = LogicOperation(reg);
                }
                if (group >= 0) immediateBytes = opcode == 0x83 || width == 1 ? 1 : width == 2 ? 2 : 4;
                register = reg | ((rex & 4) << 1);
                int displacement;
                if (addressSize == 2) displacement = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 6) ? 2 : 0;
                else
                {
                    displacement = mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 5) ? 4 : 0;
                    if (rm == 4)
                    {
                        if (i >= limit) return Short(i + 1);
                        if (mod == 0 && (code[i] & 7) == 5) displacement = 4;
                        i++;
                    }
                }
                i += displacement;
            }
            else i += addressSize; // moffs

            if (i + immediateBytes > limit) return Short(i + immediateBytes);
            ulong immediate = 0;
            for (int k = immediateBytes - 1; k >= 0; k--) immediate = (immediate << 8) | code[i + k];
            if (immediateBytes > 0 && (immediate >> (immediateBytes * 8 - 1)) != 0) immediate |= ulong.MaxValue << (immediateBytes * 8); // sign-extend
            i += immediateBytes;

            bool byteRegister = registerWidth == 1;
            result.HighByte = byteRegister && rex == 0 && register >= 4 && register < 8;
            result.Register = result.HighByte ? register - 4 : register;
            result.Status = DecodeStatus.Ok;
            result.Operation = operation;
            result.Length = i;
            result.Width = width;
            result.RegisterWidth = registerWidth;
            result.HasImmediate = immediateBytes > 0;
            result.Immediate = immediateBytes > 0 ? immediate & Mask(width) : 0;
            return result;
        }

        /// <summary>All ones in the low <paramref name="width"/> bytes.</summary>
        public static ulong Mask(int width)
        {
            return width >= 8 ? ulong.MaxValue : (1UL << (width * 8)) - 1;
        }

        // The ALU row (opcode bits 5:3, or the /digit of 80/81/83): 1 = OR, 4 = AND, 6 = XOR.
        private static MmioOperation LogicOperation(int row)
        {
            return row == 1 ? MmioOperation.Or : row == 4 ? MmioOperation.And : MmioOperation.Xor;
        }

        // The instruction needs `needed` bytes, more than were fetched (or than the 15 an instruction may have).
        private static MmioInstruction Short(int needed)
        {
            return Refuse(needed > MaxLength ? DecodeStatus.TooLong : DecodeStatus.Truncated);
        }

        private static MmioInstruction Refuse(DecodeStatus status)
        {
            MmioInstruction result = new MmioInstruction();
            result.Status = status;
            return result;
        }
    }
}
