namespace Hv.Core.Boot
{
    /// <summary>
    /// The hypervisor command line, e.g. <c>hv.log=com2 hv.selftest=pagefault quiet key="a b"</c>.
    ///
    /// Grammar (a subset of Linux's kernel-parameters.rst rules): tokens are separated by unquoted spaces,
    /// tabs or line breaks; a token is <c>key=value</c> (split at the first '=') or a bare flag
    /// <c>key</c>. Double quotes group text containing spaces and are removed; as in Linux's next_arg(), the
    /// first '=' splits the token even inside quotes, so <c>"k=a b"</c> is k = "a b". Keys compare case-sensitively;
    /// when a key repeats, the last occurrence wins.
    ///
    /// Malformed input never fails the parse:
    /// - an unterminated quote runs to the end of the line (the quote is dropped) and sets <see cref="Malformed"/>;
    /// - a token with an empty key (<c>=value</c>) is skipped and sets <see cref="Malformed"/>;
    /// - tokens beyond <see cref="MaxTokens"/> are skipped and set <see cref="Truncated"/>.
    /// </summary>
    public sealed class CommandLine
    {
        public const int MaxTokens = 64;

        private readonly string[] _keys = new string[MaxTokens];
        private readonly string[] _values = new string[MaxTokens];
        private int _count;
        private bool _malformed;
        private bool _truncated;

        private CommandLine()
        {
        }

        public int Count { get { return _count; } }
        public bool Malformed { get { return _malformed; } }
        public bool Truncated { get { return _truncated; } }

        public string Key(int index)
        {
            return _keys[index];
        }

        /// <summary>The value of token <paramref name="index"/>; null for a bare flag.</summary>
        public string Value(int index)
        {
            return _values[index];
        }

        /// <summary>The value of the last <paramref name="key"/>; "" for <c>key=</c>, null when absent or a bare flag.</summary>
        public string Get(string key)
        {
            int index = IndexOf(key);
            return index < 0 ? null : _values[index];
        }

        public bool Has(string key)
        {
            return IndexOf(key) >= 0;
        }

        public static CommandLine Parse(string text)
        {
            CommandLine result = new CommandLine();
            if (text == null)
            {
                return result;
            }
            // Unquoted token text never exceeds the input, so one scratch buffer serves every token.
            char[] scratch = new char[text.Length];
            int position = 0;
            while (true)
            {
                while (position < text.Length && IsSeparator(text[position]))
                {
                    position++;
                }
                if (position == text.Length)
                {
                    return result;
                }

                int length = 0;
                int equalsAt = -1;
                bool quoted = false;
                while (position < text.Length && (quoted || !IsSeparator(text[position])))
                {
                    char c = text[position++];
                    if (c == '"')
                    {
                        quoted = !quoted;
                    }
                    else
                    {
                        if (c == '=' && equalsAt < 0)
                        {
                            equalsAt = length;
                        }
                        scratch[length++] = c;
                    }
                }
                if (quoted)
                {
                    result._malformed = true;
                }
                result.AddToken(scratch, length, equalsAt);
            }
        }

        private void AddToken(char[] token, int length, int equalsAt)
        {
            if (equalsAt == 0 || length == 0)
            {
                // "=value" has no key; "\"\"" is an empty token. Neither names anything.
                _malformed = true;
                return;
            }
            if (_count == MaxTokens)
            {
                _truncated = true;
                return;
            }
            if (equalsAt < 0)
            {
                _keys[_count] = new string(token, 0, length);
                _values[_count] = null;
            }
            else
            {
                _keys[_count] = new string(token, 0, equalsAt);
                _values[_count] = equalsAt + 1 == length ? "" : new string(token, equalsAt + 1, length - equalsAt - 1);
            }
            _count++;
        }

        private int IndexOf(string key)
        {
            for (int i = _count - 1; i >= 0; i--)
            {
                if (_keys[i] == key)
                {
                    return i;
                }
            }
            return -1;
        }

        private static bool IsSeparator(char c)
        {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r';
        }
    }
}
