using System;
using Hv.Core.Devices.Pc;
using Hv.Core.Guests.Acpi;

namespace Hv.Core.Tests.Linux
{
    /// <summary>The DSDT's PCI0 device (checked once with iasl -d; these tests keep the encoding from drifting).</summary>
    public class PciRootBridgeAmlTests
    {
        private static int PkgLength(byte[] aml, int at, out int bytes)
        {
            int extra = aml[at] >> 6;
            bytes = 1 + extra;
            if (extra == 0) return aml[at] & 0x3F;
            int value = aml[at] & 0x0F;
            for (int i = 0; i < extra; i++) value |= aml[at + 1 + i] << (4 + 8 * i);
            return value;
        }

        [Theory]
        [InlineData(0, new byte[] { 0x01 })]
        [InlineData(62, new byte[] { 0x3F })]
        [InlineData(63, new byte[] { 0x41, 0x04 })] // 65 = 0x41: low nibble 1, then 0x04
        [InlineData(120, new byte[] { 0x4A, 0x07 })]
        [InlineData(5000, new byte[] { 0x8B, 0x38, 0x01 })] // 5003 = 0x138B
        public void PkgLength_counts_its_own_bytes(int content, byte[] expected)
        {
            var w = new AmlWriter(4);
            w.PkgLength(content);
            Assert.Equal(expected, w.ToArray());
        }

        [Fact]
        public void The_device_is_sb_pci0_with_the_pci_host_bridge_hid_and_its_package_spans_the_term()
        {
            byte[] aml = PciRootBridgeAml.Build();
            Assert.Equal(new byte[] { 0x5B, 0x82 }, aml.AsSpan(0, 2).ToArray());
            int length = PkgLength(aml, 2, out _);
            Assert.Equal(aml.Length - 2, length);
            string text = System.Text.Encoding.ASCII.GetString(aml);
            Assert.Contains("\\._SB_PCI0", text);
            int hid = text.IndexOf("_HID", StringComparison.Ordinal);
            Assert.Equal(new byte[] { 0x0C, 0x41, 0xD0, 0x0A, 0x03 }, aml.AsSpan(hid + 4, 5).ToArray()); // EisaId ("PNP0A03")
            Assert.Equal(new byte[] { 0x79, 0x00 }, aml.AsSpan(aml.Length - 2).ToArray()); // the _CRS buffer ends the term
        }

        [Fact]
        public void The_crs_memory_window_is_the_platforms()
        {
            byte[] aml = PciRootBridgeAml.Build();
            int at = Array.IndexOf(aml, (byte)0x87); // DWord address space descriptor
            Assert.True(at > 0);
            Assert.Equal(0, aml[at + 3]); // memory
            Assert.Equal((uint)PcPciHost.MmioBase, BitConverter.ToUInt32(aml, at + 10));
            Assert.Equal((uint)(PcPciHost.MmioLimit - 1), BitConverter.ToUInt32(aml, at + 14));
            Assert.Equal((uint)(PcPciHost.MmioLimit - PcPciHost.MmioBase), BitConverter.ToUInt32(aml, at + 22));
        }

        [Fact]
        public void The_dsdt_fits_its_place_in_the_tables()
        {
            Assert.True(AcpiTables.DsdtOffset + Dsdt.Size <= AcpiTables.Size);
        }
    }
}
