namespace Hv.Core.Vmx.Arch
{
    /// <summary>
    /// The VMCS segment access-rights format (SDM Vol. 3C §24.4.1, Table 24-2): bits 7:0 and 15:12 are the
    /// descriptor's bytes 5 and 6 high nibble (type, S, DPL, P / AVL, L, D/B, G), bit 16 marks the register
    /// unusable. VM entry checks these against each other and against the guest mode (SDM 26.3.1.2).
    /// </summary>
    public static class SegmentAccessRights
    {
        public const uint Accessed = 1u << 0;
        public const uint DescriptorTypeCodeData = 1u << 4;
        public const uint Present = 1u << 7;
        public const uint LongMode = 1u << 13;
        public const uint DefaultBig = 1u << 14;
        public const uint Granularity = 1u << 15;
        /// <summary>The register holds no usable segment; VM entry ignores its other fields (26.3.1.2).</summary>
        public const uint Unusable = 1u << 16;

        // Types (SDM Vol. 3A Table 3-1 and 3-2).
        public const uint TypeDataReadWriteAccessed = 0x3;
        public const uint TypeCodeExecuteReadAccessed = 0xB;
        public const uint TypeBusyTss16 = 0x3;
        public const uint TypeBusyTss32Or64 = 0xB;

        /// <summary>Real-mode code: present, code/data, execute/read, accessed (0x9B).</summary>
        public const uint RealModeCode = Present | DescriptorTypeCodeData | TypeCodeExecuteReadAccessed;
        /// <summary>Real-mode data and stack: present, code/data, read/write, accessed (0x93).</summary>
        public const uint RealModeData = Present | DescriptorTypeCodeData | TypeDataReadWriteAccessed;
        /// <summary>Flat 32-bit code, 4 KiB granularity (0xC09B).</summary>
        public const uint FlatCode32 = RealModeCode | DefaultBig | Granularity;
        /// <summary>Flat 32-bit data, 4 KiB granularity (0xC093); also the data/stack segment in long mode.</summary>
        public const uint FlatData32 = RealModeData | DefaultBig | Granularity;
        /// <summary>64-bit code: L=1 requires D=0 (0xA09B; 26.3.1.2).</summary>
        public const uint Code64 = RealModeCode | LongMode | Granularity;
        /// <summary>Busy 32/64-bit TSS, byte granular (0x8B): what TR must hold in protected and long mode.</summary>
        public const uint BusyTss = Present | TypeBusyTss32Or64;

        /// <summary>
        /// Access rights of a legacy 8-byte GDT descriptor, so loaders derive the VMCS value from the very
        /// descriptor they write into guest memory and the two can never disagree.
        /// </summary>
        public static uint FromDescriptor(ulong descriptor)
        {
            return (uint)((descriptor >> 40) & 0xFF) | (uint)(((descriptor >> 52) & 0xF) << 12);
        }

        /// <summary>The 4-bit segment type.</summary>
        public static uint Type(uint accessRights)
        {
            return accessRights & 0xF;
        }

        public static uint Dpl(uint accessRights)
        {
            return (accessRights >> 5) & 3;
        }

        public static bool IsUnusable(uint accessRights)
        {
            return (accessRights & Unusable) != 0;
        }
    }
}
