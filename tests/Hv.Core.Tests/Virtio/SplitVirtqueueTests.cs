using System;
using Hv.Core.Devices.Virtio;
using static Hv.Core.Tests.Virtio.Rings;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>The split virtqueue against virtio 1.2, 2.7: layout checks, chain walking, refusals, used ring, notifications.</summary>
    public class SplitVirtqueueTests
    {
        private const ulong MaxBytes = 1 << 20;
        private readonly ArrayGuestMemory _memory = new ArrayGuestMemory(0x20000);
        private readonly Rings _rings;
        private readonly SplitVirtqueue _queue = new SplitVirtqueue(16, MaxBytes);

        public SplitVirtqueueTests()
        {
            _rings = new Rings(_memory, 0x1000, 0x2000, 0x3000, 16);
            _queue.DescriptorArea = 0x1000;
            _queue.DriverArea = 0x2000;
            _queue.DeviceArea = 0x3000;
        }

        private void Enable(bool indirect = true, bool eventIndex = false) =>
            Assert.Equal(VirtqueueStatus.Ok, _queue.Enable(_memory, indirect, eventIndex));

        private VirtqueueStatus Pop(out DescriptorChain chain) => _queue.Pop(_memory, out chain);

        [Fact]
        public void Reset_offers_the_maximum_size_and_no_vector()
        {
            Assert.Equal(16, _queue.Size);
            Assert.Equal(VirtioPci.NoVector, _queue.Vector);
            Assert.False(_queue.Enabled);
        }

        [Theory]
        [InlineData(0, 0x1000, 0x2000, 0x3000)]
        [InlineData(12, 0x1000, 0x2000, 0x3000)]  // not a power of two
        [InlineData(32, 0x1000, 0x2000, 0x3000)]  // above the maximum
        [InlineData(16, 0x1008, 0x2000, 0x3000)]  // descriptor table not 16-aligned
        [InlineData(16, 0x1000, 0x2001, 0x3000)]  // available ring not 2-aligned
        [InlineData(16, 0x1000, 0x2000, 0x3002)]  // used ring not 4-aligned
        public void Enable_refuses_sizes_and_alignments_of_2_7(int size, ulong desc, ulong avail, ulong used)
        {
            _queue.Size = (ushort)size;
            _queue.DescriptorArea = desc;
            _queue.DriverArea = avail;
            _queue.DeviceArea = used;
            Assert.Equal(VirtqueueStatus.BadLayout, _queue.Enable(_memory, false, false));
            Assert.False(_queue.Enabled);
        }

        [Theory]
        [InlineData(0x1FFF0UL, 0x2000UL, 0x3000UL)]
        [InlineData(0x1000UL, 0x1FFF0UL, 0x3000UL)]
        [InlineData(0x1000UL, 0x2000UL, 0x1FFA0UL)]
        [InlineData(0xFFFFFFFFFFFFFF00UL, 0x2000UL, 0x3000UL)]
        public void Enable_refuses_rings_outside_guest_memory(ulong desc, ulong avail, ulong used)
        {
            _queue.DescriptorArea = desc;
            _queue.DriverArea = avail;
            _queue.DeviceArea = used;
            Assert.Equal(VirtqueueStatus.RingOutsideMemory, _queue.Enable(_memory, false, false));
        }

        [Fact]
        public void Enabled_queue_keeps_its_layout()
        {
            Enable();
            _queue.Size = 4;
            _queue.DescriptorArea = 0;
            Assert.Equal(16, _queue.Size);
            Assert.Equal(0x1000UL, _queue.DescriptorArea);
        }

        [Fact]
        public void Empty_until_the_driver_publishes_a_head()
        {
            Enable();
            Assert.Equal(VirtqueueStatus.Empty, Pop(out var chain));
            Assert.Null(chain);
        }

        [Fact]
        public void A_chain_lists_readable_then_writable_buffers_and_is_returned_through_the_used_ring()
        {
            Enable();
            _rings.Descriptor(3, 0x8000, 16, Next, 7);
            _rings.Descriptor(7, 0x9000, 512, Next | Write, 1);
            _rings.Descriptor(1, 0xA000, 1, Write);
            _rings.Offer(3);
            Assert.Equal(VirtqueueStatus.Ok, Pop(out var chain));
            Assert.Equal(3, chain.Head);
            Assert.Equal(3, chain.Count);
            Assert.Equal((1, 2), (chain.ReadableCount, chain.WritableCount));
            Assert.Equal((16UL, 513UL), (chain.ReadableBytes, chain.WritableBytes));
            Assert.Equal((0x9000UL, 512u, true), (chain.Address(1), chain.Length(1), chain.IsWritable(1)));
            Assert.Equal(VirtqueueStatus.Ok, _queue.Push(_memory, chain.Head, 513));
            Assert.Equal(1, _rings.UsedIndex);
            Assert.Equal((3u, 513u), _rings.UsedElement(0));
            Assert.Equal(VirtqueueStatus.Empty, Pop(out _));
        }

        [Fact]
        public void Reads_and_writes_span_buffers_whatever_the_split()
        {
            Enable();
            for (int i = 0; i < 6; i++)
                _memory.Ram[0x8000 + i] = (byte)(i + 1);
            _memory.Ram[0x8100] = 7;
            _rings.Descriptor(0, 0x8000, 6, Next, 1);
            _rings.Descriptor(1, 0x8100, 1, Next, 2);
            _rings.Descriptor(2, 0x9000, 2, Next | Write, 3);
            _rings.Descriptor(3, 0x9100, 0, Next | Write, 4);
            _rings.Descriptor(4, 0x9200, 8, Write);
            _rings.Offer(0);
            Assert.Equal(VirtqueueStatus.Ok, Pop(out var chain));
            var bytes = new byte[4];
            Assert.True(chain.Read(_memory, 4, bytes.AsSpan(0, 3)));
            Assert.Equal(new byte[] { 5, 6, 7, 0 }, bytes);
            Assert.True(chain.Read(_memory, 0, bytes));
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, bytes);
            Assert.False(chain.Read(_memory, 5, bytes.AsSpan(0, 3)));
            Assert.True(chain.Write(_memory, 1, new byte[] { 0xA, 0xB, 0xC }));
            Assert.Equal(new byte[] { 0, 0xA }, _memory.Ram.AsSpan(0x9000, 2).ToArray());
            Assert.Equal(new byte[] { 0xB, 0xC }, _memory.Ram.AsSpan(0x9200, 2).ToArray());
            Assert.False(chain.Write(_memory, 8, new byte[3]));
        }

        [Fact]
        public void Indirect_table_after_direct_descriptors_is_walked_and_its_write_flag_ignored()
        {
            Enable();
            _rings.Descriptor(0, 0x8000, 16, Next, 5);
            _rings.Descriptor(5, 0x4000, 3 * 16, Indirect | Write);
            _rings.TableEntry(0x4000, 0, 0x8100, 100, Next, 2);
            _rings.TableEntry(0x4000, 2, 0x8200, 200, Next | Write, 1);
            _rings.TableEntry(0x4000, 1, 0x8300, 1, Write);
            _rings.Offer(0);
            Assert.Equal(VirtqueueStatus.Ok, Pop(out var chain));
            Assert.Equal((0, 4), (chain.Head, chain.Count));
            Assert.Equal((116UL, 201UL), (chain.ReadableBytes, chain.WritableBytes));
        }

        [Fact]
        public void A_chain_through_an_indirect_table_may_be_longer_than_the_driver_queue_size()
        {
            _queue.Size = 4;
            Enable();
            _rings.Descriptor(0, 0x4000, 10 * 16, Indirect);
            for (int i = 0; i < 10; i++)
                _rings.TableEntry(0x4000, i, 0x8000 + (ulong)i * 16, 16, (ushort)(i < 9 ? Next : 0), (ushort)(i + 1));
            LittleEndian16(0x2004, 0);
            LittleEndian16(0x2002, 1);
            Assert.Equal(VirtqueueStatus.Ok, Pop(out var chain));
            Assert.Equal(10, chain.Count);
        }

        private void LittleEndian16(int at, ushort value) => Hv.Core.Memory.LittleEndian.WriteUInt16(_memory.Ram, at, value);

        public static TheoryData<string> Refusals() => new TheoryData<string>
        {
            "loop", "self-loop", "indirect-loop", "next-out-of-range", "indirect-next-out-of-range", "head-out-of-range",
            "buffer-outside", "buffer-wraps", "readable-after-writable", "indirect-not-negotiated", "nested-indirect",
            "indirect-with-next", "indirect-empty", "indirect-ragged", "indirect-too-long", "indirect-outside",
            "indirect-wraps", "too-large", "avail-jump", "too-many-buffers",
        };

        [Theory]
        [MemberData(nameof(Refusals))]
        public void Malformed_chains_are_refused_with_the_reason(string kind)
        {
            Enable(indirect: kind != "indirect-not-negotiated");
            VirtqueueStatus expected = Build(kind);
            int readsBefore = _memory.Reads;
            Assert.Equal(expected, Pop(out var chain));
            Assert.Null(chain);
            // Bounded work: a loop is cut off after one pass over its table.
            Assert.InRange(_memory.Reads - readsBefore, 1, 3 * 16 + 8);
        }

        private VirtqueueStatus Build(string kind)
        {
            switch (kind)
            {
                case "loop":
                    _rings.Descriptor(0, 0x8000, 8, Next, 1);
                    _rings.Descriptor(1, 0x8000, 8, Next, 2);
                    _rings.Descriptor(2, 0x8000, 8, Next, 0);
                    break;
                case "self-loop":
                    _rings.Descriptor(0, 0x8000, 0, Next, 0);
                    break;
                case "indirect-loop":
                    _rings.Descriptor(0, 0x4000, 32, Indirect);
                    _rings.TableEntry(0x4000, 0, 0x8000, 8, Next, 1);
                    _rings.TableEntry(0x4000, 1, 0x8000, 8, Next, 0);
                    break;
                case "next-out-of-range":
                    _rings.Descriptor(0, 0x8000, 8, Next, 16);
                    break;
                case "indirect-next-out-of-range":
                    _rings.Descriptor(0, 0x4000, 32, Indirect);
                    _rings.TableEntry(0x4000, 0, 0x8000, 8, Next, 2);
                    break;
                case "head-out-of-range":
                    _rings.Offer(16);
                    return VirtqueueStatus.HeadOutOfRange;
                case "buffer-outside":
                    _rings.Descriptor(0, 0x1FFF0, 0x20, 0);
                    break;
                case "buffer-wraps":
                    _rings.Descriptor(0, 0xFFFFFFFFFFFFFFF0, 0x20, 0);
                    break;
                case "readable-after-writable":
                    _rings.Descriptor(0, 0x8000, 8, Write | Next, 1);
                    _rings.Descriptor(1, 0x8000, 8, 0);
                    break;
                case "indirect-not-negotiated":
                    _rings.Descriptor(0, 0x4000, 16, Indirect);
                    break;
                case "nested-indirect":
                    _rings.Descriptor(0, 0x4000, 16, Indirect);
                    _rings.TableEntry(0x4000, 0, 0x4100, 16, Indirect);
                    break;
                case "indirect-with-next":
                    _rings.Descriptor(0, 0x4000, 16, Indirect | Next, 1);
                    break;
                case "indirect-empty":
                    _rings.Descriptor(0, 0x4000, 0, Indirect);
                    break;
                case "indirect-ragged":
                    _rings.Descriptor(0, 0x4000, 24, Indirect);
                    break;
                case "indirect-too-long":
                    _rings.Descriptor(0, 0x4000, 17 * 16, Indirect);
                    break;
                case "indirect-outside":
                    _rings.Descriptor(0, 0x1FFF0, 32, Indirect);
                    _rings.TableEntry(0x1FFF0, 0, 0x8000, 8, Next, 1);
                    break;
                case "indirect-wraps":
                    _rings.Descriptor(0, 0xFFFFFFFFFFFFFFF0, 32, Indirect);
                    break;
                case "too-large":
                    _rings.Descriptor(0, 0x8000, 0x10000, Next, 1);
                    _rings.Descriptor(1, 0x0, (uint)MaxBytes, 0);
                    break;
                case "avail-jump":
                    LittleEndian16(0x2002, 17);
                    return VirtqueueStatus.AvailIndexJump;
                case "too-many-buffers":
                    _rings.Descriptor(0, 0x4000, 16 * 16, Indirect);
                    for (int i = 0; i < 16; i++)
                        _rings.TableEntry(0x4000, i, 0x8000, 8, Next, (ushort)(i + 1 == 16 ? 0 : i + 1));
                    _rings.TableEntry(0x4000, 15, 0x8000, 8, 0);
                    // 16 buffers fit; make the direct part add one more before the table.
                    _rings.Descriptor(1, 0x8000, 8, Next, 0);
                    _rings.Offer(1);
                    return VirtqueueStatus.ChainTooLong;
            }
            _rings.Offer(0);
            return kind switch
            {
                "loop" or "self-loop" or "indirect-loop" => VirtqueueStatus.DescriptorLoop,
                "next-out-of-range" or "indirect-next-out-of-range" => VirtqueueStatus.NextOutOfRange,
                "buffer-outside" or "buffer-wraps" => VirtqueueStatus.BufferOutsideMemory,
                "readable-after-writable" => VirtqueueStatus.ReadableAfterWritable,
                "indirect-not-negotiated" => VirtqueueStatus.IndirectNotNegotiated,
                "nested-indirect" or "indirect-with-next" => VirtqueueStatus.BadIndirect,
                "indirect-empty" or "indirect-ragged" or "indirect-too-long" or "indirect-wraps" => VirtqueueStatus.BadIndirectLength,
                "indirect-outside" => VirtqueueStatus.DescriptorOutsideMemory,
                "too-large" => VirtqueueStatus.ChainTooLarge,
                _ => throw new ArgumentException(kind),
            };
        }

        [Fact]
        public void Without_event_index_the_no_interrupt_flag_suppresses_notifications()
        {
            Enable(eventIndex: false);
            Assert.False(_queue.NeedsNotification(_memory));
            _queue.Push(_memory, 0, 0);
            Assert.True(_queue.NeedsNotification(_memory));
            Assert.False(_queue.NeedsNotification(_memory));
            _rings.AvailFlags = 1;
            _queue.Push(_memory, 0, 0);
            Assert.False(_queue.NeedsNotification(_memory));
        }

        [Fact]
        public void With_event_index_the_device_notifies_when_used_passes_used_event()
        {
            Enable(eventIndex: true);
            _rings.AvailFlags = 1; // ignored with EVENT_IDX
            _rings.UsedEvent = 2;
            _queue.Push(_memory, 0, 0);
            _queue.Push(_memory, 0, 0);
            Assert.False(_queue.NeedsNotification(_memory)); // used idx 0 -> 2 has not written entry 2 yet
            _queue.Push(_memory, 0, 0);
            Assert.True(_queue.NeedsNotification(_memory));  // entry 2 written: idx reached used_event + 1
            _queue.Push(_memory, 0, 0);
            Assert.False(_queue.NeedsNotification(_memory));
        }

        [Fact]
        public void With_event_index_an_empty_pop_asks_to_be_notified_at_the_next_buffer()
        {
            Enable(eventIndex: true);
            _rings.Descriptor(0, 0x8000, 8, 0);
            _rings.Offer(0);
            _rings.Offer(0);
            Assert.Equal(VirtqueueStatus.Ok, Pop(out _));
            Assert.Equal(VirtqueueStatus.Ok, Pop(out _));
            Assert.Equal(VirtqueueStatus.Empty, Pop(out _));
            Assert.Equal(2, _rings.AvailEvent);
        }

        [Fact]
        public void Push_reports_a_used_ring_it_cannot_write()
        {
            Enable();
            var shrunk = new ArrayGuestMemory(0x3000);
            Assert.Equal(VirtqueueStatus.UsedRingWriteFailed, _queue.Push(shrunk, 0, 0));
            Assert.Equal(0, _queue.NextUsed);
        }

        [Fact]
        public void State_round_trips_and_an_impossible_size_is_refused()
        {
            Enable(eventIndex: true);
            _rings.Descriptor(0, 0x8000, 8, 0);
            _rings.Offer(0);
            Pop(out _);
            _queue.Push(_memory, 0, 8);
            _queue.Vector = 1;
            var bytes = new byte[SplitVirtqueue.StateSize];
            var writer = new Hv.Core.Devices.StateWriter(bytes);
            _queue.Save(ref writer);
            Assert.Equal(SplitVirtqueue.StateSize, writer.Length);

            var copy = new SplitVirtqueue(16, MaxBytes);
            var reader = new Hv.Core.Devices.StateReader(bytes);
            bool valid = true;
            copy.Load(ref reader, ref valid);
            Assert.True(valid);
            Assert.Equal((true, 16, 1, 1, 1, 0x3000UL), (copy.Enabled, (int)copy.Size, (int)copy.NextAvail, (int)copy.NextUsed, (int)copy.Vector, copy.DeviceArea));

            bytes[0] = 12; // size 12 on an enabled queue
            reader = new Hv.Core.Devices.StateReader(bytes);
            copy.Load(ref reader, ref valid);
            Assert.False(valid);
            Assert.False(copy.Enabled);
        }
    }
}
