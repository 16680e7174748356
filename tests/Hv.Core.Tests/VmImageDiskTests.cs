using System;
using System.Linq;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests
{
    /// <summary>Export format 7: a VM's disk travels as a bitmap of its written 4 KiB pages and those pages only.</summary>
    public class VmImageDiskTests
    {
        // An imported VM's memory reads as zeros until written: its pool pins a zero page and a table mapping it, for good.
        private const int PinnedZeroPages = 2;
        private const ulong MiB = 1UL << 20;

        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;

        public VmImageDiskTests()
        {
            _sharing = new PageSharing(_pages, CowPages.Base, CowPages.Limit);
        }

        private static VcpuState State()
        {
            var s = new VcpuState();
            s.Registers.Rip = 0x8123; s.Registers.Rflags = 0x246;
            s.FpuState[512] = 7;
            return s;
        }

        private AddressSpace Memory()
        {
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(_pages, _sharing, 64 * 1024, out AddressSpace memory));
            Assert.True(memory.Write(0x2000, new byte[] { 4, 5, 6 }));
            return memory;
        }

        private DiskImage Disk(ulong bytes)
        {
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(_sharing, bytes / DiskImage.SectorSize, 1UL << 30, out DiskImage disk));
            return disk;
        }

        // The image of <memory> and <disk> (forks of both: the writer frees them), prepared in small steps.
        private static byte[] Export(AddressSpace memory, DiskImage disk)
        {
            Assert.Equal(AddressSpaceStatus.Ok, memory.Fork(out AddressSpace fork));
            DiskImage diskFork = null;
            if (disk != null) Assert.Equal(DiskStatus.Ok, disk.Fork(out diskFork));
            var writer = new VmImageWriter("db1", "linux", 100, 0, State(), fork, diskFork);
            while (!writer.Advance(3)) { }
            Assert.Equal(writer.WorkPages, writer.DonePages);
            var bytes = new byte[writer.TotalBytes];
            for (ulong at = 0; at < writer.TotalBytes;) at += (ulong)writer.Read(at, bytes, (int)at, 1000);
            writer.Free();
            return bytes;
        }

        private VmImageReader Import(byte[] image, out VmImageStatus status)
        {
            var reader = new VmImageReader(_pages, _sharing, (ulong)image.Length);
            status = VmImageStatus.Ok;
            for (int at = 0; at < image.Length && status == VmImageStatus.Ok; at += 777)
                status = reader.Write((ulong)at, image, at, Math.Min(777, image.Length - at));
            if (status == VmImageStatus.Ok) status = reader.Finish();
            return reader;
        }

        // The disk's size in an image of "db1" from "linux": before the network adapter's part, which ends the header.
        private static int DiskSizeAt => VmImage.HeaderBytes(3, 5, VmImage.Version) - VmImage.NetworkAdapterBytes(VmImage.Version) - 8;

        private static void Rehash(byte[] image)
        {
            int digestAt = image.Length - VmImage.DigestBytes;
            System.Security.Cryptography.SHA256.HashData(image.AsSpan(0, digestAt)).CopyTo(image, digestAt);
        }

        [Fact]
        public void A_disk_travels_with_its_written_pages_only_and_reads_back_the_same()
        {
            AddressSpace memory = Memory();
            DiskImage disk = Disk(16 * MiB);
            var pattern = new byte[6000];
            new Random(4).NextBytes(pattern);
            Assert.Equal(DiskStatus.Ok, disk.Write(3 * 4096 + 100, pattern));      // two pages
            Assert.Equal(DiskStatus.Ok, disk.Write(16 * MiB - 512, new byte[] { 0xEE })); // the last sector
            byte[] without = Export(memory, null);
            byte[] with = Export(memory, disk);
            // The disk costs its bitmap (a bit per 4 KiB: 512 bytes for 16 MiB) and its three written pages.
            Assert.Equal(without.Length + 512 + 3 * 4096, with.Length);

            VmImageReader reader = Import(with, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.NotNull(reader.Disk);
            Assert.Equal(16 * MiB, reader.Disk.SizeBytes);
            var all = new byte[16 * MiB];
            var original = new byte[16 * MiB];
            Assert.Equal(DiskStatus.Ok, reader.Disk.Read(0, all));
            Assert.Equal(DiskStatus.Ok, disk.Read(0, original));
            Assert.True(all.AsSpan().SequenceEqual(original));
            var back = new byte[3];
            Assert.True(reader.Memory.Read(0x2000, back));
            Assert.Equal(new byte[] { 4, 5, 6 }, back);
            reader.Free();
            disk.Free();
            memory.Release();
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }

        [Fact]
        public void A_disk_never_written_costs_its_bitmap_and_no_page()
        {
            AddressSpace memory = Memory();
            DiskImage disk = Disk(16 * MiB);
            byte[] without = Export(memory, null);
            byte[] with = Export(memory, disk);
            Assert.Equal(without.Length + 512, with.Length);
            VmImageReader reader = Import(with, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.Equal(0UL, reader.Disk.PrivatePages);
            Assert.Equal(DiskImage.SectorSize * 32768UL, reader.Disk.SizeBytes);
            reader.Free();
            // A VM without a disk imports without one.
            VmImageReader plain = Import(without, out status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.Null(plain.Disk);
            plain.Free();
            disk.Free();
            memory.Release();
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }

        [Fact]
        public void A_disk_whose_size_is_not_whole_pages_keeps_its_last_partial_page()
        {
            AddressSpace memory = Memory();
            DiskImage disk = Disk(4096 * 3 + 1024);
            Assert.Equal(DiskStatus.Ok, disk.Write(4096 * 3 + 1000, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 }));
            VmImageReader reader = Import(Export(memory, disk), out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            var back = new byte[24];
            Assert.Equal(DiskStatus.Ok, reader.Disk.Read(4096 * 3 + 1000, back));
            Assert.Equal(Enumerable.Range(1, 24).Select(i => (byte)i).ToArray(), back);
            reader.Free();
            disk.Free();
            memory.Release();
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }

        [Fact]
        public void A_version_6_image_without_the_disk_field_is_still_read()
        {
            AddressSpace memory = Memory();
            byte[] now = Export(memory, null);
            // Version 6: the same image without the disk size and what follows it before the bitmap (version 8's network
            // adapter), its own digest.
            int diskAt = VmImage.HeaderBytes(3, 5, 6);
            int cut = 8 + VmImage.NetworkAdapterBytes(VmImage.Version);
            var body = now.Take(diskAt).Concat(now.Skip(diskAt + cut).Take(now.Length - diskAt - cut - VmImage.DigestBytes)).ToArray();
            body[4] = 6;
            byte[] v6 = body.Concat(System.Security.Cryptography.SHA256.HashData(body)).ToArray();
            VmImageReader reader = Import(v6, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.Null(reader.Disk);
            var back = new byte[3];
            Assert.True(reader.Memory.Read(0x2000, back));
            Assert.Equal(new byte[] { 4, 5, 6 }, back);
            reader.Free();
            memory.Release();
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }

        [Fact]
        public void A_damaged_disk_page_an_oversized_disk_and_a_bit_past_the_disk_are_refused_without_leaks()
        {
            AddressSpace memory = Memory();
            DiskImage disk = Disk(4096 * 10);
            Assert.Equal(DiskStatus.Ok, disk.Write(4096 * 9, new byte[] { 9, 9, 9 }));
            byte[] image = Export(memory, disk);
            disk.Free();
            memory.Release();

            byte[] damaged = (byte[])image.Clone();
            damaged[damaged.Length - VmImage.DigestBytes - 4096] ^= 1; // the disk page's first byte
            Import(damaged, out VmImageStatus status).Free();
            Assert.Equal(VmImageStatus.ChecksumMismatch, status);

            int sizeAt = DiskSizeAt;
            Assert.Equal(10UL * 8, BitConverter.ToUInt64(image, sizeAt));
            byte[] huge = (byte[])image.Clone();
            BitConverter.GetBytes((Hypervisor.MaxMemorySize / 512) + 1).CopyTo(huge, sizeAt);
            Rehash(huge);
            Import(huge, out status).Free();
            Assert.Equal(VmImageStatus.Malformed, status);

            // Ten disk pages: bits 10..15 of the disk bitmap's second byte name no page.
            byte[] past = (byte[])image.Clone();
            int diskBitmapAt = VmImage.HeaderBytes(3, 5, VmImage.Version) + VmImage.BitmapBytes(64 * 1024);
            past[diskBitmapAt + 1] |= 0x04;
            Rehash(past);
            Import(past, out status).Free();
            Assert.Equal(VmImageStatus.Malformed, status);
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }

        [Fact]
        public void A_thousand_mutated_disk_images_never_throw_and_never_leak()
        {
            AddressSpace memory = Memory();
            DiskImage disk = Disk(64 * 4096);
            Assert.Equal(DiskStatus.Ok, disk.Write(4096 * 5, new byte[] { 1, 2, 3 }));
            byte[] image = Export(memory, disk);
            disk.Free();
            memory.Release();
            var rng = new Random(11);
            int headAndBitmaps = VmImage.HeaderBytes(3, 5, VmImage.Version) + VmImage.BitmapBytes(64 * 1024) + 8;
            for (int round = 0; round < 1000; round++)
            {
                byte[] bad = (byte[])image.Clone();
                // The disk's size, or the bitmaps.
                bad[round % 3 == 0 ? DiskSizeAt + rng.Next(8) : headAndBitmaps - 10 + rng.Next(10)] ^= (byte)rng.Next(1, 256);
                if (round % 2 == 0) Rehash(bad);
                VmImageReader reader = Import(bad, out _);
                reader.Free();
            }
            Assert.Equal(PinnedZeroPages, _pages.Outstanding);
        }
    }
}
