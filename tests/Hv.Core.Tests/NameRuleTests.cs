using System.Globalization;
using System.Text;
using Hv.Core.Text;

namespace Hv.Core.Tests
{
    public class NameRuleTests
    {
        private static NameStatus Check(string name) => NameRule.Check(name, out _);

        private static string Around(int codePoint) => "vm" + char.ConvertFromUtf32(codePoint) + "x";

        [Fact]
        public void EveryBmpControlFormatSeparatorAndLoneSurrogateIsRefused()
        {
            int refused = 0;
            for (int c = 0; c <= 0xFFFF; c++)
            {
                UnicodeCategory category = char.GetUnicodeCategory((char)c);
                string name = "vm" + (char)c + "x";
                if (category == UnicodeCategory.Surrogate)
                {
                    Assert.Equal(NameStatus.UnpairedSurrogate, Check(name));
                }
                else if (category == UnicodeCategory.Control || category == UnicodeCategory.Format
                         || category == UnicodeCategory.LineSeparator || category == UnicodeCategory.ParagraphSeparator)
                {
                    Assert.True(Check(name) != NameStatus.Ok, $"U+{c:X4} ({category}) accepted");
                    refused++;
                }
            }
            Assert.True(refused > 65 + 2 + 40, "the BMP has 65 controls, 2 separators and dozens of format characters");
        }

        [Fact]
        public void EverySupplementaryFormatCharacterIsRefusedAsASurrogatePair()
        {
            for (int c = 0x10000; c <= 0x10FFFF; c++)
            {
                if (Rune.GetUnicodeCategory(new Rune(c)) == UnicodeCategory.Format)
                    Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(c)));
            }
            Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(0xE0001)));   // LANGUAGE TAG
            for (int c = 0xE0020; c <= 0xE007F; c++) Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(c))); // tags
            for (int c = 0x1D173; c <= 0x1D17A; c++) Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(c))); // beams
            Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(0xE0100)));   // VARIATION SELECTOR-17
        }

        [Fact]
        public void LettersAndDigitsOfTheBmpAreAcceptedSaveTheHangulFillers()
        {
            var fillers = new[] { 0x115F, 0x1160, 0x3164, 0xFFA0 }; // Lo, but Default_Ignorable: they show nothing
            for (int c = 0; c <= 0xFFFF; c++)
            {
                UnicodeCategory category = char.GetUnicodeCategory((char)c);
                bool letterOrDigit = category <= UnicodeCategory.OtherLetter || category == UnicodeCategory.DecimalDigitNumber;
                if (letterOrDigit && System.Array.IndexOf(fillers, c) < 0)
                    Assert.True(Check("vm" + (char)c + "x") == NameStatus.Ok, $"U+{c:X4} ({category}) refused");
            }
            foreach (int filler in fillers) Assert.Equal(NameStatus.InvisibleCharacter, Check(Around(filler)));
        }

        [Theory]
        [InlineData("web-01")]
        [InlineData("Überprüfung")]
        [InlineData("Ελληνικά")]
        [InlineData("Русский сервер")]
        [InlineData("עברית")]
        [InlineData("خادم عربي")]
        [InlineData("हिन्दी")]
        [InlineData("ไทย")]
        [InlineData("日本語の名前")]
        [InlineData("한국어")]
        [InlineData("中文 名字")]
        [InlineData("ⵜⴰⵎⴰⵣⵉⵖⵜ")]
        [InlineData("build 😀 🚀")]
        [InlineData("𝔘𝔫𝔦𝔠𝔬𝔡𝔢")]
        [InlineData("0123456789 ٣٤٥")]
        [InlineData("v1.2_beta (test) #3! a+b=c, 50% & [x]")]
        [InlineData("{y} <z> @home ~ok 'q' \"q\" ;:?*|^`$ ¿¡ «»")]
        [InlineData("a  b")]
        [InlineData("...")]
        [InlineData(".hidden")]
        [InlineData("a.b")]
        [InlineData("x")]
        public void OrdinaryNamesOfManyScriptsAreAccepted(string name)
        {
            Assert.Equal(NameStatus.Ok, NameRule.Check(name, out int position));
            Assert.Equal(-1, position);
        }

        [Theory]
        [InlineData("vm\u0085x", NameStatus.ControlCharacter, 2)]     // NEL: some terminals take it as a newline
        [InlineData("vm\u009B31mx", NameStatus.ControlCharacter, 2)]  // CSI: starts an escape sequence
        [InlineData("vm\u001B[2Jx", NameStatus.ControlCharacter, 2)]  // ESC
        [InlineData("\u0000", NameStatus.ControlCharacter, 0)]
        [InlineData("vm\u007F", NameStatus.ControlCharacter, 2)]
        [InlineData("vm\u202Etxt.exe", NameStatus.BidiControl, 2)]    // RIGHT-TO-LEFT OVERRIDE
        [InlineData("a\u2066b\u2069", NameStatus.BidiControl, 1)]      // LEFT-TO-RIGHT ISOLATE
        [InlineData("a\u200Fb", NameStatus.BidiControl, 1)]            // RIGHT-TO-LEFT MARK
        [InlineData("a\u061Cb", NameStatus.BidiControl, 1)]            // ARABIC LETTER MARK
        [InlineData("\uFEFFvm", NameStatus.InvisibleCharacter, 0)]     // BOM
        [InlineData("v\u200Dm", NameStatus.InvisibleCharacter, 1)]     // ZERO WIDTH JOINER
        [InlineData("v\u200Bm", NameStatus.InvisibleCharacter, 1)]     // ZERO WIDTH SPACE
        [InlineData("vm\u00AD", NameStatus.InvisibleCharacter, 2)]     // SOFT HYPHEN
        [InlineData("\u2764\uFE0F", NameStatus.InvisibleCharacter, 1)] // emoji presentation selector
        [InlineData("\U0001F468\u200D\U0001F469", NameStatus.InvisibleCharacter, 2)] // emoji ZWJ sequence
        [InlineData("\u3164", NameStatus.InvisibleCharacter, 0)]       // HANGUL FILLER: a blank-looking name
        [InlineData("vm\u2028x", NameStatus.LineSeparator, 2)]
        [InlineData("vm\u2029x", NameStatus.LineSeparator, 2)]
        [InlineData("a\uFDD0", NameStatus.Noncharacter, 1)]
        [InlineData("a\uFFFE", NameStatus.Noncharacter, 1)]
        [InlineData("a\uFFFF", NameStatus.Noncharacter, 1)]
        [InlineData("a\U0001FFFF", NameStatus.Noncharacter, 1)]
        [InlineData("a\U0010FFFE", NameStatus.Noncharacter, 1)]
        [InlineData("a\uE000", NameStatus.PrivateUse, 1)]
        [InlineData("a\uF8FF", NameStatus.PrivateUse, 1)]
        [InlineData("a\U000F0000", NameStatus.PrivateUse, 1)]
        [InlineData("a\U0010FFFD", NameStatus.PrivateUse, 1)]
        [InlineData("a/b", NameStatus.PathSeparator, 1)]
        [InlineData("..\\etc", NameStatus.PathSeparator, 2)]
        [InlineData(" ", NameStatus.LeadingOrTrailingSpace, 0)]
        [InlineData(" vm", NameStatus.LeadingOrTrailingSpace, 0)]
        [InlineData("vm ", NameStatus.LeadingOrTrailingSpace, 2)]
        [InlineData("vm\u00A0", NameStatus.LeadingOrTrailingSpace, 2)] // NO-BREAK SPACE
        [InlineData("\u3000vm", NameStatus.LeadingOrTrailingSpace, 0)] // IDEOGRAPHIC SPACE
        [InlineData("\u2800", NameStatus.LeadingOrTrailingSpace, 0)]   // BRAILLE PATTERN BLANK
        [InlineData(".", NameStatus.DotName, 0)]
        [InlineData("..", NameStatus.DotName, 0)]
        public void EachKindOfDeceptiveNameIsRefusedWhereItGoesWrong(string name, NameStatus expected, int at)
        {
            Assert.Equal(expected, NameRule.Check(name, out int position));
            Assert.Equal(at, position);
        }

        // Here, not in [InlineData]: attribute strings cannot carry a lone surrogate.
        [Fact]
        public void UnpairedSurrogatesAreRefusedWhereTheyStand()
        {
            Assert.Equal(NameStatus.UnpairedSurrogate, NameRule.Check("vm\uD800x", out int position));
            Assert.Equal(2, position);
            Assert.Equal(NameStatus.UnpairedSurrogate, NameRule.Check("vm\uDC00\uD800", out position)); // wrong order
            Assert.Equal(2, position);
            Assert.Equal(NameStatus.UnpairedSurrogate, NameRule.Check("vm\U0001F600\uD83D", out position)); // cut short
            Assert.Equal(4, position);
        }

        [Fact]
        public void EmptyAndOverlongNamesAreRefusedAsAWhole()
        {
            Assert.Equal(NameStatus.Empty, NameRule.Check("", out int position));
            Assert.Equal(-1, position);
            Assert.Equal(NameStatus.Empty, Check(null));
            Assert.Equal(NameStatus.Ok, Check(new string('a', NameRule.MaxLength)));
            Assert.Equal(NameStatus.TooLong, NameRule.Check(new string('a', NameRule.MaxLength + 1), out position));
            Assert.Equal(-1, position);
            Assert.Equal(NameStatus.Ok, Check(string.Concat(System.Linq.Enumerable.Repeat("😀", NameRule.MaxLength / 2))));
        }
    }
}
