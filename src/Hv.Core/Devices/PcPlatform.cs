namespace Hv.Core.Devices
{
    /// <summary>
    /// The PC platform a Linux guest is given, in one place: the ACPI tables (<see cref="Hv.Core.Guests.Acpi.AcpiTables"/>)
    /// describe exactly these addresses, ports and interrupt lines, and the device models answer at them.
    /// </summary>
    public static class PcPlatform
    {
        /// <summary>xAPIC MMIO base of the (single) local APIC, and its APIC ID.</summary>
        public const uint LocalApicBase = 0xFEE00000;
        public const byte LocalApicId = 0;
        /// <summary>The IOAPIC: MMIO base, ID and first GSI (its 24 pins are GSIs 0-23).</summary>
        public const uint IoApicBase = 0xFEC00000;
        public const byte IoApicId = 1;
        public const uint IoApicGsiBase = 0;
        public const int IoApicPins = 24;

        /// <summary>The PIT's IRQ 0 reaches IOAPIC pin 2 (an interrupt source override, as on real chipsets).</summary>
        public const byte PitIrq = 0;
        public const uint PitGsi = 2;
        public const byte Com1Irq = 4;
        public const ushort Com1Port = 0x3F8;

        /// <summary>The ACPI SCI: ISA IRQ 9, level-triggered, active high.</summary>
        public const byte SciIrq = 9;
        /// <summary>ACPI PM1a event block (PM1_STS, PM1_EN: 2 bytes each), PM1a control block, PM timer.</summary>
        public const ushort Pm1aEventPort = 0x600;
        public const byte Pm1EventLength = 4;
        public const ushort Pm1aControlPort = 0x604;
        public const byte Pm1ControlLength = 2;
        public const ushort PmTimerPort = 0x608;
        public const byte PmTimerLength = 4;
        /// <summary>The PM timer counts at 3.579545 MHz over 32 bits (FADT flag TMR_VAL_EXT).</summary>
        public const int PmTimerBits = 32;
        public const uint PmTimerHz = 3579545;
        /// <summary>SLP_TYP the DSDT's \_S5 package gives for soft-off: the guest writes (5 &lt;&lt; 10) | SLP_EN to PM1a_CNT.</summary>
        public const byte SleepTypeS5 = 5;
        public const int SleepTypeShift = 10;
        public const ushort SleepEnable = 1 << 13;

        /// <summary>The ACPI reset register: the i8042's command port and its pulse-reset command (FADT RESET_REG).</summary>
        public const ushort ResetPort = 0x64;
        public const byte ResetValue = 0xFE;
    }
}
