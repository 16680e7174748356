using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Devices.Pc
{
    /// <summary>
    /// The PC platform a Linux guest is given, in one place: the ACPI tables (<see cref="Hv.Core.Guests.Acpi.AcpiTables"/>)
    /// describe exactly these addresses, ports and interrupt lines, and each value is the device model's own
    /// (<see cref="PcPlatform"/> and its devices), so the tables cannot drift from what answers.
    /// </summary>
    public static class PcLayout
    {
        /// <summary>xAPIC MMIO base of the (single) local APIC, and its APIC ID.</summary>
        public const uint LocalApicBase = (uint)LocalApic.DefaultBase;
        public const byte LocalApicId = 0;
        /// <summary>The IOAPIC: MMIO base, ID (the model's ID after reset) and first GSI (its pins are GSIs 0-23).</summary>
        public const uint IoApicBase = (uint)IoApic.DefaultBase;
        public const byte IoApicId = 0;
        public const uint IoApicGsiBase = 0;
        public const int IoApicPins = IoApic.Pins;

        /// <summary>The PIT's IRQ 0 reaches IOAPIC pin 2 (an interrupt source override, as on real chipsets).</summary>
        public const byte PitIrq = 0;
        public const uint PitGsi = 2;
        public const byte Com1Irq = PcPlatform.ComIrq;
        public const ushort Com1Port = 0x3F8;

        /// <summary>The ACPI SCI: ISA IRQ 9, level-triggered, active high.</summary>
        public const byte SciIrq = PcPlatform.SciIrq;
        /// <summary>ACPI PM1a event block (PM1_STS, PM1_EN: 2 bytes each), PM1a control block, PM timer.</summary>
        public const ushort Pm1aEventPort = AcpiPmBlock.BasePort;
        public const byte Pm1EventLength = 4;
        public const ushort Pm1aControlPort = AcpiPmBlock.BasePort + 4;
        public const byte Pm1ControlLength = 2;
        public const ushort PmTimerPort = AcpiPmBlock.BasePort + 8;
        public const byte PmTimerLength = 4;
        /// <summary>The PM timer counts at 3.579545 MHz over 24 bits (so the FADT leaves TMR_VAL_EXT clear).</summary>
        public const int PmTimerBits = 24;
        public const uint PmTimerHz = (uint)AcpiPmBlock.TimerHz;
        /// <summary>SLP_TYP the DSDT's \_S5 package gives for soft-off: the guest writes (5 &lt;&lt; 10) | SLP_EN to PM1a_CNT.</summary>
        public const byte SleepTypeS5 = AcpiPmBlock.SoftOffSleepType;
        public const int SleepTypeShift = 10;
        public const ushort SleepEnable = 1 << 13;

        /// <summary>The ACPI reset register: the i8042's command port and its pulse-reset command (FADT RESET_REG).</summary>
        public const ushort ResetPort = I8042Controller.CommandPort;
        public const byte ResetValue = 0xFE;
    }
}
