using System;
using Hv.Core.Devices.Pc;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The Multiple APIC Description Table (ACPI 6.4 §5.2.12), how a kernel without MP tables finds its interrupt
    /// controllers: an enabled processor local APIC per vCPU (ACPI UID = APIC ID = vCPU index), the IOAPIC with GSI base 0, the ISA overrides (PIT IRQ 0 → GSI 2;
    /// the SCI, IRQ 9, level-triggered active high) and LINT1 as NMI. PCAT_COMPAT: the 8259 pair is present too.
    /// </summary>
    public static class Madt
    {
        public const string Signature = "APIC";
        public const byte Revision = 5;
        public const uint PcAtCompatible = 1;
        // Interrupt controller structure types and lengths (§5.2.12.2-5.2.12.7).
        public const byte TypeLocalApic = 0;
        public const byte TypeIoApic = 1;
        public const byte TypeSourceOverride = 2;
        public const byte TypeLocalApicNmi = 4;
        private const int LocalApicLength = 8;
        private const int IoApicLength = 12;
        private const int SourceOverrideLength = 10;
        private const int LocalApicNmiLength = 6;
        /// <summary>MPS INTI flags (Table 5.50): polarity in bits 1:0, trigger mode in bits 3:2; 0 = as the bus says.</summary>
        public const ushort ActiveHigh = 1;
        public const ushort LevelTriggered = 3 << 2;
        public const ushort BusConforming = 0;
        private const uint ProcessorEnabled = 1;
        private const byte AllProcessors = 0xFF;
        private const byte Lint1 = 1;

        /// <summary>The table of a one-processor VM.</summary>
        public const int Size = AcpiTable.HeaderSize + 8 + LocalApicLength + IoApicLength + 2 * SourceOverrideLength + LocalApicNmiLength;

        /// <summary>The table's bytes for <paramref name="processors"/> processors.</summary>
        public static int SizeFor(int processors)
        {
            return Size + (processors - 1) * LocalApicLength;
        }

        /// <summary>Writes the table for <paramref name="processors"/> vCPUs at <paramref name="offset"/>.</summary>
        public static void Write(Span<byte> buffer, int offset, int processors)
        {
            int size = SizeFor(processors);
            AcpiTable.WriteHeader(buffer, offset, Signature, size, Revision);
            LittleEndian.WriteUInt32(buffer, offset + 36, PcLayout.LocalApicBase);
            LittleEndian.WriteUInt32(buffer, offset + 40, PcAtCompatible);
            int at = offset + 44;

            for (int i = 0; i < processors; i++)
            {
                buffer[at] = TypeLocalApic;
                buffer[at + 1] = LocalApicLength;
                buffer[at + 2] = (byte)i; // ACPI processor UID
                buffer[at + 3] = (byte)(PcLayout.LocalApicId + i);
                LittleEndian.WriteUInt32(buffer, at + 4, ProcessorEnabled);
                at += LocalApicLength;
            }

            buffer[at] = TypeIoApic;
            buffer[at + 1] = IoApicLength;
            buffer[at + 2] = PcLayout.IoApicId;
            buffer[at + 3] = 0;
            LittleEndian.WriteUInt32(buffer, at + 4, PcLayout.IoApicBase);
            LittleEndian.WriteUInt32(buffer, at + 8, PcLayout.IoApicGsiBase);
            at += IoApicLength;

            at = WriteSourceOverride(buffer, at, PcLayout.PitIrq, PcLayout.PitGsi, BusConforming);
            at = WriteSourceOverride(buffer, at, PcLayout.SciIrq, PcLayout.SciIrq, ActiveHigh | LevelTriggered);

            buffer[at] = TypeLocalApicNmi;
            buffer[at + 1] = LocalApicNmiLength;
            buffer[at + 2] = AllProcessors;
            LittleEndian.WriteUInt16(buffer, at + 3, BusConforming);
            buffer[at + 5] = Lint1;

            AcpiTable.Seal(buffer, offset, size, AcpiTable.ChecksumOffset);
        }

        private static int WriteSourceOverride(Span<byte> buffer, int at, byte irq, uint gsi, ushort flags)
        {
            buffer[at] = TypeSourceOverride;
            buffer[at + 1] = SourceOverrideLength;
            buffer[at + 2] = 0; // bus: ISA
            buffer[at + 3] = irq;
            LittleEndian.WriteUInt32(buffer, at + 4, gsi);
            LittleEndian.WriteUInt16(buffer, at + 8, flags);
            return at + SourceOverrideLength;
        }
    }
}
