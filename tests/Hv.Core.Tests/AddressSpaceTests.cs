using System;
using System.Collections.Generic;
using System.Linq;
using Hv.Core.Memory;
using Xunit.Abstractions;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Checks of the copy-on-write structures from the outside, by walking the tables as the CPU would.
    /// </summary>
    internal static class CowCheck
    {
        /// <summary>
        /// Asserts, over every live space together: (1) W=1 on an entry only when its child has count 1;
        /// (2) each page's count equals the number of distinct present entries that point at it (each distinct
        /// table counted once) plus one per root; (3) every outstanding page of the source is reachable, so
        /// nothing leaked; (4) every leaf is a 4 KiB WB/ignore-PAT RX(W) page and [0, Size) is fully mapped.
        /// </summary>
        public static void Consistent(CowPages pages, PageSharing sharing, IEnumerable<AddressSpace> spaces)
        {
            var references = new Dictionary<ulong, long>();
            var visitedTables = new HashSet<ulong>();
            foreach (var space in spaces)
            {
                if (space == null || space.IsReleased)
                    continue;
                ulong root = space.Eptp & EptEntry.AddressMask;
                Assert.Equal(space.Eptp, root | 6UL | (3UL << 3));
                Assert.Equal(1u, sharing.Count(root));
                Add(references, root);
                long leaves = Walk(pages, sharing, root, 0, 0, references, visitedTables, space.Size);
                Assert.Equal((long)(space.Size >> 12), leaves);
            }
            foreach (var pair in references)
                Assert.True(pair.Value == sharing.Count(pair.Key), $"page 0x{pair.Key:X}: {pair.Value} references, count {sharing.Count(pair.Key)}");
            Assert.Equal(references.Count, pages.Outstanding);
            Assert.Equal((ulong)references.Count, sharing.LivePages);
        }

        private static long Walk(CowPages pages, PageSharing sharing, ulong table, int level, ulong gpaBase,
            Dictionary<ulong, long> references, HashSet<ulong> visited, ulong size)
        {
            // A table reached from several spaces is walked (and its entries counted) once: its entries are
            // references held by the table, not by each space.
            if (!visited.Add(table))
                return CountLeaves(pages, table, level, gpaBase, size);
            long leaves = 0;
            Span<byte> data = pages.Page(table);
            for (int i = 0; i < 512; i++)
            {
                ulong entry = LittleEndian.ReadUInt64(data, i * 8);
                ulong gpa = gpaBase + ((ulong)i << (39 - 9 * level));
                if (!EptEntry.IsPresent(entry))
                {
                    Assert.Equal(0UL, entry);
                    continue;
                }
                Assert.True(gpa < size, $"entry for 0x{gpa:X} beyond the RAM");
                ulong child = EptEntry.Address(entry);
                Assert.True(pages.IsOutstanding(child), $"entry points at freed page 0x{child:X}");
                uint count = sharing.Count(child);
                Assert.True(count >= 1);
                if ((entry & EptEntry.Write) != 0)
                    Assert.True(count == 1, $"W=1 entry at level {level} for GPA 0x{gpa:X} points at a page with count {count}");
                Assert.True((entry & EptEntry.Read) != 0 && (entry & EptEntry.Execute) != 0);
                Add(references, child);
                if (level < 3)
                {
                    Assert.Equal(0UL, entry & ~(EptEntry.AddressMask | EptEntry.PermissionMask));
                    leaves += Walk(pages, sharing, child, level + 1, gpa, references, visited, size);
                }
                else
                {
                    Assert.Equal(EptMemoryType.WriteBack, EptEntry.MemoryType(entry));
                    Assert.True((entry & EptEntry.IgnorePat) != 0);
                    Assert.False(EptEntry.IsLarge(entry));
                    leaves++;
                }
            }
            return leaves;
        }

        private static long CountLeaves(CowPages pages, ulong table, int level, ulong gpaBase, ulong size)
        {
            long leaves = 0;
            Span<byte> data = pages.Page(table);
            for (int i = 0; i < 512; i++)
            {
                ulong entry = LittleEndian.ReadUInt64(data, i * 8);
                if (!EptEntry.IsPresent(entry))
                    continue;
                leaves += level < 3 ? CountLeaves(pages, EptEntry.Address(entry), level + 1, 0, size) : 1;
            }
            return leaves;
        }

        private static void Add(Dictionary<ulong, long> references, ulong page)
        {
            references.TryGetValue(page, out long n);
            references[page] = n + 1;
        }

        /// <summary>The whole RAM of a space, read through its host-side accessor.</summary>
        public static byte[] Contents(AddressSpace space)
        {
            var data = new byte[space.Size];
            Assert.True(space.Read(0, data));
            return data;
        }
    }

    public class AddressSpaceTests
    {
        private const ulong KiB = 1024;
        private const ulong MiB = 1024 * 1024;
        private readonly ITestOutputHelper _output;

        public AddressSpaceTests(ITestOutputHelper output) { _output = output; }

        private static AddressSpace NewSpace(CowPages pages, PageSharing sharing, ulong size)
        {
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, sharing, size, out AddressSpace space));
            return space;
        }

        private static AddressSpace ForkOf(AddressSpace space)
        {
            Assert.Equal(AddressSpaceStatus.Ok, space.Fork(out AddressSpace fork));
            return fork;
        }

        private static byte[] Bytes(int length, int seed)
        {
            var data = new byte[length];
            new Random(seed).NextBytes(data);
            return data;
        }

        private static byte[] ReadBack(AddressSpace space, ulong gpa, int length)
        {
            var data = new byte[length];
            Assert.True(space.Read(gpa, data));
            return data;
        }

        [Fact]
        public void Create_maps_every_page_private_zeroed_and_writable_with_exact_page_count()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong size = 4 * MiB + 8 * KiB;
            var space = NewSpace(pages, sharing, size);
            // 1 PML4 + 1 PDPT + 1 PD + 3 PTs + 1026 pages.
            Assert.Equal(1 + 1 + 1 + 3 + 1026, pages.Outstanding);
            Assert.Equal((ulong)pages.Outstanding, space.TotalPages);
            Assert.Equal(space.TotalPages, space.PrivatePages);
            Assert.Equal(0UL, space.SharedPages);
            Assert.Equal(size, space.Size);
            CowCheck.Consistent(pages, sharing, new[] { space });

            var seen = new HashSet<ulong>();
            for (ulong gpa = 0; gpa < size; gpa += 4096)
            {
                Assert.True(space.Translate(gpa + 5, out ulong hpa, out bool writable));
                Assert.True(writable);
                Assert.Equal(5UL, hpa & 0xFFF);
                Assert.True(seen.Add(hpa & ~0xFFFUL));
            }
            Assert.False(space.Translate(size, out _, out _));
            Assert.All(CowCheck.Contents(space), b => Assert.Equal(0, b));
            Assert.True(space.TakeFlush());
            Assert.False(space.TakeFlush());

            space.Release();
            Assert.Equal(0, pages.Outstanding);
            Assert.True(space.IsReleased);
            Assert.Equal(0UL, space.Eptp);
            space.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void IsZeroPage_sees_one_byte_anywhere_in_the_page_and_only_takes_whole_pages_inside_the_ram()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var space = NewSpace(pages, sharing, 64 * KiB);
            Assert.True(space.IsZeroPage(0));
            Assert.True(space.Write(0x3FFF, new byte[] { 1 }));
            Assert.True(space.Write(0x5000, new byte[] { 2 }));
            for (ulong gpa = 0; gpa < 64 * KiB; gpa += 4096) Assert.Equal(gpa != 0x3000 && gpa != 0x5000, space.IsZeroPage(gpa));
            // A fork reads the same pages: the same answers, and a write on either side is seen by that side only.
            Assert.Equal(AddressSpaceStatus.Ok, space.Fork(out AddressSpace fork));
            Assert.False(fork.IsZeroPage(0x3000));
            Assert.True(fork.Write(0x3FFF, new byte[] { 0 }));
            Assert.True(fork.IsZeroPage(0x3000));
            Assert.False(space.IsZeroPage(0x3000));
            Assert.False(space.IsZeroPage(0x1001));
            Assert.False(space.IsZeroPage(64 * KiB));
            Assert.False(space.IsZeroPage(ulong.MaxValue & ~0xFFFUL));
            fork.Release();
            space.Release();
            Assert.False(space.IsZeroPage(0));
            Assert.Equal(0, pages.Outstanding);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(4095UL)]
        [InlineData(4097UL)]
        [InlineData((4UL << 30) + 4096)]
        public void Create_refuses_bad_sizes(ulong size)
        {
            var pages = new CowPages();
            Assert.Equal(AddressSpaceStatus.InvalidSize, AddressSpace.Create(pages, pages.NewSharing(), size, out var space));
            Assert.Null(space);
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Create_refuses_a_sharing_over_another_source()
        {
            var pages = new CowPages();
            var other = new CowPages();
            Assert.Equal(AddressSpaceStatus.InvalidArgument, AddressSpace.Create(pages, other.NewSharing(), 4096, out _));
            Assert.Equal(AddressSpaceStatus.InvalidArgument, AddressSpace.Create(pages, null, 4096, out _));
        }

        [Fact]
        public void Create_is_all_or_nothing_at_every_allocation()
        {
            ulong size = 2 * MiB + 12 * KiB; // 515 pages, 2 PTs: 1 + 1 + 1 + 2 + 515 = 520 allocations
            for (int budget = 0; budget < 520; budget += budget < 10 ? 1 : 37)
            {
                var pages = new CowPages { Budget = budget };
                var sharing = pages.NewSharing();
                Assert.Equal(AddressSpaceStatus.OutOfMemory, AddressSpace.Create(pages, sharing, size, out var space));
                Assert.Null(space);
                Assert.Equal(0, pages.Outstanding);
                Assert.Equal(0UL, sharing.LivePages);
            }
            var enough = new CowPages { Budget = 520 };
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(enough, enough.NewSharing(), size, out var ok));
            ok.Release();
            Assert.Equal(0, enough.Outstanding);
        }

        [Fact]
        public void Read_and_write_are_all_or_nothing_and_cross_pages()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong size = 64 * KiB;
            var space = NewSpace(pages, sharing, size);
            byte[] data = Bytes(10000, 1);
            Assert.True(space.Write(4000, data));
            Assert.Equal(data, ReadBack(space, 4000, data.Length));

            Assert.True(space.Write(size - 3, new byte[] { 1, 2, 3 }));
            Assert.Equal(new byte[] { 1, 2, 3 }, ReadBack(space, size - 3, 3));
            Assert.True(space.Write(size, ReadOnlySpan<byte>.Empty));
            Assert.True(space.Read(size, Span<byte>.Empty));

            Assert.False(space.Write(size - 2, new byte[] { 9, 9, 9 }));
            Assert.Equal(new byte[] { 2, 3 }, ReadBack(space, size - 2, 2));
            var buffer = new byte[] { 7, 7, 7 };
            Assert.False(space.Read(size - 2, buffer));
            Assert.Equal(new byte[] { 7, 7, 7 }, buffer);
            Assert.False(space.Read(ulong.MaxValue - 1, buffer));
            Assert.False(space.Write(ulong.MaxValue - 1, buffer));
            Assert.False(space.Write(size + 1, ReadOnlySpan<byte>.Empty));

            space.Release();
            Assert.False(space.Read(0, buffer));
            Assert.False(space.Write(0, buffer));
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Fork_allocates_one_page_whatever_the_size_and_copies_no_data()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var allocated = new Dictionary<ulong, long>();
            foreach (ulong size in new[] { 16 * MiB, 256 * MiB })
            {
                var space = NewSpace(pages, sharing, size);
                Assert.True(space.Write(size - 4096, new byte[] { 0x5A }));
                long before = pages.Allocations;
                var fork = ForkOf(space);
                allocated[size] = pages.Allocations - before;

                // Both sides translate every sampled page to the same host page, read-only.
                for (ulong gpa = 0; gpa < size; gpa += 1 * MiB + 4096)
                {
                    Assert.True(space.Translate(gpa, out ulong a, out bool wa));
                    Assert.True(fork.Translate(gpa, out ulong b, out bool wb));
                    Assert.Equal(a, b);
                    Assert.False(wa);
                    Assert.False(wb);
                }
                Assert.Equal(new byte[] { 0x5A }, ReadBack(fork, size - 4096, 1));
                Assert.Equal(1UL, fork.PrivatePages);
                Assert.Equal(1UL, space.PrivatePages);
                Assert.Equal(fork.TotalPages - 1, fork.SharedPages);
                Assert.True(space.FlushPending);
                _output.WriteLine($"fork of {size / MiB} MiB: {allocated[size]} page(s) allocated; private pages of the fork {fork.PrivatePages}, shared {fork.SharedPages}");
                fork.Release();
                space.Release();
                Assert.Equal(0, pages.Outstanding);
            }
            Assert.Equal(1, allocated[16 * MiB]);
            Assert.Equal(1, allocated[256 * MiB]);
        }

        [Fact]
        public void Private_pages_grow_by_the_tables_and_page_copied_on_each_first_write()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var template = NewSpace(pages, sharing, 16 * MiB);
            var fork = ForkOf(template);
            Assert.Equal(1UL, fork.PrivatePages);

            long before = pages.Allocations;
            Assert.Equal(EptFaultResult.Resolved, fork.ResolveWrite(0x1234));
            Assert.Equal(4, pages.Allocations - before); // PDPT, PD, PT, page
            Assert.Equal(5UL, fork.PrivatePages);
            Assert.True(fork.Translate(0x1234, out _, out bool writable));
            Assert.True(writable);

            // Same PT: only the page.
            Assert.Equal(EptFaultResult.Resolved, fork.ResolveWrite(0x5000));
            Assert.Equal(6UL, fork.PrivatePages);
            // Second write to a private page: nothing copied.
            before = pages.Allocations;
            Assert.True(fork.Write(0x5008, new byte[] { 1, 2 }));
            Assert.Equal(0, pages.Allocations - before);
            Assert.Equal(6UL, fork.PrivatePages);
            // Another 2 MiB region: its PT and the page.
            Assert.Equal(EptFaultResult.Resolved, fork.ResolveWrite(4 * MiB));
            Assert.Equal(8UL, fork.PrivatePages);
            Assert.Equal(fork.TotalPages - 8, fork.SharedPages);

            // Mirror image: every table and page the fork copied away is the template's alone again.
            Assert.Equal(8UL, template.PrivatePages);
            CowCheck.Consistent(pages, sharing, new[] { template, fork });
            fork.Release();
            // Now everything is the template's again.
            Assert.Equal(template.TotalPages, template.PrivatePages);
            template.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Fifty_forks_each_see_only_their_own_writes_and_the_original_is_unchanged()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong size = 3 * MiB;
            var original = NewSpace(pages, sharing, size);
            byte[] image = Bytes((int)size, 42);
            Assert.True(original.Write(0, image));

            ulong[] addresses = { 0, 4095, 0x1FFFFF, 0x200000, size - 1 };
            var forks = new AddressSpace[50];
            for (int i = 0; i < forks.Length; i++)
            {
                forks[i] = ForkOf(original);
                foreach (ulong gpa in addresses)
                    Assert.True(forks[i].Write(gpa, new[] { (byte)(i + 1) }));
            }
            CowCheck.Consistent(pages, sharing, forks.Append(original));
            for (int i = 0; i < forks.Length; i++)
            {
                byte[] expected = (byte[])image.Clone();
                foreach (ulong gpa in addresses)
                {
                    Assert.Equal(new[] { (byte)(i + 1) }, ReadBack(forks[i], gpa, 1));
                    expected[gpa] = (byte)(i + 1);
                }
                if (i % 10 == 0)
                    Assert.Equal(expected, CowCheck.Contents(forks[i]));
            }
            Assert.Equal(image, CowCheck.Contents(original));

            foreach (var fork in forks)
                fork.Release();
            CowCheck.Consistent(pages, sharing, new[] { original });
            Assert.Equal(original.TotalPages, original.PrivatePages);
            Assert.Equal(image, CowCheck.Contents(original));
            original.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Snapshot_keeps_old_bytes_and_restore_brings_them_back()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var vm = NewSpace(pages, sharing, 1 * MiB);
            Assert.True(vm.Write(0x3000, new byte[] { 1, 2, 3, 4 }));
            var snapshot = ForkOf(vm);                    // Checkpoint
            Assert.True(vm.Write(0x3000, new byte[] { 9, 9 }));
            Assert.True(vm.Write(0x80000, new byte[] { 7 }));
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, ReadBack(snapshot, 0x3000, 4));
            Assert.Equal(new byte[] { 9, 9, 3, 4 }, ReadBack(vm, 0x3000, 4));

            // Restore by hand: drop the VM's space, fork the snapshot.
            vm.Release();
            vm = ForkOf(snapshot);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, ReadBack(vm, 0x3000, 4));
            Assert.Equal(new byte[] { 0 }, ReadBack(vm, 0x80000, 1));
            CowCheck.Consistent(pages, sharing, new[] { vm, snapshot });

            // Restore in place (the VM keeps its object); a second restore after more writes.
            Assert.True(vm.Write(0x3000, new byte[] { 5 }));
            ulong eptp = vm.Eptp;
            vm.TakeFlush();
            Assert.Equal(AddressSpaceStatus.Ok, vm.RestoreFrom(snapshot));
            Assert.NotEqual(eptp, vm.Eptp);
            Assert.True(vm.TakeFlush());
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, ReadBack(vm, 0x3000, 4));
            Assert.Equal(1UL, vm.PrivatePages);
            CowCheck.Consistent(pages, sharing, new[] { vm, snapshot });

            // Restore that runs dry leaves the VM as it was.
            Assert.True(vm.Write(0x3000, new byte[] { 6 }));
            pages.Budget = 0;
            Assert.Equal(AddressSpaceStatus.OutOfMemory, vm.RestoreFrom(snapshot));
            Assert.Equal(new byte[] { 6 }, ReadBack(vm, 0x3000, 1));
            CowCheck.Consistent(pages, sharing, new[] { vm, snapshot });
            pages.Budget = long.MaxValue;

            snapshot.Release();
            Assert.Equal(AddressSpaceStatus.Released, vm.RestoreFrom(snapshot));
            Assert.Equal(AddressSpaceStatus.Released, snapshot.Fork(out var none));
            Assert.Null(none);
            Assert.Equal(new byte[] { 6, 2, 3, 4 }, ReadBack(vm, 0x3000, 4));
            vm.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        public static IEnumerable<object[]> ReleaseOrders()
        {
            // Every order of releasing the 4 spaces of a chain.
            var items = new[] { 0, 1, 2, 3 };
            foreach (var a in items)
                foreach (var b in items.Where(x => x != a))
                    foreach (var c in items.Where(x => x != a && x != b))
                        foreach (var d in items.Where(x => x != a && x != b && x != c))
                            yield return new object[] { new[] { a, b, c, d } };
        }

        [Theory]
        [MemberData(nameof(ReleaseOrders))]
        public void Chains_of_forks_release_in_any_order_without_leak_or_double_free(int[] order)
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            ulong size = 2 * MiB + 64 * KiB;
            var chain = new AddressSpace[4];
            var models = new byte[4][];
            chain[0] = NewSpace(pages, sharing, size);
            models[0] = new byte[size];
            for (int i = 0; i < 4; i++)
            {
                if (i > 0)
                {
                    chain[i] = ForkOf(chain[i - 1]);
                    models[i] = (byte[])models[i - 1].Clone();
                }
                // Each generation writes some shared and some new places, in both halves of the RAM.
                foreach (ulong gpa in new ulong[] { 0x10, 0x1000 * (ulong)(i + 1), 0x200000 + (ulong)i, size - 1 - (ulong)i })
                {
                    byte value = (byte)(0x10 * (i + 1) + (int)(gpa & 0xF));
                    Assert.True(chain[i].Write(gpa, new[] { value }));
                    models[i][gpa] = value;
                }
                // The parent writes after forking too.
                if (i > 0)
                {
                    Assert.True(chain[i - 1].Write(0x20, new byte[] { (byte)(0xA0 + i) }));
                    models[i - 1][0x20] = (byte)(0xA0 + i);
                }
            }
            CowCheck.Consistent(pages, sharing, chain);

            var live = new List<int> { 0, 1, 2, 3 };
            foreach (int victim in order)
            {
                chain[victim].Release();
                live.Remove(victim);
                CowCheck.Consistent(pages, sharing, chain);
                foreach (int survivor in live)
                    Assert.Equal(models[survivor], CowCheck.Contents(chain[survivor]));
            }
            Assert.Equal(0, pages.Outstanding);
            Assert.Equal(0UL, sharing.LivePages);
        }

        [Fact]
        public void Resolve_outside_the_ram_is_not_ram()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var space = NewSpace(pages, sharing, 1 * MiB);
            long before = pages.Allocations;
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(1 * MiB));
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(0xFEE0_0000));
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(ulong.MaxValue));
            Assert.Equal(before, pages.Allocations);
            Assert.Equal(EptFaultResult.Resolved, space.ResolveWrite(1 * MiB - 1));
            Assert.Equal(before, pages.Allocations);
            space.Release();
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(0));
        }

        [Fact]
        public void Resolve_that_runs_dry_at_any_point_changes_nothing_and_succeeds_later()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var template = NewSpace(pages, sharing, 4 * MiB);
            Assert.True(template.Write(0x201000, new byte[] { 0x11 }));
            var fork = ForkOf(template);
            // The fork's first write needs 4 pages; fail at each of them.
            for (int budget = 0; budget < 4; budget++)
            {
                int outstanding = pages.Outstanding;
                ulong forkPrivate = fork.PrivatePages;
                pages.Budget = budget;
                Assert.Equal(EptFaultResult.OutOfMemory, fork.ResolveWrite(0x201000));
                Assert.Equal(outstanding, pages.Outstanding);
                Assert.Equal(forkPrivate, fork.PrivatePages);
                Assert.True(fork.Translate(0x201000, out _, out bool writable));
                Assert.False(writable);
                CowCheck.Consistent(pages, sharing, new[] { template, fork });
                // The host-side write is refused the same way and leaves the bytes alone.
                pages.Budget = budget;
                Assert.False(fork.Write(0x201000, new byte[] { 0x22 }));
                Assert.Equal(new byte[] { 0x11 }, ReadBack(fork, 0x201000, 1));
                Assert.Equal(outstanding, pages.Outstanding);
            }
            pages.Budget = long.MaxValue;
            Assert.Equal(EptFaultResult.Resolved, fork.ResolveWrite(0x201000));
            Assert.True(fork.Translate(0x201000, out _, out bool now));
            Assert.True(now);
            Assert.True(fork.Write(0x201000, new byte[] { 0x22 }));
            Assert.Equal(new byte[] { 0x11 }, ReadBack(template, 0x201000, 1));

            // The template's own first write after the fork: the fork copied the PDPT and PD away, so those are
            // the template's alone again (behind W=0 entries); the PT for [0, 2 MiB) and its pages are still shared.
            int before = pages.Outstanding;
            for (int budget = 0; budget < 2; budget++)
            {
                pages.Budget = budget;
                Assert.Equal(EptFaultResult.OutOfMemory, template.ResolveWrite(0x3000));
                Assert.Equal(before, pages.Outstanding);
                CowCheck.Consistent(pages, sharing, new[] { template, fork });
            }
            pages.Budget = long.MaxValue;
            Assert.Equal(EptFaultResult.Resolved, template.ResolveWrite(0x3000));
            Assert.Equal(before + 2, pages.Outstanding); // PT, page
            Assert.True(template.Translate(0x3000, out _, out bool templateWritable));
            Assert.True(templateWritable);
            CowCheck.Consistent(pages, sharing, new[] { template, fork });

            // A host write spanning several shared pages: dry in the middle writes nothing.
            var second = ForkOf(template);
            byte[] data = Bytes(3 * 4096, 5);
            byte[] old = ReadBack(second, 0x2000, data.Length);
            pages.Budget = 5; // PDPT, PD, PT, page, page: the third page fails
            Assert.False(second.Write(0x2000, data));
            Assert.Equal(old, ReadBack(second, 0x2000, data.Length));
            CowCheck.Consistent(pages, sharing, new[] { template, fork, second });
            pages.Budget = long.MaxValue;
            Assert.True(second.Write(0x2000, data));
            Assert.Equal(data, ReadBack(second, 0x2000, data.Length));
            Assert.Equal(old, ReadBack(template, 0x2000, data.Length));

            pages.Budget = 0;
            Assert.Equal(AddressSpaceStatus.OutOfMemory, template.Fork(out var none));
            Assert.Null(none);
            pages.Budget = long.MaxValue;

            second.Release();
            fork.Release();
            template.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Flush_is_pending_after_fork_for_the_original_and_after_every_resolve()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var space = NewSpace(pages, sharing, 1 * MiB);
            Assert.True(space.TakeFlush()); // new root
            Assert.True(space.Write(0x1000, new byte[] { 1 }));
            Assert.False(space.TakeFlush()); // private page: nothing cached changed

            var fork = ForkOf(space);
            Assert.True(space.TakeFlush());
            Assert.True(fork.TakeFlush());

            Assert.True(space.Write(0x1000, new byte[] { 2 }));
            Assert.True(space.TakeFlush());
            Assert.Equal(EptFaultResult.Resolved, space.ResolveWrite(0x1000));
            Assert.True(space.TakeFlush());
            Assert.Equal(EptFaultResult.NotRam, space.ResolveWrite(2 * MiB));
            Assert.False(space.TakeFlush());
            fork.Release();
            space.Release();
            Assert.Equal(0, pages.Outstanding);
        }

        [Fact]
        public void Clones_of_a_primed_template_measure_up_to_the_targets()
        {
            // 1,000 clones of a 1 MiB template, each writing 16 pages (64 KiB) as an idle guest might,
            // on a host of 512 MiB (131,072 pages).
            var pages = new CowPages { Budget = 131072 };
            var sharing = pages.NewSharing();
            var template = NewSpace(pages, sharing, 1 * MiB);
            Assert.True(template.Write(0, Bytes((int)(1 * MiB), 3)));
            var clones = new AddressSpace[1000];
            for (int i = 0; i < clones.Length; i++)
            {
                clones[i] = ForkOf(template);
                for (int p = 0; p < 16; p++)
                    Assert.Equal(EptFaultResult.Resolved, clones[i].ResolveWrite((ulong)(p * 16 + 3) * 4096));
            }
            ulong idle = clones[0].PrivatePages;
            Assert.Equal(20UL, idle); // PML4, PDPT, PD, PT + 16 pages
            _output.WriteLine($"1000 clones of 1 MiB, 16 pages written each: {pages.Outstanding} host pages ({pages.Outstanding * 4 / 1024} MiB); private pages per clone {idle}");
            Assert.True(pages.Outstanding < 131072 / 2);
            CowCheck.Consistent(pages, sharing, clones.Append(template));
            foreach (var clone in clones)
                clone.Release();
            template.Release();
            Assert.Equal(0, pages.Outstanding);
        }
    }
}
