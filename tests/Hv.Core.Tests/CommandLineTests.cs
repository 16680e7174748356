using Hv.Core.Boot;

namespace Hv.Core.Tests
{
    public class CommandLineTests
    {
        [Fact]
        public void ParsesKeyValuesFlagsAndQuotes()
        {
            CommandLine line = CommandLine.Parse("hv.log=com2 hv.selftest=pagefault quiet key=\"a b\"");
            Assert.Equal(4, line.Count);
            Assert.Equal("com2", line.Get("hv.log"));
            Assert.Equal("pagefault", line.Get("hv.selftest"));
            Assert.True(line.Has("quiet"));
            Assert.Null(line.Get("quiet"));
            Assert.Equal("a b", line.Get("key"));
            Assert.False(line.Has("missing"));
            Assert.Null(line.Get("missing"));
            Assert.False(line.Malformed);
            Assert.False(line.Truncated);
        }

        [Fact]
        public void SeparatorsMayRepeatAndMixWhitespace()
        {
            CommandLine line = CommandLine.Parse("  a=1\t\tb \r\n c=3  ");
            Assert.Equal(3, line.Count);
            Assert.Equal("a", line.Key(0));
            Assert.Equal("1", line.Value(0));
            Assert.Equal("b", line.Key(1));
            Assert.Null(line.Value(1));
            Assert.Equal("3", line.Get("c"));
        }

        [Fact]
        public void ValueSplitsAtFirstEqualsAndEmptyValueIsEmptyString()
        {
            CommandLine line = CommandLine.Parse("root=UUID=abc empty=");
            Assert.Equal("UUID=abc", line.Get("root"));
            Assert.Equal("", line.Get("empty"));
            Assert.True(line.Has("empty"));
        }

        [Fact]
        public void WholeTokenMayBeQuotedAndQuotesOnlyGroupSpaces()
        {
            // Linux next_arg(): the first '=' splits even inside quotes.
            CommandLine line = CommandLine.Parse("\"a=b c\" x\"y z\"w \"k=\"v");
            Assert.Equal(3, line.Count);
            Assert.Equal("b c", line.Get("a"));
            Assert.True(line.Has("xy zw"));
            Assert.Equal("v", line.Get("k"));
        }

        [Fact]
        public void LastOccurrenceWins()
        {
            Assert.Equal("2", CommandLine.Parse("a=1 a=2").Get("a"));
            Assert.Equal("1", CommandLine.Parse("a=2 a=1").Get("a"));
        }

        [Fact]
        public void UnterminatedQuoteRunsToEndAndIsFlagged()
        {
            CommandLine line = CommandLine.Parse("a=1 msg=\"hello world");
            Assert.True(line.Malformed);
            Assert.Equal("1", line.Get("a"));
            Assert.Equal("hello world", line.Get("msg"));
        }

        [Fact]
        public void EmptyKeysAreSkippedAndFlagged()
        {
            CommandLine line = CommandLine.Parse("=x a=1 = \"\"");
            Assert.True(line.Malformed);
            Assert.Equal(1, line.Count);
            Assert.Equal("1", line.Get("a"));
        }

        [Fact]
        public void TokensBeyondTheCapAreDroppedAndFlagged()
        {
            var text = new System.Text.StringBuilder();
            for (int i = 0; i < CommandLine.MaxTokens + 5; i++) text.Append("k").Append(i).Append("=v ");
            CommandLine line = CommandLine.Parse(text.ToString());
            Assert.Equal(CommandLine.MaxTokens, line.Count);
            Assert.True(line.Truncated);
            Assert.True(line.Has("k0"));
            Assert.True(line.Has("k" + (CommandLine.MaxTokens - 1)));
            Assert.False(line.Has("k" + CommandLine.MaxTokens));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        public void EmptyInputHasNoTokens(string text)
        {
            CommandLine line = CommandLine.Parse(text);
            Assert.Equal(0, line.Count);
            Assert.False(line.Malformed);
        }

        [Fact]
        public void KeysAreCaseSensitive()
        {
            CommandLine line = CommandLine.Parse("Quiet");
            Assert.False(line.Has("quiet"));
            Assert.True(line.Has("Quiet"));
        }
    }
}
