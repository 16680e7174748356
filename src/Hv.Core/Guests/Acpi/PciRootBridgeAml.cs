using Hv.Core.Devices.Pc;

namespace Hv.Core.Guests.Acpi
{
    /// <summary>
    /// The DSDT's PCI root bridge, <c>Device (\_SB.PCI0)</c> with _HID PNP0A03, _UID 0 and a _CRS naming its windows:
    /// bus numbers 0-255, the configuration ports 0xCF8-0xCFF (consumed), I/O 0x0000-0x0CF7 and 0x0D00-0xFFFF, and the
    /// memory window of <see cref="PcPciHost"/>. Linux enumerates PCI through this device when ACPI is on (without it,
    /// it never scans bus 0) and keeps BARs that lie inside the windows. Encoded by hand (ACPI 6.4 §20 AML grammar,
    /// §6.4 resource descriptors); no _PRT, as INTx is not routed.
    /// </summary>
    public static class PciRootBridgeAml
    {
        private const byte NameOp = 0x08, BufferOp = 0x11, BytePrefix = 0x0A, DWordPrefix = 0x0C, ZeroOp = 0x00;
        private const byte ExtOpPrefix = 0x5B, DeviceOp = 0x82, RootChar = 0x5C, DualNamePrefix = 0x2E;
        // Large resource descriptors: Word and DWord address space; small: I/O port and end tag.
        private const byte WordAddress = 0x88, DWordAddress = 0x87, IoPort = 0x47, EndTag = 0x79;
        private const byte MemoryRange = 0, IoRange = 1, BusRange = 2;
        // General flags: _MIF and _MAF (the window is fixed), the bridge produces it.
        private const byte FixedWindow = 0x0C;
        /// <summary>EisaId ("PNP0A03") as its four bytes in AML order.</summary>
        private static readonly byte[] PciHostBridgeId = { 0x41, 0xD0, 0x0A, 0x03 };

        /// <summary>The encoded Device term.</summary>
        public static byte[] Build()
        {
            byte[] resources = Resources();
            AmlWriter crs = new AmlWriter(resources.Length + 16);
            crs.Byte(BufferOp);
            crs.PkgLength(2 + resources.Length); // BytePrefix and the size, then the bytes
            crs.Byte(BytePrefix);
            crs.Byte((byte)resources.Length);
            crs.Bytes(resources);

            AmlWriter body = new AmlWriter(160);
            body.Byte(RootChar);
            body.Byte(DualNamePrefix);
            body.Name("_SB_");
            body.Name("PCI0");
            body.Byte(NameOp);
            body.Name("_HID");
            body.Byte(DWordPrefix);
            body.Bytes(PciHostBridgeId);
            body.Byte(NameOp);
            body.Name("_UID");
            body.Byte(ZeroOp);
            body.Byte(NameOp);
            body.Name("_CRS");
            body.Bytes(crs.ToArray());

            AmlWriter device = new AmlWriter(body.Length + 4);
            device.Byte(ExtOpPrefix);
            device.Byte(DeviceOp);
            device.PkgLength(body.Length);
            device.Bytes(body.ToArray());
            return device.ToArray();
        }

        private static byte[] Resources()
        {
            AmlWriter r = new AmlWriter(96);
            Word(r, BusRange, 0, 0, 0xFF);
            r.Byte(IoPort);
            r.Byte(0x01); // 16-bit decode
            r.U16(0xCF8);
            r.U16(0xCF8);
            r.Byte(1);
            r.Byte(8);
            Word(r, IoRange, 0x03, 0x0000, 0x0CF7); // type-specific 3: ISA and non-ISA ranges
            Word(r, IoRange, 0x03, 0x0D00, 0xFFFF);
            r.Byte(DWordAddress);
            r.U16(23);
            r.Byte(MemoryRange);
            r.Byte(FixedWindow);
            r.Byte(0x01); // read-write, non-cacheable
            r.U32(0);
            r.U32((uint)PcPciHost.MmioBase);
            r.U32((uint)(PcPciHost.MmioLimit - 1));
            r.U32(0);
            r.U32((uint)(PcPciHost.MmioLimit - PcPciHost.MmioBase));
            r.Byte(EndTag);
            r.Byte(0); // checksum 0: treated as correct
            return r.ToArray();
        }

        private static void Word(AmlWriter r, byte type, byte typeFlags, ushort min, ushort max)
        {
            r.Byte(WordAddress);
            r.U16(13);
            r.Byte(type);
            r.Byte(FixedWindow);
            r.Byte(typeFlags);
            r.U16(0);
            r.U16(min);
            r.U16(max);
            r.U16(0);
            r.U16((ushort)(max - min + 1));
        }
    }
}
