using Hv.Core.Vmx.Arch;

namespace Hv.Core.Guests
{
    /// <summary>
    /// One segment register as the VMCS holds it (SDM 24.4.1): selector, base, byte-granular limit and
    /// access rights in the VMCS format of <see cref="SegmentAccessRights"/>.
    /// </summary>
    public struct GuestSegment
    {
        public ushort Selector;
        public ulong Base;
        public uint Limit;
        public uint AccessRights;

        public GuestSegment(ushort selector, ulong baseAddress, uint limit, uint accessRights)
        {
            Selector = selector;
            Base = baseAddress;
            Limit = limit;
            AccessRights = accessRights;
        }

        /// <summary>A register VM entry treats as unusable (LDTR when the guest has no LDT).</summary>
        public static GuestSegment Unusable()
        {
            return new GuestSegment(0, 0, 0, SegmentAccessRights.Unusable);
        }

        /// <summary>
        /// The hidden part a CPU loads from an 8-byte GDT descriptor: base, limit scaled by G (SDM Vol. 3A
        /// §3.4.5) and access rights, so the VMCS matches the descriptor the loader wrote.
        /// </summary>
        public static GuestSegment FromDescriptor(ushort selector, ulong descriptor)
        {
            ulong baseAddress = ((descriptor >> 16) & 0xFFFFFF) | (((descriptor >> 56) & 0xFF) << 24);
            uint limit = (uint)(descriptor & 0xFFFF) | (uint)(((descriptor >> 48) & 0xF) << 16);
            uint accessRights = SegmentAccessRights.FromDescriptor(descriptor);
            if ((accessRights & SegmentAccessRights.Granularity) != 0)
            {
                limit = (limit << 12) | 0xFFF;
            }
            return new GuestSegment(selector, baseAddress, limit, accessRights);
        }
    }
}
