using Hv.Core.Devices;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.X86
{
    /// <summary>
    /// Carries out a decoded <see cref="MmioInstruction"/> against the device at a guest-physical address: the memory
    /// side goes through the <see cref="MmioBus"/>, the register side and the arithmetic flags into the guest's
    /// registers. RIP is the caller's business.
    /// </summary>
    public static class MmioEmulator
    {
        private const ulong CarryFlag = 1UL << 0, ParityFlag = 1UL << 2, AdjustFlag = 1UL << 4, ZeroFlag = 1UL << 6,
            SignFlag = 1UL << 7, OverflowFlag = 1UL << 11;
        private const ulong ArithmeticFlags = CarryFlag | ParityFlag | AdjustFlag | ZeroFlag | SignFlag | OverflowFlag;

        /// <summary>False when no device owns [gpa, gpa + width): nothing was changed, unless a read-modify-write's read had side effects.</summary>
        public static bool Execute(MmioInstruction instruction, GuestRegisters registers, MmioBus bus, ulong gpa)
        {
            int width = instruction.Width;
            if (!bus.Claims(gpa, width)) return false;
            ulong memory = 0;
            if (instruction.Reads && !bus.Read(gpa, width, out memory)) return false;
            ulong source = instruction.HasImmediate ? instruction.Immediate
                : RegisterFile.Read(registers, instruction.Register, width, instruction.HighByte);
            switch (instruction.Operation)
            {
                case MmioOperation.Load:
                    RegisterFile.Write(registers, instruction.Register, width, instruction.HighByte, memory);
                    return true;
                case MmioOperation.LoadZeroExtend:
                    RegisterFile.Write(registers, instruction.Register, instruction.RegisterWidth, false, memory);
                    return true;
                case MmioOperation.LoadSignExtend:
                    ulong signBit = 1UL << (width * 8 - 1);
                    ulong extended = (memory & signBit) != 0 ? memory | ~MmioDecoder.Mask(width) : memory;
                    RegisterFile.Write(registers, instruction.Register, instruction.RegisterWidth, false, extended);
                    return true;
                case MmioOperation.Store:
                case MmioOperation.StoreImmediate:
                    return bus.Write(gpa, width, source);
                case MmioOperation.Exchange:
                    bus.Write(gpa, width, source);
                    RegisterFile.Write(registers, instruction.Register, width, instruction.HighByte, memory);
                    return true;
                default:
                    ulong result = instruction.Operation == MmioOperation.Or ? memory | source
                        : instruction.Operation == MmioOperation.Xor ? memory ^ source
                        : memory & source;
                    result &= MmioDecoder.Mask(width);
                    registers.Rflags = (registers.Rflags & ~ArithmeticFlags) | LogicFlags(result, width);
                    if (instruction.Operation == MmioOperation.Test) return true;
                    if (instruction.ResultInRegister)
                    {
                        RegisterFile.Write(registers, instruction.Register, width, instruction.HighByte, result);
                        return true;
                    }
                    return bus.Write(gpa, width, result);
            }
        }

        // AND/OR/XOR/TEST clear CF and OF and set SF, ZF and PF from the result (AF is undefined; we clear it).
        private static ulong LogicFlags(ulong result, int width)
        {
            ulong flags = 0;
            if (result == 0) flags |= ZeroFlag;
            if ((result >> (width * 8 - 1)) != 0) flags |= SignFlag;
            // PF: even number of set bits in the low byte.
            ulong low = result & 0xFF;
            low ^= low >> 4;
            low ^= low >> 2;
            low ^= low >> 1;
            if ((low & 1) == 0) flags |= ParityFlag;
            return flags;
        }
    }
}
