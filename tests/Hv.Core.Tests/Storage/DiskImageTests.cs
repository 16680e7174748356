using System;
using System.Collections.Generic;
using Hv.Core.Memory;
using Hv.Core.Storage;

namespace Hv.Core.Tests.Storage
{
    /// <summary>The in-memory disk: raw byte semantics, sparseness, O(1) copy-on-write forks with exact page accounting.</summary>
    public class DiskImageTests
    {
        private const ulong HostMemory = 1UL << 40;
        private const int Page = 4096;
        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;

        public DiskImageTests()
        {
            _sharing = _pages.NewSharing();
        }

        private DiskImage NewDisk(ulong sectors)
        {
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(_sharing, sectors, HostMemory, out DiskImage disk));
            return disk;
        }

        private static byte[] Pattern(int length, int seed)
        {
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        private static byte[] ReadBack(DiskImage disk, ulong offset, int length)
        {
            var bytes = new byte[length];
            Assert.Equal(DiskStatus.Ok, disk.Read(offset, bytes));
            return bytes;
        }

        [Fact]
        public void Create_checks_the_size_against_its_bound_and_host_memory()
        {
            Assert.Equal(DiskStatus.InvalidSize, DiskImage.Create(_sharing, 0, HostMemory, out _));
            Assert.Equal(DiskStatus.InvalidSize, DiskImage.Create(_sharing, DiskImage.MaxSectors + 1, HostMemory, out _));
            Assert.Equal(DiskStatus.TooLarge, DiskImage.Create(_sharing, 2049, 1 << 20, out _));
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(_sharing, 2048, 1 << 20, out _));
            Assert.Equal(DiskStatus.InvalidArgument, DiskImage.Create(null, 8, HostMemory, out _));
        }

        [Fact]
        public void A_new_disk_costs_no_page_and_reads_zeros()
        {
            DiskImage disk = NewDisk(DiskImage.MaxSectors);
            Assert.Equal(0, _pages.Outstanding);
            Assert.Equal(new byte[100], ReadBack(disk, disk.SizeBytes - 100, 100));
            Assert.Equal(0UL, disk.PrivatePages);
        }

        [Fact]
        public void Bytes_written_across_pages_read_back_and_only_touched_pages_are_allocated()
        {
            DiskImage disk = NewDisk(1 << 21); // 1 GiB = 2^18 pages: two table levels
            byte[] data = Pattern(3 * Page, 1);
            Assert.Equal(DiskStatus.Ok, disk.Write(5 * Page - 100, data));
            Assert.Equal(data, ReadBack(disk, 5 * Page - 100, data.Length));
            Assert.Equal(new byte[100], ReadBack(disk, 5 * Page - 200, 100));
            // Two levels of tables on one path, and four data pages.
            Assert.Equal(2 + 4, _pages.Outstanding);
            Assert.Equal(6UL, disk.PrivatePages);
        }

        [Fact]
        public void A_write_at_the_end_of_a_1_TiB_disk_costs_four_tables_and_one_page()
        {
            DiskImage disk = NewDisk(DiskImage.MaxSectors);
            Assert.Equal(DiskStatus.Ok, disk.Write(disk.SizeBytes - 512, Pattern(512, 2)));
            Assert.Equal(5, _pages.Outstanding);
        }

        [Fact]
        public void Accesses_past_the_end_are_refused_and_change_nothing()
        {
            DiskImage disk = NewDisk(16);
            Assert.Equal(DiskStatus.OutOfRange, disk.Write(16 * 512 - 1, new byte[2]));
            Assert.Equal(DiskStatus.OutOfRange, disk.Write(ulong.MaxValue, new byte[1]));
            Assert.Equal(DiskStatus.OutOfRange, disk.Read(8193, new byte[0]));
            Assert.Equal(DiskStatus.OutOfRange, disk.Discard(512, ulong.MaxValue));
            Assert.Equal(0, _pages.Outstanding);
            Assert.Equal(DiskStatus.Ok, disk.Read(8192, new byte[0]));
        }

        [Fact]
        public void Zeros_written_over_a_hole_leave_it_a_hole()
        {
            DiskImage disk = NewDisk(1 << 20);
            Assert.Equal(DiskStatus.Ok, disk.Write(0, new byte[64 * Page]));
            Assert.Equal(0, _pages.Outstanding);
            disk.Write(Page, new byte[] { 1 });
            Assert.Equal(DiskStatus.Ok, disk.Write(Page, new byte[1]));
            Assert.Equal(new byte[1], ReadBack(disk, Page, 1));
        }

        [Theory]
        [InlineData(1 << 20)]   // 1 MiB written
        [InlineData(16 << 20)]  // 16 MiB written
        public void Fork_takes_no_page_whatever_the_disk_holds(int written)
        {
            DiskImage disk = NewDisk(1 << 22);
            var chunk = Pattern(1 << 20, 3);
            for (int at = 0; at < written; at += chunk.Length)
                Assert.Equal(DiskStatus.Ok, disk.Write((ulong)at, chunk));
            long before = _pages.Allocations;
            Assert.Equal(DiskStatus.Ok, disk.Fork(out DiskImage fork));
            Assert.Equal(before, _pages.Allocations);
            Assert.Equal(0UL, fork.PrivatePages);
            Assert.Equal(0UL, disk.PrivatePages);
            Assert.Equal(chunk, ReadBack(fork, (ulong)written - (ulong)chunk.Length, chunk.Length));
        }

        [Fact]
        public void Clones_of_a_template_see_its_data_and_not_each_other()
        {
            DiskImage template = NewDisk(1 << 21);
            byte[] file = Pattern(10000, 4);
            template.Write(1 << 20, file);
            var clones = new DiskImage[3];
            for (int i = 0; i < clones.Length; i++)
                Assert.Equal(DiskStatus.Ok, template.Fork(out clones[i]));
            for (int i = 0; i < clones.Length; i++)
                clones[i].Write((1 << 20) + 100, new[] { (byte)(0xA0 + i) });
            for (int i = 0; i < clones.Length; i++)
            {
                byte[] seen = ReadBack(clones[i], 1 << 20, file.Length);
                Assert.Equal(0xA0 + i, seen[100]);
                seen[100] = file[100];
                Assert.Equal(file, seen);
            }
            Assert.Equal(file, ReadBack(template, 1 << 20, file.Length));
        }

        [Fact]
        public void The_first_write_to_a_fork_copies_only_the_path_and_the_page()
        {
            DiskImage disk = NewDisk(1 << 21);
            disk.Write(0, Pattern(64 * Page, 5));
            disk.Fork(out DiskImage fork);
            long before = _pages.Allocations;
            fork.Write(10 * Page + 7, new byte[] { 1, 2, 3 });
            Assert.Equal(2 + 1, _pages.Allocations - before); // two levels of tables and the data page
            Assert.Equal(3UL, fork.PrivatePages);
            // Each side now has its own root, table and page 10; the other 63 pages are shared by both tables.
            Assert.Equal(3UL, disk.PrivatePages);
        }

        [Fact]
        public void Restore_brings_the_snapshot_back_and_releases_what_was_written_since()
        {
            DiskImage disk = NewDisk(4096);
            byte[] before = Pattern(Page, 6);
            disk.Write(0, before);
            disk.Fork(out DiskImage snapshot);
            disk.Write(0, Pattern(8 * Page, 7));
            int outstanding = _pages.Outstanding;
            Assert.Equal(DiskStatus.Ok, disk.RestoreFrom(snapshot));
            Assert.Equal(before, ReadBack(disk, 0, Page));
            Assert.Equal(new byte[Page], ReadBack(disk, Page, Page));
            Assert.True(_pages.Outstanding < outstanding);
            disk.Write(0, new byte[] { 9 });
            Assert.Equal(before, ReadBack(snapshot, 0, Page));
            Assert.Equal(DiskStatus.InvalidArgument, disk.RestoreFrom(NewDisk(8)));
            // Restoring a disk from itself changes nothing.
            Assert.Equal(DiskStatus.Ok, snapshot.RestoreFrom(snapshot));
            Assert.Equal(before, ReadBack(snapshot, 0, Page));
        }

        [Fact]
        public void Releasing_every_fork_gives_every_page_back()
        {
            DiskImage disk = NewDisk(1 << 21);
            disk.Write(0, Pattern(20 * Page, 8));
            disk.Fork(out DiskImage a);
            a.Fork(out DiskImage b);
            a.Write(3 * Page, new byte[] { 1 });
            b.Discard(0, 8 * Page);
            disk.Release();
            Assert.Equal(DiskStatus.Released, disk.Read(0, new byte[1]));
            Assert.Equal(DiskStatus.Released, disk.Fork(out _));
            a.Release();
            b.Release();
            b.Release();
            Assert.Equal(0, _pages.Outstanding);
        }

        [Fact]
        public void Running_out_of_pages_fails_the_write_and_keeps_the_old_bytes()
        {
            DiskImage disk = NewDisk(1 << 21);
            byte[] old = Pattern(Page, 9);
            disk.Write(0, old);
            disk.Fork(out DiskImage fork);
            int outstanding = _pages.Outstanding;
            _pages.Budget = 2; // a write below a shared root needs four
            Assert.Equal(DiskStatus.OutOfMemory, fork.Write(0, new byte[] { 1 }));
            Assert.Equal(outstanding, _pages.Outstanding);
            Assert.Equal(old, ReadBack(fork, 0, Page));
            _pages.Budget = long.MaxValue;
            Assert.Equal(DiskStatus.Ok, fork.Write(0, new byte[] { 1 }));
        }

        [Fact]
        public void Discard_frees_whole_pages_zeroes_partial_ones_and_leaves_forks_alone()
        {
            DiskImage disk = NewDisk(1 << 21);
            byte[] data = Pattern(16 * Page, 10);
            disk.Write(0, data);
            disk.Fork(out DiskImage fork);
            Assert.Equal(DiskStatus.Ok, disk.Discard(Page + 100, 10 * Page));
            Assert.Equal(data.AsSpan(0, Page + 100).ToArray(), ReadBack(disk, 0, Page + 100));
            Assert.Equal(new byte[10 * Page], ReadBack(disk, Page + 100, 10 * Page));
            Assert.Equal(data.AsSpan(11 * Page + 100).ToArray(), ReadBack(disk, 11 * Page + 100, 5 * Page - 100));
            Assert.Equal(data, ReadBack(fork, 0, data.Length));
            // Pages 2..10 are gone from the disk; its root, table and pages 1 and 11 (zeroed in part) are its own;
            // pages 0 and 12-15 are still shared with the fork.
            Assert.Equal(4UL, disk.PrivatePages);
            long before = _pages.Allocations;
            Assert.Equal(DiskStatus.Ok, disk.Discard(1UL << 29, 1UL << 29)); // nothing there
            Assert.Equal(before, _pages.Allocations);
        }

        [Fact]
        public void NextData_walks_the_data_and_skips_holes()
        {
            DiskImage disk = NewDisk(DiskImage.MaxSectors);
            Assert.Equal(disk.SizeBytes, disk.NextData(0));
            disk.Write(5UL << 30, new byte[] { 1 });
            disk.Write((300UL << 30) + 10, new byte[] { 1 });
            Assert.Equal(5UL << 30, disk.NextData(0));
            Assert.Equal((5UL << 30) + 9, disk.NextData((5UL << 30) + 9));
            Assert.Equal(300UL << 30, disk.NextData((5UL << 30) + Page));
            Assert.Equal(disk.SizeBytes, disk.NextData((300UL << 30) + Page));
        }

        [Fact]
        public void Random_operations_on_forks_match_a_model_and_leak_nothing()
        {
            var random = new Random(11);
            const ulong Sectors = 1 << 24; // 8 GiB = 2^21 pages: three levels, touched in three far-apart 256 KiB clusters
            const int Cluster = 256 << 10;
            ulong[] clusters = { 0, 1UL << 32, (Sectors * 512) - Cluster };
            // The model of a disk is its three clusters, back to back.
            var disks = new List<(DiskImage Disk, byte[] Model)> { (NewDisk(Sectors), new byte[3 * Cluster]) };
            var buffer = new byte[3 * Page];
            for (int step = 0; step < 2500; step++)
            {
                int which = random.Next(disks.Count);
                var (disk, model) = disks[which];
                int cluster = random.Next(3);
                int within = random.Next(Cluster - buffer.Length);
                ulong offset = clusters[cluster] + (ulong)within;
                Span<byte> modelPart = model.AsSpan(cluster * Cluster + within, random.Next(1, buffer.Length));
                Span<byte> part = buffer.AsSpan(0, modelPart.Length);
                switch (random.Next(10))
                {
                    case < 5:
                        random.NextBytes(buffer);
                        if (random.Next(4) == 0) part.Clear();
                        Assert.Equal(DiskStatus.Ok, disk.Write(offset, part));
                        part.CopyTo(modelPart);
                        break;
                    case 5:
                        Assert.Equal(DiskStatus.Ok, disk.Discard(offset, (ulong)part.Length));
                        modelPart.Clear();
                        break;
                    case 6 when disks.Count < 6:
                        Assert.Equal(DiskStatus.Ok, disk.Fork(out DiskImage fork));
                        disks.Add((fork, (byte[])model.Clone()));
                        break;
                    case 7 when disks.Count > 1:
                        var (source, sourceModel) = disks[random.Next(disks.Count)];
                        Assert.Equal(DiskStatus.Ok, disk.RestoreFrom(source));
                        disks[which] = (disk, (byte[])sourceModel.Clone());
                        break;
                    case 8 when disks.Count > 1:
                        disk.Release();
                        disks.RemoveAt(which);
                        break;
                    default:
                        Assert.Equal(DiskStatus.Ok, disk.Read(offset, part));
                        Assert.True(part.SequenceEqual(modelPart), $"step {step}: disk differs from its model");
                        break;
                }
            }
            var whole = new byte[Cluster];
            foreach (var (disk, model) in disks)
            {
                for (int c = 0; c < 3; c++)
                {
                    Assert.Equal(DiskStatus.Ok, disk.Read(clusters[c], whole));
                    Assert.True(whole.AsSpan().SequenceEqual(model.AsSpan(c * Cluster, Cluster)));
                }
                disk.Release();
            }
            Assert.Equal(0, _pages.Outstanding);
        }
    }
}
