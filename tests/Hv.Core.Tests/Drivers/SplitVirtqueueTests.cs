using Hv.Core.Drivers.Virtio;
using Hv.Core.Memory;

namespace Hv.Core.Tests.Drivers
{
    public class SplitVirtqueueTests
    {
        [Theory]
        [InlineData(0)]
        [InlineData(3)]
        [InlineData(512)]
        public void Sizes_that_are_not_a_power_of_two_up_to_256_are_refused(int size)
        {
            Assert.Null(SplitVirtqueue.Create(new CowPages(), size, 2048, false));
        }

        [Fact]
        public void Lays_out_table_and_rings_as_virtio_1_1_section_2_6_says()
        {
            var memory = new CowPages();
            SplitVirtqueue q = SplitVirtqueue.Create(memory, 256, 2048, deviceWrites: true);
            Assert.Equal(0UL, q.DescriptorTable % 4096);
            Assert.Equal(0UL, q.DriverArea % 4096);
            Assert.Equal(q.DriverArea + 1024, q.DeviceArea);
            var table = memory.Page(q.DescriptorTable);
            for (int i = 0; i < 256; i++)
            {
                ulong address = LittleEndian.ReadUInt64(table, 16 * i);
                Assert.Equal(2, LittleEndian.ReadUInt16(table, 16 * i + 12)); // VIRTQ_DESC_F_WRITE
                Assert.True(memory.IsOutstanding(address & ~0xFFFUL), $"buffer {i} is not in an allocated page");
            }
            Assert.Equal(256, q.FreeCount);

            int id = q.Acquire();
            q.Offer(id, 100);
            var rings = memory.Page(q.DriverArea);
            Assert.Equal(1, LittleEndian.ReadUInt16(rings, 2));           // avail.idx
            Assert.Equal(id, LittleEndian.ReadUInt16(rings, 4));          // avail.ring[0]
            Assert.Equal(100u, LittleEndian.ReadUInt32(table, 16 * id + 8));
            Assert.Equal(UsedResult.None, q.TakeUsed(out _, out _));

            LittleEndian.WriteUInt32(rings, 1024 + 4, (uint)id);         // used.ring[0] = {id, 60}
            LittleEndian.WriteUInt32(rings, 1024 + 8, 60);
            LittleEndian.WriteUInt16(rings, 1024 + 2, 1);                 // used.idx = 1
            Assert.Equal(UsedResult.Taken, q.TakeUsed(out int back, out int length));
            Assert.Equal((id, 60), (back, length));
            Assert.Equal(UsedResult.None, q.TakeUsed(out _, out _));
            q.Release(back);
            Assert.Equal(256, q.FreeCount);
        }

        [Fact]
        public void Buffers_never_overlap_and_stay_inside_their_pages()
        {
            var memory = new CowPages();
            SplitVirtqueue q = SplitVirtqueue.Create(memory, 8, 2048, deviceWrites: false);
            for (int i = 0; i < 8; i++)
            {
                q.Buffer(i).Fill((byte)(i + 1));
            }
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(2048, q.Buffer(i).Length);
                Assert.All(q.Buffer(i).ToArray(), b => Assert.Equal(i + 1, b));
            }
        }
    }
}
