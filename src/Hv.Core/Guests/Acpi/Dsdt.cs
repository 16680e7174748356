using System;
using Hv.Core.Devices.Pc;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The Differentiated System Description Table (ACPI 6.4 §5.2.11.1) with the least AML a kernel needs to power off,
    /// <c>Name (\_S5, Package () { SLP_TYPa, SLP_TYPb, 0, 0 })</c> (§7.4.2), so OSPM writes SLP_TYP + SLP_EN to PM1a_CNT,
    /// and to find PCI: the root bridge device (<see cref="PciRootBridgeAml"/>).
    /// Encoded by hand (ACPI §20 AML grammar): NameOp, a rooted NameString, PackageOp with a one-byte PkgLength.
    /// </summary>
    public static class Dsdt
    {
        public const string Signature = "DSDT";
        /// <summary>Revision 2 and above: AML integers are 64 bits.</summary>
        public const byte Revision = 2;

        private const byte NameOp = 0x08;
        private const byte RootChar = 0x5C;
        private const byte PackageOp = 0x12;
        private const byte BytePrefix = 0x0A;
        private const byte ZeroOp = 0x00;

        private static readonly byte[] SleepStates =
        {
            NameOp, RootChar, (byte)'_', (byte)'S', (byte)'5', (byte)'_',
            // PkgLength counts itself, NumElements and the four elements: 1 + 1 + 2 + 2 + 1 + 1.
            PackageOp, 8, 4,
            BytePrefix, PcLayout.SleepTypeS5,
            BytePrefix, PcLayout.SleepTypeS5,
            ZeroOp,
            ZeroOp,
        };

        private static readonly byte[] PciRootBridge = PciRootBridgeAml.Build();

        private static int AmlLength { get { return SleepStates.Length + PciRootBridge.Length; } }

        public static int Size { get { return AcpiTable.HeaderSize + AmlLength; } }

        public static void Write(Span<byte> buffer, int offset)
        {
            AcpiTable.WriteHeader(buffer, offset, Signature, Size, Revision);
            int at = offset + AcpiTable.HeaderSize;
            for (int i = 0; i < SleepStates.Length; i++)
            {
                buffer[at++] = SleepStates[i];
            }
            for (int i = 0; i < PciRootBridge.Length; i++)
            {
                buffer[at++] = PciRootBridge[i];
            }
            AcpiTable.Seal(buffer, offset, Size, AcpiTable.ChecksumOffset);
        }
    }
}
