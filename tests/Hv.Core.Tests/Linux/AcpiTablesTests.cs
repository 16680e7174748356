using System;
using System.Collections.Generic;
using System.Text;
using Hv.Core.Devices.Pc;
using Hv.Core.Guests;
using Hv.Core.Guests.Acpi;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Xunit;

namespace Hv.Core.Tests.Linux
{
    /// <summary>
    /// Reads the ACPI block back the way a kernel does: RSDP found by the 16-byte scan of 0xE0000-0xFFFFF, checksums,
    /// XSDT → FADT/MADT, FADT → FACS/DSDT, every field checked against <see cref="PcPlatform"/>.
    /// </summary>
    public class AcpiTablesTests
    {
        private const ulong Base = GuestLayout.AcpiTablesAddress;
        private static readonly byte[] Block = AcpiTables.Bytes();

        private static int At(ulong address)
        {
            Assert.InRange(address, Base, Base + (ulong)Block.Length - 1);
            return (int)(address - Base);
        }

        private static string Text(int offset, int length) => Encoding.ASCII.GetString(Block, offset, length);
        private static uint U32(int offset) => LittleEndian.ReadUInt32(Block, offset);
        private static ulong U64(int offset) => LittleEndian.ReadUInt64(Block, offset);
        private static ushort U16(int offset) => LittleEndian.ReadUInt16(Block, offset);

        /// <summary>A table's offset in the block after checking its signature, length and checksum.</summary>
        private static int Table(ulong address, string signature)
        {
            int offset = At(address);
            Assert.Equal(signature, Text(offset, 4));
            int length = (int)U32(offset + 4);
            Assert.True(offset + length <= Block.Length, signature + " runs past the block");
            Assert.Equal(0, AcpiTable.Sum(new ReadOnlySpan<byte>(Block, offset, length)));
            Assert.Equal(AcpiTable.OemId, Text(offset + 10, 6));
            return offset;
        }

        private static int FindRsdp()
        {
            for (int offset = 0; offset + Rsdp.Size <= Block.Length; offset += 16)
                if (Text(offset, 8) == "RSD PTR ") return offset;
            throw new Exception("no RSDP on a 16-byte boundary");
        }

        private static int Fadt() => Table(U64(At(U64(FindRsdp() + Rsdp.XsdtAddressOffset)) + 36), "FACP");

        [Fact]
        public void Rsdp_is_revision_2_with_both_checksums_and_points_at_the_xsdt()
        {
            int rsdp = FindRsdp();
            Assert.Equal(AcpiTables.RsdpAddress, Base + (ulong)rsdp);
            Assert.Equal(0, AcpiTable.Sum(new ReadOnlySpan<byte>(Block, rsdp, Rsdp.V1Size)));
            Assert.Equal(0, AcpiTable.Sum(new ReadOnlySpan<byte>(Block, rsdp, Rsdp.Size)));
            Assert.Equal(2, Block[rsdp + Rsdp.RevisionOffset]);
            Assert.Equal((uint)Rsdp.Size, U32(rsdp + Rsdp.LengthOffset));
            Table(U64(rsdp + Rsdp.XsdtAddressOffset), "XSDT");
        }

        [Fact]
        public void Xsdt_lists_the_fadt_and_the_madt()
        {
            int xsdt = Table(U64(FindRsdp() + Rsdp.XsdtAddressOffset), "XSDT");
            int entries = ((int)U32(xsdt + 4) - 36) / 8;
            var signatures = new List<string>();
            for (int i = 0; i < entries; i++) signatures.Add(Text(At(U64(xsdt + 36 + i * 8)), 4));
            Assert.Equal(new[] { "FACP", "APIC" }, signatures);
        }

        [Fact]
        public void Fadt_describes_the_pm_blocks_sci_reset_register_and_a_full_acpi_platform()
        {
            int fadt = Fadt();
            Assert.True(Block[fadt + 8] >= 5, "revision 5 or later");
            Assert.Equal((uint)Hv.Core.Guests.Acpi.Fadt.Size, U32(fadt + 4));
            Assert.Equal(PcLayout.SciIrq, U16(fadt + 46));
            Assert.Equal(0U, U32(fadt + 48)); // no SMI_CMD: always in ACPI mode
            Assert.Equal(0x600U, U32(fadt + 56));
            Assert.Equal(0x604U, U32(fadt + 64));
            Assert.Equal(0x608U, U32(fadt + 76));
            Assert.Equal(4, Block[fadt + 88]);
            Assert.Equal(2, Block[fadt + 89]);
            Assert.Equal(4, Block[fadt + 91]);
            ushort arch = U16(fadt + 109);
            Assert.NotEqual(0, arch & 1); // legacy devices present
            Assert.NotEqual(0, arch & 2); // 8042 present
            uint flags = U32(fadt + 112);
            Assert.Equal(0U, flags & (1u << 20)); // not hardware-reduced
            Assert.Equal(0U, flags & (1u << 4)); // fixed-feature power button
            Assert.NotEqual(0U, flags & (1u << 10)); // reset register supported
            Assert.Equal(PcLayout.PmTimerBits == 32, (flags & (1u << 8)) != 0);
            AssertGas(fadt + 116, AcpiTable.SystemIo, 8, PcLayout.ResetPort);
            Assert.Equal(PcLayout.ResetValue, Block[fadt + 128]);
            // The X_ forms agree with the 32-bit fields.
            Assert.Equal(U32(fadt + 40), U64(fadt + 140));
            Assert.Equal(U32(fadt + 36), U64(fadt + 132));
            AssertGas(fadt + 148, AcpiTable.SystemIo, 32, 0x600);
            AssertGas(fadt + 172, AcpiTable.SystemIo, 16, 0x604);
            AssertGas(fadt + 208, AcpiTable.SystemIo, 32, 0x608);
            Assert.Equal(0UL, U64(fadt + 160 + 4)); // no PM1b blocks
        }

        private static void AssertGas(int offset, byte space, byte width, ulong address)
        {
            Assert.Equal(space, Block[offset]);
            Assert.Equal(width, Block[offset + 1]);
            Assert.Equal(address, U64(offset + 4));
        }

        [Fact]
        public void Facs_is_64_byte_aligned_with_its_signature_and_length()
        {
            ulong facs = U64(Fadt() + 132);
            Assert.Equal(0UL, facs % 64);
            int offset = At(facs);
            Assert.Equal("FACS", Text(offset, 4));
            Assert.Equal(64U, U32(offset + 4));
        }

        [Fact]
        public void Madt_has_one_enabled_lapic_the_ioapic_and_the_isa_overrides()
        {
            int xsdt = At(U64(FindRsdp() + Rsdp.XsdtAddressOffset));
            int madt = Table(U64(xsdt + 44), "APIC");
            Assert.Equal(PcLayout.LocalApicBase, U32(madt + 36));
            Assert.Equal(1U, U32(madt + 40) & 1); // PCAT_COMPAT: 8259s present
            int end = madt + (int)U32(madt + 4);
            var lapics = new List<(byte Id, uint Flags)>();
            var ioapics = new List<(byte Id, uint Address, uint GsiBase)>();
            var overrides = new Dictionary<byte, (uint Gsi, ushort Flags)>();
            int nmis = 0;
            for (int at = madt + 44; at < end; at += Block[at + 1])
            {
                Assert.True(Block[at + 1] >= 2 && at + Block[at + 1] <= end, "entry length");
                switch (Block[at])
                {
                    case 0: lapics.Add((Block[at + 3], U32(at + 4))); break;
                    case 1: ioapics.Add((Block[at + 2], U32(at + 4), U32(at + 8))); break;
                    case 2: Assert.Equal(0, Block[at + 2]); overrides.Add(Block[at + 3], (U32(at + 4), U16(at + 8))); break;
                    case 4: nmis++; Assert.Equal(1, Block[at + 5]); break;
                    default: throw new Exception("unexpected MADT entry type " + Block[at]);
                }
            }
            Assert.Equal(new[] { (PcLayout.LocalApicId, 1U) }, lapics);
            Assert.Equal(new[] { (PcLayout.IoApicId, 0xFEC00000U, 0U) }, ioapics);
            Assert.Equal((2U, (ushort)0), overrides[0]);
            Assert.Equal((9U, (ushort)0x000D), overrides[9]); // active high, level triggered
            Assert.Equal(2, overrides.Count);
            Assert.Equal(1, nmis);
        }

        [Fact]
        public void A_vm_of_several_processors_gets_a_madt_with_a_lapic_each_in_the_same_place()
        {
            var memory = new LoaderTestMemory(64 * 0x100000UL);
            Assert.True(AcpiTables.Write(memory, VcpuSet.MaxCount));
            byte[] block = memory.Bytes(Base, Block.Length);
            int madt = AcpiTables.MadtOffset;
            int length = (int)LittleEndian.ReadUInt32(block, madt + 4);
            Assert.Equal(Madt.SizeFor(VcpuSet.MaxCount), length);
            Assert.True(madt + length <= AcpiTables.DsdtOffset, "the MADT runs into the DSDT");
            Assert.Equal(0, AcpiTable.Sum(new ReadOnlySpan<byte>(block, madt, length)));
            var lapics = new List<(byte Uid, byte Id, uint Flags)>();
            for (int at = madt + 44; at < madt + length; at += block[at + 1])
                if (block[at] == Madt.TypeLocalApic) lapics.Add((block[at + 2], block[at + 3], LittleEndian.ReadUInt32(block, at + 4)));
            Assert.Equal(new[] { ((byte)0, (byte)0, 1U), ((byte)1, (byte)1, 1U), ((byte)2, (byte)2, 1U), ((byte)3, (byte)3, 1U) }, lapics);
            // Everything but the MADT is the one-processor block.
            Assert.Equal(new ReadOnlySpan<byte>(Block, 0, madt).ToArray(), new ReadOnlySpan<byte>(block, 0, madt).ToArray());
            Assert.Equal(new ReadOnlySpan<byte>(Block, AcpiTables.DsdtOffset, Block.Length - AcpiTables.DsdtOffset).ToArray(),
                new ReadOnlySpan<byte>(block, AcpiTables.DsdtOffset, Block.Length - AcpiTables.DsdtOffset).ToArray());
        }

        [Fact]
        public void Dsdt_aml_names_an_S5_package_with_the_platform_sleep_type()
        {
            int fadt = Fadt();
            int dsdt = Table(U64(fadt + 140), "DSDT");
            Assert.Equal(2, Block[dsdt + 8]);
            int length = (int)U32(dsdt + 4);
            // NameOp '\' "_S5_" PackageOp PkgLength NumElements BytePrefix a BytePrefix b Zero Zero
            int aml = dsdt + 36;
            Assert.Equal(0x08, Block[aml]);
            Assert.Equal("\\_S5_", Text(aml + 1, 5));
            Assert.Equal(0x12, Block[aml + 6]);
            int pkgLength = Block[aml + 7];
            Assert.Equal(0, pkgLength & 0xC0); // one-byte PkgLength
            Assert.True(aml + 7 + pkgLength <= dsdt + length); // the package lies inside the table
            Assert.Equal(4, Block[aml + 8]);
            Assert.Equal(new byte[] { 0x0A, PcLayout.SleepTypeS5, 0x0A, PcLayout.SleepTypeS5, 0x00, 0x00 },
                new ReadOnlySpan<byte>(Block, aml + 9, 6).ToArray());
        }

        [Fact]
        public void Tables_do_not_overlap()
        {
            int xsdt = At(U64(FindRsdp() + Rsdp.XsdtAddressOffset));
            int fadt = Fadt();
            var spans = new List<(int Start, int End)>
            {
                (FindRsdp(), FindRsdp() + Rsdp.Size),
                (xsdt, xsdt + (int)U32(xsdt + 4)),
                (fadt, fadt + (int)U32(fadt + 4)),
                (At(U64(fadt + 132)), At(U64(fadt + 132)) + 64),
                (At(U64(xsdt + 44)), At(U64(xsdt + 44)) + (int)U32(At(U64(xsdt + 44)) + 4)),
                (At(U64(fadt + 140)), At(U64(fadt + 140)) + (int)U32(At(U64(fadt + 140)) + 4)),
            };
            spans.Sort();
            for (int i = 1; i < spans.Count; i++) Assert.True(spans[i - 1].End <= spans[i].Start, "tables overlap");
        }

        [Fact]
        public void A_changed_byte_breaks_the_checksum()
        {
            byte[] copy = AcpiTables.Bytes();
            int madt = AcpiTables.MadtOffset;
            int length = (int)LittleEndian.ReadUInt32(copy, madt + 4);
            copy[madt + 36] ^= 0x10;
            Assert.NotEqual(0, AcpiTable.Sum(new ReadOnlySpan<byte>(copy, madt, length)));
        }

        [Fact]
        public void The_linux_loader_writes_the_tables_and_gives_the_kernel_the_rsdp_address()
        {
            var memory = new LoaderTestMemory(64 * 0x100000UL, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, LinuxLoader.Load(new SyntheticBzImage().Build(), new byte[0], memory, memory.Size,
                new byte[0], new GuestEntryState()));
            Assert.Equal(AcpiTables.RsdpAddress, memory.U64(GuestLayout.LinuxBootParamsAddress + BootParams.AcpiRsdpAddrOffset));
            Assert.Equal(Block, memory.Bytes(Base, Block.Length));
        }
    }
}
