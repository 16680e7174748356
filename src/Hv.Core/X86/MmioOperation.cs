namespace Hv.Core.X86
{
    /// <summary>What a decoded memory instruction does with its memory operand and its register or immediate.</summary>
    public enum MmioOperation
    {
        /// <summary>MOV reg, mem (also MOV rAX, moffs).</summary>
        Load,
        /// <summary>MOVZX reg, mem8/mem16.</summary>
        LoadZeroExtend,
        /// <summary>MOVSX reg, mem8/mem16.</summary>
        LoadSignExtend,
        /// <summary>MOV mem, reg (also MOV moffs, rAX and MOVNTI).</summary>
        Store,
        /// <summary>MOV mem, imm.</summary>
        StoreImmediate,
        /// <summary>AND, OR, XOR with the memory operand; the result goes to memory or, for the reg, mem forms, to the register.</summary>
        And,
        Or,
        Xor,
        /// <summary>TEST mem, reg/imm: a read that sets flags only.</summary>
        Test,
        /// <summary>XCHG mem, reg: the register gets the old memory value, memory the register's.</summary>
        Exchange,
    }
}
