using System.Linq;
using System;
using System.Collections.Generic;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests
{
    public class VmImageTests
    {
        // An imported VM's memory reads as zeros until written: its pool pins a zero page and a table mapping it, for good.
        private const int PinnedZeroPages = 2;

        private static (CowPages Pages, PageSharing Sharing) Host()
        {
            var pages = new CowPages();
            return (pages, new PageSharing(pages, CowPages.Base, CowPages.Limit));
        }

        private static VcpuState SampleState()
        {
            var s = new VcpuState();
            for (int i = 0; i < s.Values.Length; i++) s.Values[i] = 0x1000UL * (ulong)i + 7;
            s.Registers.Rax = 1; s.Registers.R15 = 15; s.Registers.Rip = 0x8123; s.Registers.Rflags = 0x246;
            // The legacy region is arbitrary but MXCSR's reserved upper half; the XSAVE header says x87, SSE, AVX.
            for (int i = 0; i < 512; i++) s.FpuState[i] = (byte)(i * 3);
            s.FpuState[26] = s.FpuState[27] = 0;
            s.FpuState[512] = 7;
            for (int i = 576; i < s.FpuState.Length; i++) s.FpuState[i] = (byte)(i * 5);
            s.Registers.Cr2 = 0xFFFF800012345000;
            s.Switched.Dr0 = 0x401000; s.Switched.Dr6 = 0xFFFF0FF1; s.Switched.Cr8 = 9; s.Switched.Xcr0 = 7;
            s.Msrs.TscAux = 0x12345678;
            s.Tsc = 0x0000_0123_4567_89AB;
            s.TscAdjust = 0xFFFF_FFFF_FFFF_F000;
            return s;
        }

        private static byte[] Export(AddressSpace memory, VcpuState state, out ulong total)
        {
            AddressSpace fork;
            Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out fork));
            var writer = new VmImageWriter("web1", "hello", 300, 25, state, fork);
            Assert.True(writer.Advance(int.MaxValue));
            total = writer.TotalBytes;
            var bytes = new byte[total];
            // Read in odd-sized pieces and at random offsets, as a resumed download would.
            var rng = new Random(3);
            for (ulong at = 0; at < total;)
            {
                int n = writer.Read(at, bytes, (int)at, Math.Min(rng.Next(1, 5000), (int)(total - at)));
                Assert.True(n > 0);
                at += (ulong)n;
            }
            var again = new byte[100];
            Assert.Equal(100, writer.Read(total / 2, again, 0, 100));
            Assert.Equal(bytes.AsSpan((int)(total / 2), 100).ToArray(), again);
            writer.Free();
            return bytes;
        }

        // Every byte of a prepared writer's image.
        private static byte[] ReadAll(VmImageWriter writer)
        {
            var bytes = new byte[writer.TotalBytes];
            for (ulong at = 0; at < writer.TotalBytes;) at += (ulong)writer.Read(at, bytes, (int)at, 4096);
            return bytes;
        }

        private static AddressSpace Patterned(CowPages pages, PageSharing sharing, ulong size)
        {
            AddressSpace memory;
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, sharing, size, out memory));
            var rng = new Random(5);
            for (ulong page = 0; page < size / 4096; page += (ulong)rng.Next(1, 9))
            {
                var bytes = new byte[rng.Next(1, 6000)];
                rng.NextBytes(bytes);
                ulong at = page * 4096 + (ulong)rng.Next(0, 4096);
                if (at + (ulong)bytes.Length <= size) Assert.True(memory.Write(at, bytes));
            }
            return memory;
        }

        [Fact]
        public void An_image_prepared_in_small_steps_is_the_same_as_one_prepared_at_once()
        {
            var (pages, sharing) = Host();
            AddressSpace memory = Patterned(pages, sharing, 2 << 20);
            VcpuState state = SampleState();
            byte[] expected = null;
            foreach (int step in new[] { int.MaxValue, 1, 7, 16, 300 })
            {
                Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out AddressSpace fork));
                var writer = new VmImageWriter("web1", "hello", 100, 0, state, fork);
                int steps = 0;
                var none = new byte[16];
                while (!writer.Advance(step))
                {
                    // Until it is ready the image has no size and no bytes, and the progress only grows.
                    Assert.False(writer.IsReady);
                    Assert.Equal(0UL, writer.TotalBytes);
                    Assert.Equal(0, writer.Read(0, none, 0, 16));
                    Assert.True(writer.DonePages <= writer.WorkPages);
                    Assert.True(writer.DonePages >= (ulong)Math.Min((long)step * ++steps, (long)writer.WorkPages) || step == int.MaxValue);
                }
                Assert.Equal(writer.WorkPages, writer.DonePages);
                // 512 pages to scan, then each page with content to hash: many steps when they are small.
                if (step == 1) Assert.True(steps > 512, steps.ToString());
                byte[] image = ReadAll(writer);
                if (expected == null) expected = image;
                else Assert.Equal(expected, image);
                writer.Free();
            }
        }

        [Fact]
        public void A_writer_abandoned_while_preparing_gives_its_memory_back()
        {
            var (pages, sharing) = Host();
            AddressSpace memory = Patterned(pages, sharing, 1 << 20);
            int before = pages.Outstanding;
            foreach (int steps in new[] { 0, 1, 40, 300 })
            {
                Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out AddressSpace fork));
                var writer = new VmImageWriter("web1", "hello", 100, 0, SampleState(), fork);
                for (int i = 0; i < steps; i++) writer.Advance(1);
                Assert.False(writer.IsReady);
                // The VM writes on meanwhile: the fork's copies of its pages are the writer's to give back too.
                Assert.True(memory.Write(0x3000 + (ulong)(steps % 200) * 4096, new byte[] { 1, 2, 3 }));
                writer.Free();
                memory.Write(0x3000 + (ulong)(steps % 200) * 4096, new byte[3]);
            }
            Assert.Equal(before, pages.Outstanding);
        }

        [Fact]
        public void A_vm_that_runs_on_or_is_removed_while_its_image_is_prepared_does_not_change_the_image()
        {
            var (pages, sharing) = Host();
            AddressSpace memory = Patterned(pages, sharing, 1 << 20);
            Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out AddressSpace once));
            var reference = new VmImageWriter("web1", "hello", 100, 0, SampleState(), once);
            Assert.True(reference.Advance(int.MaxValue));
            byte[] expected = ReadAll(reference);
            reference.Free();

            Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out AddressSpace fork));
            var writer = new VmImageWriter("web1", "hello", 100, 0, SampleState(), fork);
            writer.Advance(100);
            // Resumed: the guest writes pages already scanned and pages not yet scanned; then it is removed.
            var noise = new byte[4096 * 3];
            new Random(9).NextBytes(noise);
            Assert.True(memory.Write(0x10000, noise));
            Assert.True(memory.Write(0xF0000, noise));
            writer.Advance(200);
            memory.Free();
            while (!writer.Advance(50)) { }
            Assert.Equal(expected, ReadAll(writer));
            writer.Free();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void A_vm_survives_export_and_import_with_memory_registers_and_msrs_intact()
        {
            var (pages, sharing) = Host();
            AddressSpace memory;
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, sharing, 1 << 20, out memory));
            var pattern = new byte[5000];
            new Random(1).NextBytes(pattern);
            Assert.True(memory.Write(0x8000, pattern));
            Assert.True(memory.Write(0xFF000, new byte[] { 9, 8, 7 }));
            VcpuState state = SampleState();
            state.Msrs.Lstar = 0xFFFF800000001000;
            state.Msrs.Star = 5;

            byte[] image = Export(memory, state, out ulong total);
            // 256 pages of RAM but only 3 non-zero pages travel.
            Assert.True(total < 4 * 4096 + 2048, total.ToString());

            var reader = new VmImageReader(pages, sharing, total);
            var rng = new Random(2);
            for (int at = 0; at < image.Length;)
            {
                int n = Math.Min(rng.Next(1, 3000), image.Length - at);
                Assert.Equal(VmImageStatus.Ok, reader.Write((ulong)at, image, at, n));
                at += n;
            }
            Assert.Equal(VmImageStatus.Ok, reader.Finish());
            Assert.Equal("web1", reader.Name);
            Assert.Equal("hello", reader.Template);
            Assert.Equal((300u, 25u), (reader.CpuWeight, reader.CpuCapPercent));
            Assert.Equal(state.Values, reader.State.Values);
            Assert.Equal(state.FpuState, reader.State.FpuState);
            Assert.Equal(0x8123UL, reader.State.Registers.Rip);
            Assert.Equal(15UL, reader.State.Registers.R15);
            Assert.Equal(0xFFFF800012345000UL, reader.State.Registers.Cr2);
            for (int i = 0; i < SwitchedRegisters.Count; i++) Assert.Equal(state.Switched.Get(i), reader.State.Switched.Get(i));
            Assert.Equal(0x12345678UL, reader.State.Msrs.TscAux);
            Assert.Equal(0x0000_0123_4567_89ABUL, reader.State.Tsc);
            Assert.Equal(0xFFFF_FFFF_FFFF_F000UL, reader.State.TscAdjust);
            Assert.Equal(0xFFFF800000001000, reader.State.Msrs.Lstar);
            Assert.Equal(5UL, reader.State.Msrs.Star);
            var back = new byte[5000];
            Assert.True(reader.Memory.Read(0x8000, back));
            Assert.Equal(pattern, back);
            var all = new byte[1 << 20];
            var original = new byte[1 << 20];
            Assert.True(reader.Memory.Read(0, all));
            Assert.True(memory.Read(0, original));
            Assert.Equal(original, all);

            reader.Memory.Release();
            memory.Release();
            Assert.Equal(PinnedZeroPages, pages.Outstanding);
        }

        [Fact]
        public void A_version_2_image_without_cpu_settings_is_still_read_with_the_defaults()
        {
            var (pages, sharing) = Host();
            AddressSpace memory;
            AddressSpace.Create(pages, sharing, 64 * 1024, out memory);
            memory.Write(0x2000, new byte[] { 4, 5, 6 });
            byte[] v3 = Export(memory, SampleState(), out _);
            // Version 2: the same image without the bytes of weight and cap (version 3) and devices (version 4) before the
            // bitmap, its own digest.
            int cpuAt = VmImage.HeaderBytes(4, 5, 2);
            int cut = VmImage.HeaderBytes(4, 5, VmImage.Version) - cpuAt;
            var body = v3.Take(cpuAt).Concat(v3.Skip(cpuAt + cut).Take(v3.Length - cpuAt - cut - VmImage.DigestBytes)).ToArray();
            body[4] = 2;
            byte[] v2 = body.Concat(System.Security.Cryptography.SHA256.HashData(body)).ToArray();
            var reader = new VmImageReader(pages, sharing, (ulong)v2.Length);
            Assert.Equal(VmImageStatus.Ok, reader.Write(0, v2, 0, v2.Length));
            Assert.Equal(VmImageStatus.Ok, reader.Finish());
            Assert.Equal((VirtualMachine.DefaultCpuWeight, 0u), (reader.CpuWeight, reader.CpuCapPercent));
            Assert.Equal(0UL, reader.State.Tsc); // no TSC in the image: the guest continues on the host's
            var back = new byte[3];
            Assert.True(reader.Memory.Read(0x2000, back));
            Assert.Equal(new byte[] { 4, 5, 6 }, back);
            reader.Memory.Release();
            // A weight out of range is refused.
            byte[] bad = (byte[])v3.Clone();
            bad[cpuAt] = 0; bad[cpuAt + 1] = 0; // weight 0
            int digestAt = bad.Length - VmImage.DigestBytes;
            System.Security.Cryptography.SHA256.HashData(bad.AsSpan(0, digestAt)).CopyTo(bad, digestAt);
            var refused = new VmImageReader(pages, sharing, (ulong)bad.Length);
            Assert.Equal(VmImageStatus.Malformed, refused.Write(0, bad, 0, bad.Length));
            memory.Release();
            Assert.Equal(PinnedZeroPages, pages.Outstanding);
        }

        [Fact]
        public void Out_of_order_truncated_and_overlong_imports_are_refused()
        {
            var (pages, sharing) = Host();
            AddressSpace memory;
            AddressSpace.Create(pages, sharing, 64 * 1024, out memory);
            memory.Write(0, new byte[] { 1 });
            byte[] image = Export(memory, SampleState(), out ulong total);
            memory.Release();

            var reader = new VmImageReader(pages, sharing, total);
            Assert.Equal(VmImageStatus.WrongOffset, reader.Write(10, image, 10, 5));
            Assert.Equal(VmImageStatus.Ok, reader.Write(0, image, 0, 100));
            Assert.Equal(100UL, reader.NextOffset);
            Assert.Equal(VmImageStatus.WrongLength, reader.Finish());

            var tooLong = new VmImageReader(pages, sharing, total);
            Assert.Equal(VmImageStatus.WrongLength, tooLong.Write(0, new byte[total + 1], 0, (int)total + 1));
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void A_damaged_page_is_caught_by_the_digest()
        {
            var (pages, sharing) = Host();
            AddressSpace memory;
            AddressSpace.Create(pages, sharing, 64 * 1024, out memory);
            memory.Write(0x3000, new byte[] { 1, 2, 3 });
            byte[] image = Export(memory, SampleState(), out ulong total);
            memory.Release();
            image[image.Length - 40] ^= 0x10; // inside the last page, past every structural check
            var reader = new VmImageReader(pages, sharing, total);
            Assert.Equal(VmImageStatus.Ok, reader.Write(0, image, 0, image.Length));
            Assert.Equal(VmImageStatus.ChecksumMismatch, reader.Finish());
            Assert.Equal(PinnedZeroPages, pages.Outstanding);
        }

        [Fact]
        public void Ten_thousand_mutated_images_never_throw_and_never_leak()
        {
            var (pages, sharing) = Host();
            AddressSpace memory;
            AddressSpace.Create(pages, sharing, 64 * 1024, out memory);
            memory.Write(0x3000, new byte[] { 1, 2, 3 });
            byte[] image = Export(memory, SampleState(), out ulong total);
            memory.Release();
            var rng = new Random(7);
            for (int round = 0; round < 10000; round++)
            {
                byte[] bad = (byte[])image.Clone();
                int flips = rng.Next(1, 4);
                for (int f = 0; f < flips; f++) bad[rng.Next(Math.Min(bad.Length, 2000))] ^= (byte)rng.Next(1, 256);
                ulong declared = round % 7 == 0 ? total - (ulong)rng.Next(1, 100) : total;
                var reader = new VmImageReader(pages, sharing, declared);
                VmImageStatus s = reader.Write(0, bad, 0, (int)Math.Min((ulong)bad.Length, declared));
                if (s == VmImageStatus.Ok) s = reader.Finish();
                if (s == VmImageStatus.Ok) reader.Memory.Release();
            }
            Assert.Equal(PinnedZeroPages, pages.Outstanding);
        }
    }
}
