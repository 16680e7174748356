using System;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>
    /// A hostile driver's rings, a million times over: random descriptor tables, indirect tables and available
    /// rings in a 64 KiB guest. Whatever the bytes, taking a chain must not throw, must read a bounded number of
    /// times, and must hand out only chains whose every buffer lies inside guest memory, readable before writable,
    /// within the buffer and byte limits.
    /// </summary>
    public class VirtqueueFuzzTests
    {
        private const int Cases = 1_000_000;
        private const int MemorySize = 0x10000;
        private const ushort QueueSize = 16;
        private const ulong MaxChainBytes = 0x8000;
        private const ulong Desc = 0x0000, Avail = 0x0100, Used = 0x0200, Table = 0x0400;

        [Fact]
        public void A_million_random_rings_never_escape_guest_memory_or_the_work_bound()
        {
            var random = new FastRandom(20260101);
            var memory = new ArrayGuestMemory(MemorySize);
            byte[] ram = memory.Ram;
            var queue = new SplitVirtqueue(QueueSize, MaxChainBytes);
            var scratch = new byte[MaxChainBytes];
            int accepted = 0, maxReads = 0;
            var outcomes = new int[Enum.GetValues<VirtqueueStatus>().Length];

            for (int n = 0; n < Cases; n++)
            {
                queue.Reset();
                queue.DescriptorArea = Desc;
                queue.DriverArea = Avail;
                queue.DeviceArea = Used;
                Assert.Equal(VirtqueueStatus.Ok, queue.Enable(memory, random.Next(8) != 0, random.Next(2) == 0));

                // The rings evolve as a random walk: a few descriptors and ring entries change per case, so the
                // state mixes long-lived plausible chains with fresh garbage.
                int tableEntries = 1 + random.Next(24);
                for (int i = 0; i < 3; i++)
                {
                    int slot = random.Next(QueueSize);
                    WriteDescriptor(ram, Desc + (ulong)slot * 16, random, slot, QueueSize, tableEntries);
                    slot = random.Next(tableEntries);
                    WriteDescriptor(ram, Table + (ulong)slot * 16, random, slot, tableEntries, tableEntries);
                }
                ushort availIndex = random.Next(4) == 0 ? (ushort)random.Next(65536) : (ushort)(1 + random.Next(2));
                LittleEndian.WriteUInt16(ram, (int)Avail + 2, availIndex);
                for (int i = 0; i < 2; i++)
                    LittleEndian.WriteUInt16(ram, (int)Avail + 4 + 2 * random.Next(QueueSize), (ushort)(random.Next(5) == 0 ? random.Next(40) : random.Next(4)));

                int readsBefore = memory.Reads;
                VirtqueueStatus status = queue.Pop(memory, out DescriptorChain chain);
                int reads = memory.Reads - readsBefore;
                maxReads = Math.Max(maxReads, reads);
                outcomes[(int)status]++;
                // Ring reads, at most one pass over the table and one over an indirect table, and one probe per page
                // of each buffer (the byte limit caps the pages).
                Assert.InRange(reads, 1, 5 + 2 * QueueSize + 2 * QueueSize + (int)(MaxChainBytes / 4096) + QueueSize);

                if (status != VirtqueueStatus.Ok)
                {
                    Assert.Null(chain);
                    continue;
                }
                accepted++;
                CheckChain(chain);
                if ((n & 15) == 0)
                {
                    Assert.True(chain.Read(memory, 0, scratch.AsSpan(0, (int)chain.ReadableBytes)));
                    Assert.True(chain.Write(memory, 0, scratch.AsSpan(0, (int)chain.WritableBytes)));
                }
            }
            // The generator must reach both outcomes often enough for the test to mean something.
            Assert.InRange(accepted, Cases / 20, Cases - Cases / 20);
            foreach (VirtqueueStatus kind in new[] { VirtqueueStatus.DescriptorLoop, VirtqueueStatus.NextOutOfRange,
                         VirtqueueStatus.HeadOutOfRange, VirtqueueStatus.BufferOutsideMemory, VirtqueueStatus.ReadableAfterWritable,
                         VirtqueueStatus.BadIndirect, VirtqueueStatus.BadIndirectLength, VirtqueueStatus.ChainTooLarge,
                         VirtqueueStatus.AvailIndexJump, VirtqueueStatus.IndirectNotNegotiated })
                Assert.True(outcomes[(int)kind] > 100, $"{kind} reached only {outcomes[(int)kind]} times");
        }

        private static void CheckChain(DescriptorChain chain)
        {
            Assert.InRange(chain.Count, 0, QueueSize);
            ulong readable = 0, writable = 0;
            bool seenWritable = false;
            for (int i = 0; i < chain.Count; i++)
            {
                ulong address = chain.Address(i), length = chain.Length(i);
                Assert.True(address <= MemorySize && length <= MemorySize - address, $"buffer outside guest memory {address:X} {length:X}");
                if (chain.IsWritable(i))
                {
                    seenWritable = true;
                    writable += length;
                }
                else
                {
                    Assert.False(seenWritable, "readable buffer after a writable one");
                    readable += length;
                }
            }
            Assert.Equal(readable, chain.ReadableBytes);
            Assert.Equal(writable, chain.WritableBytes);
            Assert.True(readable + writable <= MaxChainBytes);
        }

        /// <summary>A descriptor that is usually plausible (in memory, chained onward) and sometimes anything at all.</summary>
        private static void WriteDescriptor(byte[] ram, ulong at, FastRandom random, int index, int entries, int tableEntries)
        {
            int roll = random.Next(100);
            ulong address = roll < 80 ? (ulong)(0x1000 + random.Next(MemorySize - 0x1000))
                : roll < 90 ? (ulong)(MemorySize - random.Next(64))
                : random.NextUInt64();
            uint length = random.Next(100) < 85 ? (uint)random.Next(0x1200) : (uint)random.NextUInt64();
            ushort flags = 0;
            if (random.Next(100) < 70) flags |= Rings.Next;
            if (random.Next(100) < 35) flags |= Rings.Write;
            if (random.Next(100) < 6)
            {
                flags |= Rings.Indirect;
                address = random.Next(8) == 0 ? address : Table;
                length = random.Next(8) == 0 ? length : (uint)(16 * (1 + random.Next(tableEntries)));
            }
            ushort next = (ushort)(random.Next(100) < 75 ? (index + 1 + random.Next(3)) % entries : random.Next(40));
            LittleEndian.WriteUInt64(ram, (int)at, address);
            LittleEndian.WriteUInt32(ram, (int)at + 8, length);
            LittleEndian.WriteUInt16(ram, (int)at + 12, flags);
            LittleEndian.WriteUInt16(ram, (int)at + 14, next);
        }
    }

    /// <summary>xorshift64*: the fuzz needs speed and repeatability, not statistical quality.</summary>
    internal sealed class FastRandom
    {
        private ulong _state;

        public FastRandom(ulong seed) => _state = seed | 1;

        public ulong NextUInt64()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }

        /// <summary>0 to <paramref name="bound"/> − 1.</summary>
        public int Next(int bound) => (int)((NextUInt64() >> 33) % (ulong)bound);
    }
}
