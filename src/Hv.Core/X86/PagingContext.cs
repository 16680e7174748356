using Hv.Core.Vmx.Arch;

namespace Hv.Core.X86
{
    /// <summary>
    /// The guest control state that decides how a linear address becomes guest-physical (SDM Vol. 3A §4.1.1):
    /// CR0.PG off = no paging; CR4.PAE off = 32-bit paging; EFER.LMA off = PAE paging; else 4-level (or 5-level with
    /// CR4.LA57) paging.
    /// </summary>
    public struct PagingContext
    {
        public const ulong Cr0WriteProtect = 1UL << 16;
        public const ulong Cr4PageSizeExtensions = 1UL << 4;
        public const ulong Cr4FiveLevelPaging = 1UL << 12;
        public const ulong Cr4SupervisorExecuteProtection = 1UL << 20;

        public readonly ulong Cr0;
        public readonly ulong Cr3;
        public readonly ulong Cr4;
        public readonly ulong Efer;

        public PagingContext(ulong cr0, ulong cr3, ulong cr4, ulong efer)
        {
            Cr0 = cr0;
            Cr3 = cr3;
            Cr4 = cr4;
            Efer = efer;
        }

        public bool PagingEnabled { get { return (Cr0 & ControlRegisterBits.Cr0Paging) != 0; } }
        public bool LongMode { get { return (Efer & ControlRegisterBits.EferLongModeActive) != 0; } }
        public bool Pae { get { return (Cr4 & ControlRegisterBits.Cr4PhysicalAddressExtension) != 0; } }
        public bool NoExecute { get { return (Efer & ControlRegisterBits.EferNoExecuteEnable) != 0; } }
        public bool WriteProtect { get { return (Cr0 & Cr0WriteProtect) != 0; } }

        /// <summary>Linear addresses wrap at 4 GiB outside long mode.</summary>
        public ulong LinearMask { get { return LongMode ? ulong.MaxValue : 0xFFFFFFFFUL; } }
    }
}
