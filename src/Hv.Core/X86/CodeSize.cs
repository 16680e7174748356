namespace Hv.Core.X86
{
    /// <summary>
    /// The default operand and address size of the code segment being decoded: 16 (real mode, virtual-8086, CS.D=0),
    /// 32 (CS.D=1) or 64 (IA-32e with CS.L=1).
    /// </summary>
    public enum CodeSize
    {
        Bits16,
        Bits32,
        Bits64,
    }
}
