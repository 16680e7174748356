namespace Hv.Core.X86
{
    /// <summary>Why an instruction was or was not decoded.</summary>
    public enum DecodeStatus
    {
        Ok,
        /// <summary>The bytes end before the instruction does (a fetch stopped at a page that does not translate).</summary>
        Truncated,
        /// <summary>More than 15 bytes: a #GP on hardware.</summary>
        TooLong,
        /// <summary>An opcode, prefix or form this decoder does not emulate.</summary>
        Unsupported,
        /// <summary>A ModRM that names a register, not memory: it cannot have touched an MMIO page.</summary>
        NoMemoryOperand,
    }
}
