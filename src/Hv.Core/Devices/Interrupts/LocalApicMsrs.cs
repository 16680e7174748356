namespace Hv.Core.Devices.Interrupts
{
    /// <summary>
    /// The x2APIC MSR interface (SDM Vol. 3A 11.12.1, table 11-6): MSR 0x800 + offset/16 reaches the register at
    /// that xAPIC offset, with the x2APIC differences: ICR is one 64-bit MSR (0x830), DFR, APR, RRD and ICR-high are
    /// gone, SELF IPI (0x83F) exists, ID and LDR are read-only, and every illegal access is a #GP (false here)
    /// instead of an ESR bit. Outside x2APIC mode the whole range #GPs.
    /// </summary>
    public static class LocalApicMsrs
    {
        public const uint First = 0x800;
        public const uint Last = 0x8FF;
        private const uint Icr = 0x830;

        public static bool Contains(uint msr)
        {
            return msr >= First && msr <= Last;
        }

        public static bool Read(LocalApic apic, uint msr, out ulong value)
        {
            value = 0;
            if (!apic.X2ApicMode || !Contains(msr))
            {
                return false;
            }
            if (msr == Icr)
            {
                value = apic.X2ApicIcr;
                return true;
            }
            int offset = Offset(msr);
            if (offset == LocalApic.RegEoi || offset == LocalApic.RegSelfIpi)
            {
                return false; // write-only
            }
            bool ok = apic.ReadRegister(offset, out uint register);
            value = register;
            return ok;
        }

        public static bool Write(LocalApic apic, uint msr, ulong value)
        {
            if (!apic.X2ApicMode || !Contains(msr))
            {
                return false;
            }
            if (msr == Icr)
            {
                if ((value & 0xFFF33000UL) != 0) // reserved bits of the low half
                {
                    return false;
                }
                apic.WriteX2ApicIcr(value);
                return true;
            }
            int offset = Offset(msr);
            if ((value >> 32) != 0)
            {
                return false;
            }
            if ((offset == LocalApic.RegEoi || offset == LocalApic.RegEsr) && value != 0)
            {
                return false; // SDM: a non-zero write to EOI or ESR raises #GP in x2APIC mode
            }
            return apic.WriteRegister(offset, (uint)value);
        }

        private static int Offset(uint msr)
        {
            return (int)(msr - First) << 4;
        }
    }
}
