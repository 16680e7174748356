using System;
using System.Collections.Generic;
using Hv.Core.Guests;
using Hv.Core.Memory;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Sparse guest RAM of any size: unwritten bytes read as <see cref="Fill"/>, so tests can tell what a
    /// loader wrote (and that bss was zeroed). Counts writes so refusals can be shown to write nothing.
    /// </summary>
    internal sealed class LoaderTestMemory : GuestMemoryAccess
    {
        private readonly Dictionary<ulong, byte[]> _pages = new Dictionary<ulong, byte[]>();
        public readonly ulong Size;
        public byte Fill;
        public int Writes;

        public LoaderTestMemory(ulong size, byte fill = 0)
        {
            Size = size;
            Fill = fill;
        }

        public override bool Read(ulong gpa, Span<byte> destination)
        {
            if (gpa > Size || (ulong)destination.Length > Size - gpa) return false;
            for (int i = 0; i < destination.Length; i++) destination[i] = this[gpa + (ulong)i];
            return true;
        }

        public override bool Write(ulong gpa, ReadOnlySpan<byte> source)
        {
            if (gpa > Size || (ulong)source.Length > Size - gpa) return false;
            Writes++;
            for (int i = 0; i < source.Length; i++)
            {
                ulong a = gpa + (ulong)i;
                if (!_pages.TryGetValue(a & ~0xFFFUL, out byte[] page))
                {
                    page = new byte[4096];
                    Array.Fill(page, Fill);
                    _pages[a & ~0xFFFUL] = page;
                }
                page[a & 0xFFF] = source[i];
            }
            return true;
        }

        public byte this[ulong gpa] => _pages.TryGetValue(gpa & ~0xFFFUL, out byte[] p) ? p[gpa & 0xFFF] : Fill;

        public byte[] Bytes(ulong gpa, int length)
        {
            var b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = this[gpa + (ulong)i];
            return b;
        }

        public uint U32(ulong gpa) => LittleEndian.ReadUInt32(Bytes(gpa, 4), 0);
        public ulong U64(ulong gpa) => LittleEndian.ReadUInt64(Bytes(gpa, 8), 0);
    }

    public class GuestLoaderTests
    {
        private const ulong MiB = 0x100000;
        private const ulong GiB = 1UL << 30;
        private static readonly GuestEntryState State = new GuestEntryState();

        private static byte[] Pattern(int length)
        {
            var b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = (byte)(i * 13 + 5);
            return b;
        }

        // ---------- real mode ----------

        [Fact]
        public void RealModeLoadsAt8000AndStoresRamSize()
        {
            var memory = new LoaderTestMemory(MiB, 0xCC);
            byte[] image = Pattern(300);
            Assert.Equal(GuestLoadStatus.Ok, RealModeLoader.Load(image, memory, MiB, State));
            Assert.Equal(image, memory.Bytes(0x8000, 300));
            Assert.Equal(0xCC, memory[0x8000 + 300]);
            Assert.Equal(MiB, memory.U64(0x500));
        }

        [Fact]
        public void RealModeRefusesEmptyAndOversizedImages()
        {
            var memory = new LoaderTestMemory(MiB);
            Assert.Equal(GuestLoadStatus.ImageEmpty, RealModeLoader.Load(new byte[0], memory, MiB, State));
            // Up to the 640 KiB line fits, one byte more does not.
            Assert.Equal(GuestLoadStatus.Ok, RealModeLoader.Load(new byte[0xA0000 - 0x8000], memory, MiB, State));
            memory.Writes = 0;
            Assert.Equal(GuestLoadStatus.DoesNotFit, RealModeLoader.Load(new byte[0xA0000 - 0x8000 + 1], memory, MiB, State));
            Assert.Equal(GuestLoadStatus.DoesNotFit, RealModeLoader.Load(new byte[0x1000], memory, 0x8800, State));
            Assert.Equal(0, memory.Writes);
        }

        // ---------- long mode ----------

        [Theory]
        [InlineData(4UL << 20)]
        [InlineData((64UL << 20) + 0x1000)] // not a 2 MiB multiple: rounded up
        [InlineData(3UL << 30)]             // three page directories
        [InlineData(238UL << 30)]           // the most whose directories fit below 1 MiB
        public void LongModeIdentityMapsAllRamWithLargePages(ulong ram)
        {
            var memory = new LoaderTestMemory(ram, 0xCC); // stale bytes must not survive as mappings
            byte[] image = Pattern(5000);
            Assert.Equal(GuestLoadStatus.Ok, LongModeLoader.Load(image, memory, ram, State));
            Assert.Equal(image, memory.Bytes(0x100000, 5000));
            Assert.Equal(ram, memory.U64(0x500));

            ulong largePages = (ram + 2 * MiB - 1) / (2 * MiB);
            ulong mapped = 0;
            Assert.Equal(0x11003UL, memory.U64(0x10000));
            for (int i = 1; i < 512; i++) Assert.Equal(0UL, memory.U64(0x10000 + (ulong)i * 8));
            for (ulong p = 0; p < 512; p++)
            {
                ulong pdpte = memory.U64(0x11000 + p * 8);
                if (pdpte == 0) continue;
                Assert.Equal(0x12000 + p * 0x1000 | 3, pdpte);
                for (ulong d = 0; d < 512; d++)
                {
                    ulong pde = memory.U64(pdpte - 3 + d * 8);
                    if (pde == 0) continue;
                    ulong gpa = p * GiB + d * 2 * MiB;
                    Assert.Equal(gpa | 0x83, pde); // present, writable, 2 MiB, identity
                    mapped++;
                }
            }
            Assert.Equal(largePages, mapped);
            Assert.Equal(ram & ~0xFUL, State.Rsp);
        }

        [Fact]
        public void LongModeWritesFlatGdtAndTss()
        {
            var memory = new LoaderTestMemory(4 * MiB, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, LongModeLoader.Load(new byte[] { 0x90 }, memory, 4 * MiB, State));
            Assert.Equal(0UL, memory.U64(0x1000));
            Assert.Equal(0x00AF9B000000FFFFUL, memory.U64(0x1008));
            Assert.Equal(0x00CF93000000FFFFUL, memory.U64(0x1010));
            Assert.Equal(0x00008B0010800067UL, memory.U64(0x1018));
            Assert.Equal(0UL, memory.U64(0x1020));
            Assert.Equal(new byte[102], memory.Bytes(0x1080, 102));
            Assert.Equal(104, memory[0x1080 + 102]); // I/O map base past the TSS: no I/O bitmap
        }

        [Fact]
        public void LongModeRefusesWhatDoesNotFit()
        {
            var memory = new LoaderTestMemory(256 * GiB);
            Assert.Equal(GuestLoadStatus.ImageEmpty, LongModeLoader.Load(new byte[0], memory, 4 * MiB, State));
            Assert.Equal(GuestLoadStatus.DoesNotFit, LongModeLoader.Load(new byte[1], memory, MiB, State));
            Assert.Equal(GuestLoadStatus.DoesNotFit, LongModeLoader.Load(new byte[MiB - 0x1000 + 1], memory, 2 * MiB, State));
            Assert.Equal(GuestLoadStatus.RamTooLarge, LongModeLoader.Load(new byte[1], memory, 256 * GiB, State));
            Assert.Equal(GuestLoadStatus.RamTooLarge, LongModeLoader.Load(new byte[1], memory, 238 * GiB + 1, State));
            Assert.Equal(GuestLoadStatus.RamTooLarge, LongModeLoader.Load(new byte[1], memory, ulong.MaxValue, State));
            Assert.Equal(0, memory.Writes);
            Assert.Equal(GuestLoadStatus.Ok, LongModeLoader.Load(new byte[MiB - 0x1000], memory, 2 * MiB, State));
        }

        // ---------- Multiboot: a.out kludge ----------

        /// <summary>
        /// A Multiboot kernel with address fields: header at file offset <paramref name="headerOffset"/>,
        /// file loaded at 1 MiB, 0x40 bytes of code after the header, a 0x2000-byte bss, entry at the code.
        /// </summary>
        internal static byte[] AoutKernel(int headerOffset = 0, uint flags = 0x00010002, Action<byte[], int> tweak = null)
        {
            uint headerAddr = 0x100000 + (uint)headerOffset;
            byte[] image = new byte[headerOffset + 32 + 0x40];
            for (int i = 0; i < image.Length; i++) image[i] = 0x90;
            int h = headerOffset;
            LittleEndian.WriteUInt32(image, h, 0x1BADB002);
            LittleEndian.WriteUInt32(image, h + 4, flags);
            LittleEndian.WriteUInt32(image, h + 8, unchecked(0u - 0x1BADB002u - flags));
            LittleEndian.WriteUInt32(image, h + 12, headerAddr);
            LittleEndian.WriteUInt32(image, h + 16, 0x100000);
            LittleEndian.WriteUInt32(image, h + 20, 0x100000 + (uint)image.Length);
            LittleEndian.WriteUInt32(image, h + 24, 0x100000 + (uint)image.Length + 0x2000);
            LittleEndian.WriteUInt32(image, h + 28, headerAddr + 32);
            tweak?.Invoke(image, h);
            return image;
        }

        private static void Field(byte[] image, int at, uint value) => LittleEndian.WriteUInt32(image, at, value);

        [Fact]
        public void AoutKernelLoadsWithBssAndEntry()
        {
            var memory = new LoaderTestMemory(8 * MiB, 0xCC);
            byte[] image = AoutKernel(headerOffset: 0x40);
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State));
            Assert.Equal(image, memory.Bytes(0x100000, image.Length));
            Assert.Equal(new byte[0x2000], memory.Bytes(0x100000 + (ulong)image.Length, 0x2000));
            Assert.Equal(0xCC, memory[0x100000 + (ulong)image.Length + 0x2000]);
            Assert.Equal(0x100000UL + 0x40 + 32, State.Rip);
            Assert.Equal(0x00CF9B000000FFFFUL, memory.U64(0x1008)); // 32-bit flat code in the GDT
        }

        [Fact]
        public void AoutHeaderMayStartTheLoadAfterFileStart()
        {
            // header_addr - load_addr smaller than the header offset: loading starts inside the file.
            var memory = new LoaderTestMemory(8 * MiB, 0xCC);
            byte[] image = AoutKernel(headerOffset: 0x100, tweak: (img, h) =>
            {
                Field(img, h + 16, 0x100000 + 0x100 - 0x20); // load_addr: file offset 0x20 goes to it
                Field(img, h + 20, 0);                        // load to end of file
                Field(img, h + 24, 0);                        // no bss
            });
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State));
            Assert.Equal(image.AsSpan(0xE0).ToArray(), memory.Bytes(0x1000E0, image.Length - 0xE0));
            Assert.Equal(0xCC, memory[0x1000E0 + (ulong)(image.Length - 0xE0)]);
        }

        public static IEnumerable<object[]> HostileAoutKernels()
        {
            yield return new object[] { "bad checksum", AoutKernel(tweak: (i, h) => Field(i, h + 8, 0x12345678)), GuestLoadStatus.BadChecksum };
            yield return new object[] { "header past 8 KiB", AoutKernel(headerOffset: 8192), GuestLoadStatus.NoMultibootHeader };
            yield return new object[] { "header straddles 8 KiB", AoutKernel(headerOffset: 8192 - 16), GuestLoadStatus.NoMultibootHeader };
            yield return new object[] { "header not 4-aligned", AoutKernel(headerOffset: 6), GuestLoadStatus.NoMultibootHeader };
            yield return new object[] { "truncated header", AoutKernel().AsSpan(0, 20).ToArray(), GuestLoadStatus.NoMultibootHeader };
            yield return new object[] { "video mode required", AoutKernel(flags: 0x00010006), GuestLoadStatus.UnsupportedFlags };
            yield return new object[] { "unknown requirement", AoutKernel(flags: 0x00018000), GuestLoadStatus.UnsupportedFlags };
            yield return new object[] { "load_addr above header_addr", AoutKernel(tweak: (i, h) => Field(i, h + 16, 0x100004)), GuestLoadStatus.BadLoadAddresses };
            yield return new object[] { "load starts before the file", AoutKernel(tweak: (i, h) => Field(i, h + 16, 0xFFF00)), GuestLoadStatus.BadLoadAddresses };
            yield return new object[] { "load_end beyond the file", AoutKernel(tweak: (i, h) => Field(i, h + 20, 0x100000 + 0x1000)), GuestLoadStatus.BadLoadAddresses };
            yield return new object[] { "load_end before load_addr", AoutKernel(tweak: (i, h) => Field(i, h + 20, 0xFFFFF)), GuestLoadStatus.BadLoadAddresses };
            yield return new object[] { "bss_end before load_end", AoutKernel(tweak: (i, h) => Field(i, h + 24, 0x100010)), GuestLoadStatus.BadLoadAddresses };
            yield return new object[] { "bss beyond RAM", AoutKernel(tweak: (i, h) => Field(i, h + 24, 0x800001)), GuestLoadStatus.DoesNotFit };
            yield return new object[] { "bss to 4 GiB", AoutKernel(tweak: (i, h) => Field(i, h + 24, 0xFFFFFFFF)), GuestLoadStatus.DoesNotFit };
            yield return new object[] { "below 1 MiB", AoutKernel(tweak: (i, h) =>
                { Field(i, h + 12, 0x8000); Field(i, h + 16, 0x8000); Field(i, h + 20, 0x8060); Field(i, h + 24, 0); Field(i, h + 28, 0x8020); }),
                GuestLoadStatus.BelowOneMiB };
            yield return new object[] { "entry outside", AoutKernel(tweak: (i, h) => Field(i, h + 28, 0x200000)), GuestLoadStatus.EntryOutsideImage };
            yield return new object[] { "entry in bss", AoutKernel(tweak: (i, h) => Field(i, h + 28, 0x100000 + 0x60 + 4)), GuestLoadStatus.EntryOutsideImage };
            yield return new object[] { "no header", new byte[9000], GuestLoadStatus.NoMultibootHeader };
            yield return new object[] { "empty", new byte[0], GuestLoadStatus.ImageEmpty };
        }

        [Theory]
        [MemberData(nameof(HostileAoutKernels))]
        public void MultibootRefusesHostileKernelsWithoutWriting(string what, byte[] image, GuestLoadStatus expected)
        {
            var memory = new LoaderTestMemory(8 * MiB);
            Assert.True(expected == MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State), what);
            Assert.Equal(0, memory.Writes);
        }

        [Fact]
        public void MultibootSkipsAMagicWithAWrongChecksum()
        {
            byte[] image = AoutKernel(headerOffset: 0x10);
            LittleEndian.WriteUInt32(image, 0, 0x1BADB002); // stray magic, garbage checksum
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, new LoaderTestMemory(8 * MiB), 8 * MiB, new byte[0], State));
        }

        [Fact]
        public void MultibootRefusesOverlongCommandLine()
        {
            var memory = new LoaderTestMemory(8 * MiB);
            Assert.Equal(GuestLoadStatus.CommandLineTooLong, MultibootLoader.Load(AoutKernel(), memory, 8 * MiB, new byte[1025], State));
            Assert.Equal(0, memory.Writes);
        }

        // ---------- Multiboot: ELF32 ----------

        internal struct Segment
        {
            public uint Type, Offset, VAddr, PAddr, FileSize, MemSize;
        }

        /// <summary>An ELF32 i386 executable with a Multiboot header (no address fields) and the given program headers.</summary>
        internal static byte[] ElfKernel(uint entry, params Segment[] segments)
        {
            byte[] image = new byte[0x3000];
            byte[] ident = { 0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 1, 1 };
            ident.CopyTo(image, 0);
            LittleEndian.WriteUInt16(image, 16, 2);   // ET_EXEC
            LittleEndian.WriteUInt16(image, 18, 3);   // EM_386
            LittleEndian.WriteUInt32(image, 20, 1);
            LittleEndian.WriteUInt32(image, 24, entry);
            LittleEndian.WriteUInt32(image, 28, 52);  // program headers right after the ELF header
            LittleEndian.WriteUInt16(image, 40, 52);
            LittleEndian.WriteUInt16(image, 42, 32);
            LittleEndian.WriteUInt16(image, 44, (ushort)segments.Length);
            for (int i = 0; i < segments.Length; i++)
            {
                int ph = 52 + i * 32;
                Segment s = segments[i];
                LittleEndian.WriteUInt32(image, ph, s.Type);
                LittleEndian.WriteUInt32(image, ph + 4, s.Offset);
                LittleEndian.WriteUInt32(image, ph + 8, s.VAddr);
                LittleEndian.WriteUInt32(image, ph + 12, s.PAddr);
                LittleEndian.WriteUInt32(image, ph + 16, s.FileSize);
                LittleEndian.WriteUInt32(image, ph + 20, s.MemSize);
            }
            // Multiboot header without address fields at 0x400.
            LittleEndian.WriteUInt32(image, 0x400, 0x1BADB002);
            LittleEndian.WriteUInt32(image, 0x404, 2);
            LittleEndian.WriteUInt32(image, 0x408, unchecked(0u - 0x1BADB002u - 2));
            for (int i = 0x1000; i < 0x3000; i++) image[i] = (byte)(i >> 4);
            return image;
        }

        private static Segment Load(uint offset, uint vaddr, uint paddr, uint filesz, uint memsz) =>
            new Segment { Type = 1, Offset = offset, VAddr = vaddr, PAddr = paddr, FileSize = filesz, MemSize = memsz };

        [Fact]
        public void ElfKernelLoadsSegmentsAtPhysicalAddresses()
        {
            var memory = new LoaderTestMemory(8 * MiB, 0xCC);
            // A higher-half kernel: virtual 0xC0100000 loads at physical 1 MiB; a note segment is ignored.
            byte[] image = ElfKernel(0xC0100010,
                Load(0x1000, 0xC0100000, 0x100000, 0x1000, 0x1000),
                new Segment { Type = 4, Offset = 0x400, FileSize = 12, MemSize = 12 },
                Load(0x2000, 0xC0200000, 0x200000, 0x800, 0x3000));
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State));
            Assert.Equal(image.AsSpan(0x1000, 0x1000).ToArray(), memory.Bytes(0x100000, 0x1000));
            Assert.Equal(image.AsSpan(0x2000, 0x800).ToArray(), memory.Bytes(0x200000, 0x800));
            Assert.Equal(new byte[0x2800], memory.Bytes(0x200800, 0x2800));
            Assert.Equal(0xCC, memory[0x203000]);
            Assert.Equal(0x100010UL, State.Rip);
        }

        [Fact]
        public void ElfSegmentsMayLoadInConventionalMemoryAboveTheLoadersStructures()
        {
            var memory = new LoaderTestMemory(8 * MiB, 0xCC);
            // A low segment at 0x8000 up to the end of conventional memory, and the entry in it; one more at 1 MiB.
            byte[] image = ElfKernel(0x8010,
                Load(0x1000, 0x8000, 0x8000, 0x1000, 0x98000),
                Load(0x2000, 0x100000, 0x100000, 0x1000, 0x1000));
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State));
            Assert.Equal(image.AsSpan(0x1000, 0x1000).ToArray(), memory.Bytes(0x8000, 0x1000));
            Assert.Equal(new byte[0x97000], memory.Bytes(0x9000, 0x97000));
            Assert.Equal(image.AsSpan(0x2000, 0x1000).ToArray(), memory.Bytes(0x100000, 0x1000));
            Assert.Equal(0x8010UL, State.Rip);
            // The information block the kernel reads is still intact below it.
            Assert.Equal(MultibootLoader.BootloaderMagic, (uint)State.Rax);
            Assert.Equal(0x2000UL, State.Rbx);
        }

        public static IEnumerable<object[]> HostileElfKernels()
        {
            yield return new object[] { "overlapping segments", ElfKernel(0x100000,
                Load(0x1000, 0x100000, 0x100000, 0x1000, 0x2000), Load(0x2000, 0x101000, 0x101000, 0x1000, 0x1000)), GuestLoadStatus.SegmentsOverlap };
            yield return new object[] { "segment beyond RAM", ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x1000, 0x800000)), GuestLoadStatus.DoesNotFit };
            yield return new object[] { "memsz to 4 GiB", ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x1000, 0xFFFFFFFF)), GuestLoadStatus.DoesNotFit };
            yield return new object[] { "filesz beyond file", ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x3000, 0x3000)), GuestLoadStatus.BadSegment };
            yield return new object[] { "offset wraps", ElfKernel(0x100000, Load(0xFFFFF000, 0x100000, 0x100000, 0x2000, 0x2000)), GuestLoadStatus.BadSegment };
            yield return new object[] { "filesz above memsz", ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x1000, 0x800)), GuestLoadStatus.BadSegment };
            yield return new object[] { "under the loader's structures", ElfKernel(0x7000, Load(0x1000, 0x7000, 0x7000, 0x100, 0x100)), GuestLoadStatus.BelowOneMiB };
            yield return new object[] { "into the VGA hole", ElfKernel(0x9F000, Load(0x1000, 0x9F000, 0x9F000, 0x1000, 0x1001)), GuestLoadStatus.BelowOneMiB };
            yield return new object[] { "in the ROM area", ElfKernel(0xF0000, Load(0x1000, 0xF0000, 0xF0000, 0x100, 0x100)), GuestLoadStatus.BelowOneMiB };
            yield return new object[] { "entry outside segments", ElfKernel(0x500000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100)), GuestLoadStatus.EntryOutsideImage };
            yield return new object[] { "no PT_LOAD", ElfKernel(0x100000, new Segment { Type = 4, Offset = 0x400, FileSize = 12, MemSize = 12 }), GuestLoadStatus.NoLoadableSegments };
            byte[] tooMany = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            LittleEndian.WriteUInt16(tooMany, 44, 65);
            yield return new object[] { "too many program headers", tooMany, GuestLoadStatus.TooManySegments };
            byte[] tableOut = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            LittleEndian.WriteUInt32(tableOut, 28, 0x2FF0);
            yield return new object[] { "program headers beyond file", tableOut, GuestLoadStatus.BadElf };
            byte[] tableWrap = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            LittleEndian.WriteUInt32(tableWrap, 28, 0xFFFFFFF0);
            yield return new object[] { "program header offset wraps", tableWrap, GuestLoadStatus.BadElf };
            byte[] smallEntries = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            LittleEndian.WriteUInt16(smallEntries, 42, 16);
            yield return new object[] { "short program headers", smallEntries, GuestLoadStatus.BadElf };
            byte[] elf64 = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            elf64[4] = 2;
            yield return new object[] { "ELF64", elf64, GuestLoadStatus.BadElf };
            byte[] arm = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            LittleEndian.WriteUInt16(arm, 18, 40);
            yield return new object[] { "not i386", arm, GuestLoadStatus.BadElf };
            byte[] notElf = ElfKernel(0x100000, Load(0x1000, 0x100000, 0x100000, 0x100, 0x100));
            notElf[1] = (byte)'X';
            yield return new object[] { "no ELF magic", notElf, GuestLoadStatus.BadElf };
        }

        [Theory]
        [MemberData(nameof(HostileElfKernels))]
        public void MultibootRefusesHostileElfWithoutWriting(string what, byte[] image, GuestLoadStatus expected)
        {
            var memory = new LoaderTestMemory(8 * MiB);
            Assert.True(expected == MultibootLoader.Load(image, memory, 8 * MiB, new byte[0], State), what);
            Assert.Equal(0, memory.Writes);
        }
    }
}
