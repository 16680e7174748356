namespace Hv.Core.Text
{
    /// <summary>
    /// The one rule for names a person reads back (VMs, templates, snapshots, switches): what is shown in a table or
    /// a log must be all there is, and must not steer the terminal or the text around it. Works on UTF-16 strings as
    /// the image holds them, without System.Globalization (the image has none): small range tables from the Unicode
    /// 16.0 Character Database, file and property named on each.
    ///
    /// Refused: control characters of any plane; format and default-ignorable characters, which show nothing (so two
    /// names that look alike would differ: ZWJ, BOM, variation selectors, tags, Hangul fillers; UTS #39 §3.1 keeps
    /// them out of identifiers for the same reason); bidirectional controls (an override shows
    /// "vm\u202Etxt.exe" as "vmexe.txt"); line and paragraph separators; unpaired surrogates; noncharacters; private
    /// use (its look is whatever the reader's font says); '/' and '\' (a name is not a path, and the module may build
    /// file names from it); a space, or a character that shows as one, at either end (" " alone is a blank name);
    /// "." and "..".
    ///
    /// Accepted: letters, marks, digits, punctuation and symbols of every script, spaces inside, emoji as single code
    /// points (an emoji ZWJ sequence or one with a presentation selector is refused with its invisible part). Not
    /// attempted: unassigned code points (they show as a box, so they do not hide), and look-alike letters of other
    /// scripts (UTS #39 confusables, e.g. Cyrillic 'а' for Latin 'a'): names are compared exactly.
    /// </summary>
    public static class NameRule
    {
        /// <summary>In UTF-16 code units (the hypervisor's name limit).</summary>
        public const int MaxLength = 64;

        // Inclusive ranges [first, last], ascending.
        // General_Category=Cc (UnicodeData.txt): C0, DEL and C1.
        private static readonly int[] Controls = { 0x0000, 0x001F, 0x007F, 0x009F };

        // Bidi_Control (PropList.txt; UAX #9 §2): ALM; LRM, RLM; LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI.
        private static readonly int[] BidiControls = { 0x061C, 0x061C, 0x200E, 0x200F, 0x202A, 0x202E, 0x2066, 0x2069 };

        // General_Category=Cf (UnicodeData.txt) and Default_Ignorable_Code_Point (DerivedCoreProperties.txt), less the
        // bidi controls: soft hyphen, CGJ, Arabic/Syriac prepended marks, Hangul fillers, Khmer inherent vowels,
        // Mongolian selectors and separator, ZWSP/ZWNJ/ZWJ, word joiner and invisible operators (with reserved U+2065),
        // deprecated format controls, variation selectors, BOM, halfwidth Hangul filler, reserved U+FFF0-FFF8 and the
        // interlinear annotation controls, Kaithi number signs, Egyptian hieroglyph format controls, shorthand format
        // controls, musical beams and phrases, and all of U+E0000-E0FFF (tags, variation selectors supplement).
        private static readonly int[] Invisible =
        {
            0x00AD, 0x00AD, 0x034F, 0x034F, 0x0600, 0x0605, 0x06DD, 0x06DD, 0x070F, 0x070F, 0x0890, 0x0891,
            0x08E2, 0x08E2, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180F, 0x200B, 0x200D, 0x2060, 0x2065,
            0x206A, 0x206F, 0x3164, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFEFF, 0xFFA0, 0xFFA0, 0xFFF0, 0xFFFB,
            0x110BD, 0x110BD, 0x110CD, 0x110CD, 0x13430, 0x1343F, 0x1BCA0, 0x1BCA3, 0x1D173, 0x1D17A, 0xE0000, 0xE0FFF,
        };

        // General_Category=Co (UnicodeData.txt): the BMP area and planes 15 and 16 (whose last two code points are
        // noncharacters, caught first).
        private static readonly int[] PrivateUse = { 0xE000, 0xF8FF, 0xF0000, 0xFFFFD, 0x100000, 0x10FFFD };

        // White_Space (PropList.txt) not refused anyway (the rest are controls and separators), and U+2800 BRAILLE
        // PATTERN BLANK, which shows as a space.
        private static readonly int[] Spaces =
        {
            0x0020, 0x0020, 0x00A0, 0x00A0, 0x1680, 0x1680, 0x2000, 0x200A, 0x202F, 0x202F, 0x205F, 0x205F,
            0x2800, 0x2800, 0x3000, 0x3000,
        };

        /// <summary>
        /// Whether <paramref name="name"/> may be used; if not, why, and in <paramref name="position"/> the index of
        /// the UTF-16 code unit at fault (-1 when the name as a whole is: empty, too long).
        /// </summary>
        public static NameStatus Check(string name, out int position)
        {
            return Check(new Units(name, null, name == null ? 0 : name.Length), out position);
        }

        /// <summary>
        /// The same rule over units[0..length), e.g. a name decoded from a request into a reused buffer, so that a
        /// refused name costs no allocation.
        /// </summary>
        public static NameStatus Check(char[] units, int length, out int position)
        {
            return Check(new Units(null, units, length), out position);
        }

        /// <summary>Why a name was refused, in words (a literal: the host answers it as the request's error detail).</summary>
        public static string Explain(NameStatus status)
        {
            switch (status)
            {
                case NameStatus.Ok: return "the name is valid";
                case NameStatus.Empty: return "the name is empty";
                case NameStatus.TooLong: return "the name is longer than 64 characters";
                case NameStatus.ControlCharacter: return "the name contains a control character (C0 or C1, e.g. U+001B, U+0085, U+009B)";
                case NameStatus.InvisibleCharacter: return "the name contains an invisible format character (e.g. ZWJ U+200D, BOM U+FEFF, a variation selector)";
                case NameStatus.BidiControl: return "the name contains a bidirectional override, embedding, isolate or mark (e.g. U+202E)";
                case NameStatus.LineSeparator: return "the name contains a line or paragraph separator (U+2028, U+2029)";
                case NameStatus.UnpairedSurrogate: return "the name contains an unpaired surrogate";
                case NameStatus.Noncharacter: return "the name contains a Unicode noncharacter (e.g. U+FFFE)";
                case NameStatus.PrivateUse: return "the name contains a private-use character";
                case NameStatus.PathSeparator: return "the name contains '/' or '\\'";
                case NameStatus.LeadingOrTrailingSpace: return "the name starts or ends with a space";
                case NameStatus.DotName: return "the name is '.' or '..'";
                default: return "the name is not allowed";
            }
        }

        private static NameStatus Check(Units name, out int position)
        {
            position = -1;
            if (name.Length == 0) return NameStatus.Empty;
            if (name.Length > MaxLength) return NameStatus.TooLong;
            for (int i = 0; i < name.Length; i++)
            {
                int codePoint = name[i];
                bool pair = IsHighSurrogate(codePoint) && i + 1 < name.Length && IsLowSurrogate(name[i + 1]);
                if (pair) codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (name[i + 1] - 0xDC00);
                NameStatus status = Classify(codePoint);
                if (status != NameStatus.Ok)
                {
                    position = i;
                    return status;
                }
                if (pair) i++;
            }
            position = In(Spaces, name[0]) ? 0 : In(Spaces, name[name.Length - 1]) ? name.Length - 1 : -1;
            if (position >= 0) return NameStatus.LeadingOrTrailingSpace;
            if (name[0] == '.' && (name.Length == 1 || (name.Length == 2 && name[1] == '.')))
            {
                position = 0;
                return NameStatus.DotName;
            }
            return NameStatus.Ok;
        }

        // A name's UTF-16 code units, from a string or a buffer.
        private readonly struct Units
        {
            private readonly string _text;
            private readonly char[] _buffer;
            public readonly int Length;

            public Units(string text, char[] buffer, int length)
            {
                _text = text;
                _buffer = buffer;
                Length = length;
            }

            public char this[int index] { get { return _text != null ? _text[index] : _buffer[index]; } }
        }

        // One code point; a surrogate reaching here is unpaired.
        private static NameStatus Classify(int codePoint)
        {
            if (codePoint >= 0x20 && codePoint < 0x7F)
                return codePoint == '/' || codePoint == '\\' ? NameStatus.PathSeparator : NameStatus.Ok;
            if (In(Controls, codePoint)) return NameStatus.ControlCharacter;
            if (codePoint == 0x2028 || codePoint == 0x2029) return NameStatus.LineSeparator; // Zl, Zp
            if (In(BidiControls, codePoint)) return NameStatus.BidiControl;
            if (In(Invisible, codePoint)) return NameStatus.InvisibleCharacter;
            // Noncharacter_Code_Point (PropList.txt; The Unicode Standard §23.7).
            if ((codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE) return NameStatus.Noncharacter;
            if (In(PrivateUse, codePoint)) return NameStatus.PrivateUse;
            if (IsHighSurrogate(codePoint) || IsLowSurrogate(codePoint)) return NameStatus.UnpairedSurrogate;
            return NameStatus.Ok;
        }

        private static bool IsHighSurrogate(int unit) => unit >= 0xD800 && unit <= 0xDBFF;

        private static bool IsLowSurrogate(int unit) => unit >= 0xDC00 && unit <= 0xDFFF;

        private static bool In(int[] ranges, int codePoint)
        {
            for (int i = 0; i < ranges.Length && ranges[i] <= codePoint; i += 2)
            {
                if (codePoint <= ranges[i + 1]) return true;
            }
            return false;
        }
    }
}
