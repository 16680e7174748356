using Hv.Core.Text;

namespace Hv.Core.Tests
{
    public class TextSinkTests
    {
        private static string Render(System.Action<CharBufferSink> write)
        {
            var sink = new CharBufferSink(128);
            write(sink);
            return sink.ToString();
        }

        [Theory]
        [InlineData(0L, "0")]
        [InlineData(7L, "7")]
        [InlineData(10L, "10")]
        [InlineData(-42L, "-42")]
        [InlineData(long.MaxValue, "9223372036854775807")]
        [InlineData(long.MinValue, "-9223372036854775808")]
        public void WritesSignedDecimal(long value, string expected)
        {
            Assert.Equal(expected, Render(s => s.WriteDecimal(value)));
        }

        [Theory]
        [InlineData(0UL, "0")]
        [InlineData(1000UL, "1000")]
        [InlineData(9999999999999999999UL, "9999999999999999999")]
        [InlineData(10000000000000000000UL, "10000000000000000000")]
        [InlineData(ulong.MaxValue, "18446744073709551615")]
        public void WritesUnsignedDecimal(ulong value, string expected)
        {
            Assert.Equal(expected, Render(s => s.WriteDecimal(value)));
        }

        [Theory]
        [InlineData(0UL, 0, "0x0")]
        [InlineData(0xABCUL, 0, "0xABC")]
        [InlineData(0xABCUL, 8, "0x00000ABC")]
        [InlineData(ulong.MaxValue, 4, "0xFFFFFFFFFFFFFFFF")]
        [InlineData(0x1UL, 40, "0x0000000000000001")]
        public void WritesHex(ulong value, int minDigits, string expected)
        {
            Assert.Equal(expected, Render(s => s.WriteHex(value, minDigits)));
            Assert.Equal(expected.Substring(2), Render(s => s.WriteHexDigits(value, minDigits)));
        }

        [Theory]
        [InlineData(0UL, "0 B")]
        [InlineData(1023UL, "1023 B")]
        [InlineData(640UL * 1024, "640 KiB")]
        [InlineData(511UL * 1024 * 1024, "511 MiB")]
        [InlineData(1536UL * 1024, "1536 KiB")]
        [InlineData(4UL << 30, "4 GiB")]
        [InlineData(2UL << 40, "2 TiB")]
        public void WritesSizeInLargestExactUnit(ulong bytes, string expected)
        {
            Assert.Equal(expected, Render(s => s.WriteSize(bytes)));
        }

        [Fact]
        public void WritesStringsAndLines()
        {
            Assert.Equal("a\nbc\n", Render(s => { s.WriteLine("a"); s.Write("b"); s.Write('c'); s.WriteLine(); s.Write((string)null); }));
        }

        [Fact]
        public void CharBufferSinkDropsOverflowAndClears()
        {
            var sink = new CharBufferSink(3);
            sink.Write("abcd");
            Assert.Equal("abc", sink.ToString());
            Assert.True(sink.Overflowed);
            sink.Clear();
            Assert.Equal("", sink.ToString());
            Assert.False(sink.Overflowed);
            sink.Write('z');
            Assert.Equal('z', sink[0]);
            Assert.Equal(1, sink.Length);
        }
    }
}
