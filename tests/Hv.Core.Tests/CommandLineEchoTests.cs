using Hv.Core.Boot;
using Hv.Core.Text;

namespace Hv.Core.Tests
{
    public class CommandLineEchoTests
    {
        private const string Key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

        private static string Echo(string raw)
        {
            var sink = new CharBufferSink(1024);
            CommandLineEcho.Write(sink, CommandLine.Parse(raw));
            return sink.ToString();
        }

        [Fact]
        public void The_key_is_replaced_and_every_other_option_is_echoed()
        {
            Assert.Equal("hv.exit=ready hv.key=<redacted> quiet hv.run=a,b",
                         Echo("hv.exit=ready hv.key=" + Key + " quiet hv.run=a,b"));
        }

        [Theory]
        [InlineData("\"hv.key=" + Key + "\"")]
        [InlineData("hv.key=\"" + Key + "\"")]
        [InlineData("hv.key=" + Key + " hv.key=" + Key)]
        [InlineData("hv.key=\"00112233 44556677 8899aabb ccddeeff 00112233 44556677 8899aabb ccddeeff\"")]
        [InlineData("=" + Key + " hv.key=x")]
        [InlineData("\thv.key=" + Key + "\r\n")]
        public void No_spelling_of_the_key_reaches_the_echo(string raw)
        {
            string echo = Echo(raw);
            Assert.DoesNotContain("0011", echo);
            Assert.DoesNotContain("ccdd", echo);
        }

        [Fact]
        public void Tokens_beyond_the_limit_are_not_echoed()
        {
            string raw = string.Concat(System.Linq.Enumerable.Repeat("a=1 ", CommandLine.MaxTokens)) + "x=" + Key;
            string echo = Echo(raw);
            Assert.DoesNotContain(Key, echo);
            Assert.EndsWith("(more options ignored)", echo);
        }

        [Fact]
        public void Values_with_spaces_are_quoted_so_the_echo_parses_back_the_same()
        {
            string echo = Echo("k=\"a b\" flag");
            Assert.Equal("k=\"a b\" flag", echo);
            Assert.Equal("a b", CommandLine.Parse(echo).Get("k"));
        }
    }
}
