using Hv.Core.Text;

namespace Hv.Core.Boot
{
    /// <summary>
    /// Writes a parsed <see cref="CommandLine"/> back as text for the log, with the value of every secret option
    /// (<c>hv.key</c>) replaced by "&lt;redacted&gt;": the log may reach people and collectors that must not learn the
    /// key. It echoes the parsed tokens rather than the raw text, so nothing the parser dropped (a token beyond
    /// <see cref="CommandLine.MaxTokens"/>, a key-less "=value") can carry a secret past the redaction.
    /// </summary>
    public static class CommandLineEcho
    {
        public const string Redacted = "<redacted>";

        public static bool IsSecret(string key)
        {
            return key == "hv.key";
        }

        public static void Write(TextSink text, CommandLine line)
        {
            for (int i = 0; i < line.Count; i++)
            {
                if (i > 0)
                {
                    text.Write(' ');
                }
                WriteQuotedIfSpaced(text, line.Key(i));
                string value = line.Value(i);
                if (value == null)
                {
                    continue;
                }
                text.Write('=');
                if (IsSecret(line.Key(i)))
                {
                    text.Write(Redacted);
                }
                else
                {
                    WriteQuotedIfSpaced(text, value);
                }
            }
            if (line.Truncated)
            {
                text.Write(" (more options ignored)");
            }
        }

        // Quotes text that holds a separator, so the echo parses back to the same tokens.
        private static void WriteQuotedIfSpaced(TextSink text, string value)
        {
            bool spaced = false;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                spaced |= c == ' ' || c == '\t' || c == '\n' || c == '\r';
            }
            if (spaced)
            {
                text.Write('"');
            }
            text.Write(value);
            if (spaced)
            {
                text.Write('"');
            }
        }
    }
}
