using System;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Storage;
using R = Hv.Core.Devices.Virtio.VirtioBlockRequest;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>
    /// A hostile driver sending random requests (types, sectors, lengths, buffer layouts, wild addresses) to a
    /// virtio-blk: the device must never throw, never grow the disk beyond its capacity, answer every request it
    /// takes, and recover after a reset whenever it declared DEVICE_NEEDS_RESET.
    /// </summary>
    public class VirtioBlockFuzzTests
    {
        [Fact]
        public void Random_requests_never_harm_the_host()
        {
            var pages = new CowPages();
            PageSharing sharing = pages.NewSharing();
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(sharing, 256, 1UL << 30, out DiskImage disk));
            var block = new VirtioBlock(disk, false);
            var driver = new VirtioDriver(block);
            var random = new FastRandom(7);
            ulong area = driver.Allocate(0x10000);
            int resets = 0;
            driver.Start(VirtioDriver.Features | (1UL << VirtioFeatures.IndirectDescriptors), size: 16);
            var buffers = new (ulong, uint, bool)[4];

            for (int n = 0; n < 100_000; n++)
            {
                if (block.NeedsReset)
                {
                    resets++;
                    driver.Start(VirtioDriver.Features | (1UL << VirtioFeatures.IndirectDescriptors), size: 16);
                }
                ulong header = area + (ulong)random.Next(0x100) * 16;
                uint[] types = { R.TypeIn, R.TypeOut, R.TypeFlush, R.TypeGetId, R.TypeDiscard, R.TypeWriteZeroes, (uint)random.Next(64) };
                LittleEndian.WriteUInt32(driver.Memory.Ram, (int)header, types[random.Next(types.Length)]);
                LittleEndian.WriteUInt64(driver.Memory.Ram, (int)header + 8,
                    random.Next(8) == 0 ? random.NextUInt64() : (ulong)random.Next(300));
                int count = 1 + random.Next(4);
                for (int i = 0; i < count; i++)
                {
                    ulong address = random.Next(20) == 0 ? random.NextUInt64() : area + (ulong)random.Next(0x10000);
                    uint length = random.Next(10) == 0 ? (uint)random.NextUInt64() : (uint)random.Next(3 * 512);
                    buffers[i] = i == 0 ? (header, (uint)(random.Next(4) == 0 ? random.Next(20) : 16), random.Next(10) == 0)
                        : (address, length, random.Next(3) != 0);
                }
                int usedBefore = driver.Queues[0].UsedIndex;
                driver.Post(0, new ArraySegment<(ulong, uint, bool)>(buffers, 0, count));
                Assert.True(block.NeedsReset || driver.Queues[0].UsedIndex == (ushort)(usedBefore + 1));
            }
            // The disk never holds more than its own 128 KiB (32 pages) plus one table.
            Assert.InRange(pages.Outstanding, 0, 33);
            Assert.True(resets > 100, $"only {resets} resets: the generator is too tame");
            Assert.True(block.Errors > 1000 && block.Reads + block.Writes > 1000, "the generator must reach both outcomes");
        }
    }
}
