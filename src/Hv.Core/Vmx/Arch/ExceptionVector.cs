namespace Hv.Core.Vmx.Arch
{
    /// <summary>The exception vectors the hypervisor injects (SDM Vol. 3A §6.3.1, Table 6-1).</summary>
    public static class ExceptionVector
    {
        /// <summary>#UD: the answer to an instruction the guest's CPU does not have.</summary>
        public const byte InvalidOpcode = 6;
        /// <summary>#GP: the answer to most forbidden guest actions.</summary>
        public const byte GeneralProtection = 13;
    }
}
