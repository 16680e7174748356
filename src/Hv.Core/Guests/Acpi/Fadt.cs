using System;
using Hv.Core.Devices;
using Hv.Core.Memory;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The Fixed ACPI Description Table, revision 6 (ACPI 6.4 §5.2.9, 276 bytes): a full (not hardware-reduced) ACPI
    /// platform whose fixed registers are the PM1a event and control blocks and the PM timer of <see cref="PcPlatform"/>,
    /// SCI on IRQ 9, no SMI command port (the platform is always in ACPI mode), no C2/C3, legacy devices and an 8042
    /// present, no VGA, a fixed-feature power button, and the reset register (the 8042's pulse-reset command).
    /// Both the 32-bit block addresses and their X_ Generic Address forms are filled, consistently.
    /// </summary>
    public static class Fadt
    {
        public const string Signature = "FACP";
        public const byte Revision = 6;
        public const int Size = 276;

        public const int FirmwareCtrlOffset = 36;
        public const int DsdtOffset = 40;
        public const int SciIntOffset = 46;
        public const int SmiCmdOffset = 48;
        public const int Pm1aEventBlockOffset = 56;
        public const int Pm1aControlBlockOffset = 64;
        public const int PmTimerBlockOffset = 76;
        public const int Pm1EventLengthOffset = 88;
        public const int Pm1ControlLengthOffset = 89;
        public const int PmTimerLengthOffset = 91;
        public const int CStateLatency2Offset = 96;
        public const int CStateLatency3Offset = 98;
        public const int BootArchitectureOffset = 109;
        public const int FlagsOffset = 112;
        public const int ResetRegisterOffset = 116;
        public const int ResetValueOffset = 128;
        public const int MinorVersionOffset = 131;
        public const int XFirmwareCtrlOffset = 132;
        public const int XDsdtOffset = 140;
        public const int XPm1aEventBlockOffset = 148;
        public const int XPm1aControlBlockOffset = 172;
        public const int XPmTimerBlockOffset = 208;

        // IAPC_BOOT_ARCH (Table 5.11): legacy (ISA) devices, an 8042, no VGA.
        public const ushort BootArchLegacyDevices = 1 << 0;
        public const ushort BootArch8042 = 1 << 1;
        public const ushort BootArchVgaNotPresent = 1 << 2;
        // Fixed feature flags (Table 5.10).
        public const uint FlagWbinvd = 1u << 0;
        public const uint FlagProcC1 = 1u << 2;
        /// <summary>Set: no fixed-feature sleep button. (PWR_BUTTON, bit 4, stays clear: the power button is fixed-feature.)</summary>
        public const uint FlagSleepButton = 1u << 5;
        public const uint FlagFixRtc = 1u << 6;
        public const uint FlagTimerValueExtended = 1u << 8;
        public const uint FlagResetRegisterSupported = 1u << 10;
        public const uint FlagHardwareReduced = 1u << 20;
        /// <summary>Latencies above 100 and 1000 microseconds say C2 and C3 are not supported (§5.2.9).</summary>
        private const ushort NoC2 = 101;
        private const ushort NoC3 = 1001;

        public static void Write(Span<byte> buffer, int offset, ulong facsAddress, ulong dsdtAddress)
        {
            for (int i = AcpiTable.HeaderSize; i < Size; i++)
            {
                buffer[offset + i] = 0;
            }
            AcpiTable.WriteHeader(buffer, offset, Signature, Size, Revision);
            LittleEndian.WriteUInt32(buffer, offset + FirmwareCtrlOffset, (uint)facsAddress);
            LittleEndian.WriteUInt32(buffer, offset + DsdtOffset, (uint)dsdtAddress);
            LittleEndian.WriteUInt16(buffer, offset + SciIntOffset, PcPlatform.SciIrq);
            LittleEndian.WriteUInt32(buffer, offset + SmiCmdOffset, 0);
            LittleEndian.WriteUInt32(buffer, offset + Pm1aEventBlockOffset, PcPlatform.Pm1aEventPort);
            LittleEndian.WriteUInt32(buffer, offset + Pm1aControlBlockOffset, PcPlatform.Pm1aControlPort);
            LittleEndian.WriteUInt32(buffer, offset + PmTimerBlockOffset, PcPlatform.PmTimerPort);
            buffer[offset + Pm1EventLengthOffset] = PcPlatform.Pm1EventLength;
            buffer[offset + Pm1ControlLengthOffset] = PcPlatform.Pm1ControlLength;
            buffer[offset + PmTimerLengthOffset] = PcPlatform.PmTimerLength;
            LittleEndian.WriteUInt16(buffer, offset + CStateLatency2Offset, NoC2);
            LittleEndian.WriteUInt16(buffer, offset + CStateLatency3Offset, NoC3);
            LittleEndian.WriteUInt16(buffer, offset + BootArchitectureOffset,
                BootArchLegacyDevices | BootArch8042 | BootArchVgaNotPresent);
            uint flags = FlagWbinvd | FlagProcC1 | FlagSleepButton | FlagFixRtc | FlagResetRegisterSupported
                | (PcPlatform.PmTimerBits == 32 ? FlagTimerValueExtended : 0);
            LittleEndian.WriteUInt32(buffer, offset + FlagsOffset, flags);
            AcpiTable.WriteGenericAddress(buffer, offset + ResetRegisterOffset, AcpiTable.SystemIo, 8, AcpiTable.AccessByte, PcPlatform.ResetPort);
            buffer[offset + ResetValueOffset] = PcPlatform.ResetValue;
            LittleEndian.WriteUInt64(buffer, offset + XFirmwareCtrlOffset, facsAddress);
            LittleEndian.WriteUInt64(buffer, offset + XDsdtOffset, dsdtAddress);
            AcpiTable.WriteGenericAddress(buffer, offset + XPm1aEventBlockOffset, AcpiTable.SystemIo,
                PcPlatform.Pm1EventLength * 8, AcpiTable.AccessWord, PcPlatform.Pm1aEventPort);
            AcpiTable.WriteGenericAddress(buffer, offset + XPm1aControlBlockOffset, AcpiTable.SystemIo,
                PcPlatform.Pm1ControlLength * 8, AcpiTable.AccessWord, PcPlatform.Pm1aControlPort);
            AcpiTable.WriteGenericAddress(buffer, offset + XPmTimerBlockOffset, AcpiTable.SystemIo,
                PcPlatform.PmTimerLength * 8, AcpiTable.AccessDword, PcPlatform.PmTimerPort);
            AcpiTable.Seal(buffer, offset, Size, AcpiTable.ChecksumOffset);
        }
    }
}
