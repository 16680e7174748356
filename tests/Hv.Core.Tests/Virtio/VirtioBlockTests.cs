using System;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Storage;
using L = Hv.Core.Devices.Virtio.VirtioPciLayout;
using R = Hv.Core.Devices.Virtio.VirtioBlockRequest;
using Hv.Core.Virtio;
using Hv.Testing;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>virtio-blk (virtio 1.2, 5.2) over an in-memory disk, driven like Linux's virtio_blk.</summary>
    public class VirtioBlockTests
    {
        private const ulong Sectors = 2048; // 1 MiB
        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;
        private readonly DiskImage _disk;
        private readonly VirtioBlock _block;
        private readonly VirtioDriver _driver;

        public VirtioBlockTests()
        {
            _sharing = _pages.NewSharing();
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(_sharing, Sectors, 1UL << 30, out _disk));
            _block = new VirtioBlock(_disk, readOnly: false);
            _block.SetSerial("hv-disk-7");
            _driver = new VirtioDriver(_block);
            _driver.Start(VirtioDriver.Features | (1UL << VirtioFeatures.IndirectDescriptors));
        }

        private ulong Header(uint type, ulong sector)
        {
            ulong at = _driver.Allocate(R.HeaderSize);
            LittleEndian.WriteUInt32(_driver.Memory.Ram, (int)at, type);
            LittleEndian.WriteUInt64(_driver.Memory.Ram, (int)at + 8, sector);
            return at;
        }

        /// <summary>header (device-readable), data (readable for writes, writable for reads), status byte; returns status and used length.</summary>
        private (byte Status, uint Used) Request(uint type, ulong sector, ulong data, uint dataLength, bool dataWritable)
        {
            ulong status = _driver.Allocate(1);
            _driver.Memory.Ram[status] = 0xEE;
            var buffers = dataLength == 0
                ? new[] { (Header(type, sector), (uint)R.HeaderSize, false), (status, 1u, true) }
                : new[] { (Header(type, sector), (uint)R.HeaderSize, false), (data, dataLength, dataWritable), (status, 1u, true) };
            return Submit(buffers, status);
        }

        private (byte Status, uint Used) Submit((ulong, uint, bool)[] buffers, ulong status)
        {
            Rings queue = _driver.Queues[0];
            int before = queue.UsedIndex;
            ushort head = _driver.Post(0, buffers);
            Assert.Equal(before + 1, queue.UsedIndex);
            var (id, length) = queue.UsedElement(before);
            Assert.Equal(head, id);
            return (_driver.Memory.Ram[status], length);
        }

        private (byte, uint) Write(ulong sector, byte[] data)
        {
            ulong at = _driver.Allocate(data.Length);
            _driver.Fill(at, data);
            return Request(R.TypeOut, sector, at, (uint)data.Length, false);
        }

        private (byte Status, uint Used, byte[] Data) Read(ulong sector, int length)
        {
            ulong at = _driver.Allocate(length);
            var (status, used) = Request(R.TypeIn, sector, at, (uint)length, true);
            return (status, used, _driver.Bytes(at, length));
        }

        private byte[] DiskBytes(ulong offset, int length)
        {
            var bytes = new byte[length];
            Assert.Equal(DiskStatus.Ok, _disk.Read(offset, bytes));
            return bytes;
        }

        private static byte[] Pattern(int length, int seed)
        {
            var bytes = new byte[length];
            new Random(seed).NextBytes(bytes);
            return bytes;
        }

        [Fact]
        public void Configuration_gives_capacity_and_the_limits_offered()
        {
            Assert.Equal(0x1042, _block.DeviceId);
            Assert.Equal(0x018000u, _block.ReadConfig(0x08, 4) >> 8);
            int config = (int)L.DeviceConfigOffset;
            Assert.Equal(Sectors, _driver.Read(config + R.ConfigCapacity, 8));
            Assert.Equal(65536UL, _driver.Read(config + R.ConfigSizeMax, 4));
            Assert.Equal(254UL, _driver.Read(config + R.ConfigSegMax, 4));
            Assert.Equal(8UL, _driver.Read(config + R.ConfigDiscardAlignment, 4));
            Assert.Equal(1UL, _driver.Read(config + R.ConfigMaxDiscardSegments, 4));
            Assert.Equal(1UL, _driver.Read(config + R.ConfigWriteZeroesMayUnmap, 1));
            ulong features = _driver.DeviceFeatures;
            foreach (int bit in new[] { R.FeatureSizeMax, R.FeatureSegMax, R.FeatureFlush, R.FeatureDiscard, R.FeatureWriteZeroes, VirtioFeatures.Version1 })
                Assert.NotEqual(0UL, features & (1UL << bit));
            Assert.Equal(0UL, features & (1UL << R.FeatureReadOnly));
        }

        [Fact]
        public void Written_sectors_read_back_and_land_at_their_offset_on_the_disk()
        {
            byte[] data = Pattern(3 * 512, 1);
            Assert.Equal((R.StatusOk, 1u), Write(100, data));
            Assert.Equal(data, DiskBytes(100 * 512, data.Length));
            var (status, used, read) = Read(99, 5 * 512);
            Assert.Equal(R.StatusOk, status);
            Assert.Equal(5u * 512 + 1, used);
            Assert.Equal(new byte[512], read.AsSpan(0, 512).ToArray());
            Assert.Equal(data, read.AsSpan(512, data.Length).ToArray());
            Assert.Equal((1UL, 1UL, 1536UL, 2560UL, 0UL), (_block.Writes, _block.Reads, _block.BytesWritten, _block.BytesRead, _block.Errors));
        }

        [Theory]
        [InlineData(Sectors - 1, 1024)]
        [InlineData(Sectors, 512)]
        [InlineData(ulong.MaxValue, 512)]
        [InlineData(0x0080_0000_0000_0000UL, 512)] // sector × 512 would wrap
        [InlineData(0, 100)]                          // not whole sectors
        public void Requests_beyond_the_capacity_or_of_partial_sectors_fail_and_write_nothing(ulong sector, int length)
        {
            Assert.Equal(R.StatusIoError, Write(sector, Pattern(length, 2)).Item1);
            Assert.Equal(R.StatusIoError, Read(sector, length).Status);
            Assert.Equal(0, _pages.Outstanding);
            Assert.Equal(2UL, _block.Errors);
        }

        [Fact]
        public void Flush_succeeds_and_is_counted()
        {
            Assert.Equal((R.StatusOk, 1u), Request(R.TypeFlush, 0, 0, 0, false));
            Assert.Equal(1UL, _block.Flushes);
        }

        [Fact]
        public void Get_id_returns_the_serial_NUL_padded_and_cut_to_the_buffer()
        {
            ulong at = _driver.Allocate(20);
            Assert.Equal(R.StatusOk, Request(R.TypeGetId, 0, at, 20, true).Status);
            Assert.Equal("hv-disk-7\0\0\0\0\0\0\0\0\0\0\0", System.Text.Encoding.ASCII.GetString(_driver.Bytes(at, 20)));
            at = _driver.Allocate(4);
            Assert.Equal(R.StatusOk, Request(R.TypeGetId, 0, at, 4, true).Status);
            Assert.Equal("hv-d", System.Text.Encoding.ASCII.GetString(_driver.Bytes(at, 4)));
        }

        private (byte Status, uint Used) Segment(uint type, ulong sector, uint count, uint flags)
        {
            ulong at = _driver.Allocate(16);
            LittleEndian.WriteUInt64(_driver.Memory.Ram, (int)at, sector);
            LittleEndian.WriteUInt32(_driver.Memory.Ram, (int)at + 8, count);
            LittleEndian.WriteUInt32(_driver.Memory.Ram, (int)at + 12, flags);
            return Request(type, 0, at, 16, false);
        }

        [Fact]
        public void Discard_and_write_zeroes_leave_zeros_and_give_pages_back()
        {
            Write(0, Pattern(64 * 512, 3));
            int pages = _pages.Outstanding;
            Assert.Equal(R.StatusOk, Segment(R.TypeDiscard, 8, 32, 0).Status);
            Assert.Equal(new byte[32 * 512], DiskBytes(8 * 512, 32 * 512));
            Assert.Equal(pages - 4, _pages.Outstanding);
            Assert.Equal(R.StatusOk, Segment(R.TypeWriteZeroes, 1, 2, R.FlagUnmap).Status);
            Assert.Equal(new byte[1024], DiskBytes(512, 1024));
            Assert.Equal(2UL, _block.Discards);
        }

        [Theory]
        [InlineData(R.TypeDiscard, R.FlagUnmap)]  // 5.2.6.2: unmap on a discard is unsupported
        [InlineData(R.TypeDiscard, 2u)]
        [InlineData(R.TypeWriteZeroes, 4u)]
        public void Discard_flags_the_device_does_not_know_are_unsupported(uint type, uint flags)
        {
            Write(0, Pattern(512, 4));
            Assert.Equal(R.StatusUnsupported, Segment(type, 0, 1, flags).Status);
            Assert.Equal(Pattern(512, 4), DiskBytes(0, 512));
        }

        [Fact]
        public void Discard_beyond_the_capacity_or_with_two_segments_fails()
        {
            Assert.Equal(R.StatusIoError, Segment(R.TypeDiscard, Sectors - 1, 2, 0).Status);
            ulong two = _driver.Allocate(32);
            Assert.Equal(R.StatusIoError, Request(R.TypeDiscard, 0, two, 32, false).Status);
        }

        [Fact]
        public void Unknown_request_types_are_unsupported()
        {
            Assert.Equal(R.StatusUnsupported, Request(10, 0, 0, 0, false).Status);
            Assert.Equal(R.StatusUnsupported, Request(0xFFFF, 0, 0, 0, false).Status);
        }

        [Fact]
        public void A_read_only_disk_offers_RO_and_refuses_writes_and_discards()
        {
            var block = new VirtioBlock(_disk, readOnly: true);
            var driver = new VirtioDriver(block);
            Assert.NotEqual(0UL, driver.DeviceFeatures & (1UL << R.FeatureReadOnly));
            driver.Start();
            ulong header = driver.Allocate(16), data = driver.Allocate(512), status = driver.Allocate(1);
            LittleEndian.WriteUInt32(driver.Memory.Ram, (int)header, R.TypeOut);
            driver.Fill(data, Pattern(512, 5));
            driver.Post(0, new[] { (header, 16u, false), (data, 512u, false), (status, 1u, true) });
            Assert.Equal(R.StatusIoError, driver.Memory.Ram[status]);
            Assert.Equal(0, _pages.Outstanding);
        }

        [Fact]
        public void The_device_makes_no_assumption_about_framing()
        {
            byte[] data = Pattern(1024, 6);
            _disk.Write(512 * 7, data);
            // The header in two descriptors, and data and status sharing one.
            ulong header = Header(R.TypeIn, 7), both = _driver.Allocate(1025);
            Submit(new[] { (header, 8u, false), (header + 8, 8u, false), (both, 1025u, true) }, both + 1024);
            Assert.Equal(R.StatusOk, _driver.Memory.Ram[both + 1024]);
            Assert.Equal(data, _driver.Bytes(both, 1024));
        }

        [Fact]
        public void A_request_without_a_status_byte_is_returned_and_counted()
        {
            ulong header = Header(R.TypeFlush, 0);
            _driver.Post(0, new[] { (header, 16u, false) });
            Assert.Equal((0u, 0u), _driver.Queues[0].UsedElement(0));
            Assert.Equal(1UL, _block.Errors);
            Assert.False(_block.NeedsReset);
        }

        [Fact]
        public void Blocks_on_clones_of_one_disk_see_its_data_and_not_each_other()
        {
            _disk.Write(0, Pattern(4096, 7));
            Assert.Equal(DiskStatus.Ok, _disk.Fork(out DiskImage a));
            Assert.Equal(DiskStatus.Ok, _disk.Fork(out DiskImage b));
            var da = new VirtioDriver(new VirtioBlock(a, false));
            var db = new VirtioDriver(new VirtioBlock(b, false));
            da.Start();
            db.Start();
            foreach (var (driver, mark) in new[] { (da, (byte)0xAA), (db, (byte)0xBB) })
            {
                ulong header = driver.Allocate(16), data = driver.Allocate(512), status = driver.Allocate(1);
                LittleEndian.WriteUInt32(driver.Memory.Ram, (int)header, R.TypeOut);
                driver.Memory.Ram[data] = mark;
                driver.Post(0, new[] { (header, 16u, false), (data, 512u, false), (status, 1u, true) });
            }
            var buffer = new byte[4096];
            a.Read(0, buffer);
            Assert.Equal(0xAA, buffer[0]);
            Assert.Equal(Pattern(4096, 7).AsSpan(512).ToArray(), buffer.AsSpan(512).ToArray());
            b.Read(0, buffer);
            Assert.Equal(0xBB, buffer[0]);
            _disk.Read(0, buffer);
            Assert.Equal(Pattern(4096, 7), buffer);
        }

        [Fact]
        public void Requests_allocate_nothing()
        {
            ulong header = Header(R.TypeOut, 0), data = _driver.Allocate(8192), status = _driver.Allocate(1);
            ulong readHeader = Header(R.TypeIn, 0);
            var write = new[] { (header, 16u, false), (data, 8192u, false), (status, 1u, true) };
            var read = new[] { (readHeader, 16u, false), (data, 8192u, true), (status, 1u, true) };
            _driver.Post(0, write);
            _driver.Post(0, read);
            // Three rounds of 1,000 requests: an allocation per request would show as kilobytes.
            long fewest = AllocationRounds.Fewest(3, () =>
            {
                for (int i = 0; i < 500; i++)
                {
                    _driver.Post(0, write);
                    _driver.Post(0, read);
                }
            });
            Assert.True(fewest < 1000, $"{fewest} bytes allocated by 1,000 requests");
            Assert.Equal(1501UL, _block.Reads);
        }

        [Fact]
        public void Counters_clear()
        {
            Write(0, Pattern(512, 8));
            Read(Sectors, 512);
            _block.ClearCounters();
            Assert.Equal((0UL, 0UL, 0UL, 0UL), (_block.Writes, _block.BytesWritten, _block.Errors, _block.QueueErrors));
        }
    }
}
