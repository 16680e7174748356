namespace Hv.Core.Text
{
    /// <summary>Why <see cref="NameRule"/> refuses a name (or <see cref="Ok"/>).</summary>
    public enum NameStatus
    {
        Ok,
        /// <summary>No characters (or null).</summary>
        Empty,
        /// <summary>More than <see cref="NameRule.MaxLength"/> UTF-16 code units.</summary>
        TooLong,
        /// <summary>A C0 or C1 control (U+0000-001F, U+007F-009F), e.g. NEL U+0085 or CSI U+009B.</summary>
        ControlCharacter,
        /// <summary>A format or default-ignorable character that shows nothing: ZWJ U+200D, BOM U+FEFF, tags, ...</summary>
        InvisibleCharacter,
        /// <summary>A bidirectional control (embedding, override, isolate, mark), e.g. RLO U+202E.</summary>
        BidiControl,
        /// <summary>U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR.</summary>
        LineSeparator,
        /// <summary>A high surrogate without its low surrogate, or a low one without its high one.</summary>
        UnpairedSurrogate,
        /// <summary>A code point Unicode reserves for internal use (U+FDD0-FDEF, U+xxFFFE, U+xxFFFF).</summary>
        Noncharacter,
        /// <summary>A private-use character: its look is whatever the reader's font says.</summary>
        PrivateUse,
        /// <summary>'/' or '\': a name is not a path.</summary>
        PathSeparator,
        /// <summary>Starts or ends with a space or a character that shows as one.</summary>
        LeadingOrTrailingSpace,
        /// <summary>"." or "..".</summary>
        DotName,
    }
}
