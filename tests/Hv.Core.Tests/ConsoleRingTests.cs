using Hv.Core.Devices;

namespace Hv.Core.Tests
{
    public class ConsoleRingTests
    {
        private static void Write(ConsoleRing ring, string text)
        {
            foreach (char c in text) ring.WriteOutput((byte)c);
        }

        private static string Read(ConsoleRing ring, ulong from, int max, out ulong start)
        {
            var buffer = new byte[max];
            int n = ring.ReadOutput(from, buffer, out start);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        }

        [Fact]
        public void ReadersResumeFromTheirOwnOffsets()
        {
            var ring = new ConsoleRing(16, 4);
            Write(ring, "hello ");
            Assert.Equal("hel", Read(ring, 0, 3, out ulong start));
            Assert.Equal(0UL, start);
            Write(ring, "world");
            Assert.Equal("lo world", Read(ring, 3, 64, out start));
            Assert.Equal(3UL, start);
            Assert.Equal(11UL, ring.OutputEnd);
            Assert.Equal("", Read(ring, 11, 64, out start));
            Assert.Equal(11UL, start);
        }

        [Fact]
        public void OverwrittenBytesAreReportedNotReturned()
        {
            var ring = new ConsoleRing(8, 4);
            Write(ring, "0123456789ABCDEF"); // 16 bytes into 8
            Assert.Equal(8UL, ring.OutputStart);
            Assert.Equal(16UL, ring.OutputEnd);
            Assert.Equal("89ABCDEF", Read(ring, 2, 64, out ulong start));
            Assert.Equal(8UL, start); // 6 bytes lost
        }

        [Fact]
        public void OffsetBeyondEndReadsNothing()
        {
            var ring = new ConsoleRing(8, 4);
            Write(ring, "ab");
            Assert.Equal("", Read(ring, 100, 64, out ulong start));
            Assert.Equal(2UL, start);
        }

        [Fact]
        public void WrapAroundKeepsOrderAcrossTheSeam()
        {
            var ring = new ConsoleRing(5, 4);
            Write(ring, "abcdefg");
            Assert.Equal("cdefg", Read(ring, 0, 64, out ulong start));
            Assert.Equal(2UL, start);
            Assert.Equal("ef", Read(ring, 4, 2, out start));
        }

        [Fact]
        public void InputQueueIsFifoAndRefusesWhenFull()
        {
            var ring = new ConsoleRing(8, 3);
            Assert.Equal(3, ring.QueueInput(new byte[] { 1, 2, 3, 4 }));
            Assert.Equal(3, ring.InputCount);
            Assert.True(ring.TakeInput(out byte b)); Assert.Equal(1, b);
            Assert.Equal(1, ring.QueueInput(new byte[] { 5, 6 }));
            Assert.True(ring.TakeInput(out b)); Assert.Equal(2, b);
            Assert.True(ring.TakeInput(out b)); Assert.Equal(3, b);
            Assert.True(ring.TakeInput(out b)); Assert.Equal(5, b);
            Assert.False(ring.TakeInput(out _));
            Assert.False(ring.HasInput);
        }
    }
}
