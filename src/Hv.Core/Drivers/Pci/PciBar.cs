namespace Hv.Core.Drivers.Pci
{
    public enum PciBarKind : byte
    {
        None,
        Io,
        Memory32,
        Memory64,
    }

    /// <summary>One decoded base address register: where the firmware placed it and how large it is.</summary>
    public struct PciBar
    {
        public PciBarKind Kind;
        public ulong Address;
        public ulong Size;
        public bool Prefetchable;

        public bool IsMemory { get { return Kind == PciBarKind.Memory32 || Kind == PciBarKind.Memory64; } }

        /// <summary>
        /// The size a BAR decodes, from what it reads back after all ones were written (PCI 3.0 §6.2.5.1): the
        /// lowest address bit that stuck at one. sizeMask holds the address bits only (flag bits cleared); for a
        /// 64-bit BAR it is both halves. 0 when nothing is decoded.
        /// </summary>
        public static ulong SizeFromMask(ulong sizeMask)
        {
            return sizeMask & (~sizeMask + 1);
        }
    }
}
