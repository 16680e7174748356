namespace Hv.Protocol.Wire
{
    /// <summary>
    /// UTF-8 between C# strings and bytes, written out because the image has no Encoding. Lone surrogates and
    /// malformed sequences become U+FFFD, so any byte string decodes and any string encodes.
    /// </summary>
    public static class Utf8
    {
        /// <summary>Number of UTF-8 bytes <see cref="Encode"/> writes for <paramref name="text"/>.</summary>
        public static int ByteCount(string text)
        {
            if (text == null)
            {
                return 0;
            }
            int n = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c < 0x80)
                {
                    n += 1;
                }
                else if (c < 0x800)
                {
                    n += 2;
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    n += 4;
                    i++;
                }
                else
                {
                    n += 3;
                }
            }
            return n;
        }

        /// <summary>Writes the UTF-8 of <paramref name="text"/> at dst[offset]; returns bytes written (caller sized dst with ByteCount).</summary>
        public static int Encode(string text, byte[] dst, int offset)
        {
            if (text == null)
            {
                return 0;
            }
            return Encode(text, text.Length, dst, offset);
        }

        /// <summary>Writes the UTF-8 of the first <paramref name="chars"/> chars of <paramref name="text"/>.</summary>
        public static int Encode(string text, int chars, byte[] dst, int offset)
        {
            if (text == null)
            {
                return 0;
            }
            int p = offset;
            for (int i = 0; i < chars; i++)
            {
                int c = text[i];
                if (c < 0x80)
                {
                    dst[p++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    dst[p++] = (byte)(0xC0 | (c >> 6));
                    dst[p++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < chars && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                    dst[p++] = (byte)(0xF0 | (cp >> 18));
                    dst[p++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    dst[p++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    dst[p++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    if (c >= 0xD800 && c <= 0xDFFF)
                    {
                        c = 0xFFFD;
                    }
                    dst[p++] = (byte)(0xE0 | (c >> 12));
                    dst[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    dst[p++] = (byte)(0x80 | (c & 0x3F));
                }
            }
            return p - offset;
        }

        /// <summary>
        /// Bytes of the longest prefix of <paramref name="text"/> whose UTF-8 fits in <paramref name="maxBytes"/>
        /// (never splitting a character); <paramref name="chars"/> gets that prefix's length in chars.
        /// </summary>
        public static int PrefixByteCount(string text, int maxBytes, out int chars)
        {
            chars = 0;
            if (text == null)
            {
                return 0;
            }
            int n = 0;
            int i = 0;
            while (i < text.Length)
            {
                int c = text[i];
                int size;
                int used = 1;
                if (c < 0x80)
                {
                    size = 1;
                }
                else if (c < 0x800)
                {
                    size = 2;
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    size = 4;
                    used = 2;
                }
                else
                {
                    size = 3;
                }
                if (n + size > maxBytes)
                {
                    break;
                }
                n += size;
                i += used;
            }
            chars = i;
            return n;
        }

        /// <summary>
        /// Length of the well-formed sequence starting at src[i] (1..4), or the negative length of the maximal
        /// ill-formed subpart to replace by one U+FFFD (Unicode §3.9, "best practice", as .NET does).
        /// </summary>
        private static int Sequence(byte[] src, int i, int end, out int codePoint)
        {
            int b = src[i];
            codePoint = b;
            if (b < 0x80)
            {
                return 1;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF)
            {
                need = 1;
                codePoint = b & 0x1F;
            }
            else if (b >= 0xE0 && b <= 0xEF)
            {
                need = 2;
                codePoint = b & 0x0F;
                if (b == 0xE0)
                {
                    lo = 0xA0;
                }
                else if (b == 0xED)
                {
                    hi = 0x9F;
                }
            }
            else if (b >= 0xF0 && b <= 0xF4)
            {
                need = 3;
                codePoint = b & 0x07;
                if (b == 0xF0)
                {
                    lo = 0x90;
                }
                else if (b == 0xF4)
                {
                    hi = 0x8F;
                }
            }
            else
            {
                return -1;
            }
            for (int j = 1; j <= need; j++)
            {
                if (i + j >= end)
                {
                    return -j;
                }
                int c = src[i + j];
                if (c < lo || c > hi)
                {
                    return -j;
                }
                lo = 0x80;
                hi = 0xBF;
                codePoint = (codePoint << 6) | (c & 0x3F);
            }
            return need + 1;
        }

        /// <summary>
        /// Decodes src[offset .. offset+count) into chars (needs at most <paramref name="count"/> chars);
        /// returns the number of chars written. Ill-formed bytes become U+FFFD.
        /// </summary>
        public static int Decode(byte[] src, int offset, int count, char[] dst, int dstOffset)
        {
            int p = dstOffset;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int cp;
                int n = Sequence(src, i, end, out cp);
                if (n < 0)
                {
                    dst[p++] = (char)0xFFFD;
                    i -= n;
                    continue;
                }
                i += n;
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    dst[p++] = (char)(0xD800 + (cp >> 10));
                    dst[p++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    dst[p++] = (char)cp;
                }
            }
            return p - dstOffset;
        }

        /// <summary>Strict well-formedness (no overlongs, no surrogates, at most U+10FFFF).</summary>
        public static bool IsWellFormed(byte[] src, int offset, int count)
        {
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                int cp;
                int n = Sequence(src, i, end, out cp);
                if (n < 0)
                {
                    return false;
                }
                i += n;
            }
            return true;
        }

        /// <summary>Allocates a string from UTF-8 bytes (set-up time and the client only).</summary>
        public static string ToNewString(byte[] src, int offset, int count)
        {
            if (count == 0)
            {
                return "";
            }
            char[] chars = new char[count];
            int n = Decode(src, offset, count, chars, 0);
            string text = new string(chars, 0, n);
            Owned.Free(chars);
            return text;
        }

        /// <summary>Whether the UTF-8 bytes equal <paramref name="text"/>, without allocating.</summary>
        public static bool EqualsString(byte[] src, int offset, int count, string text)
        {
            if (text == null)
            {
                return false;
            }
            if (ByteCount(text) != count)
            {
                return false;
            }
            // Compare by re-encoding char by char (UTF-8 is a bijection on well-formed text).
            int p = offset;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c < 0x80)
                {
                    if (src[p++] != c)
                    {
                        return false;
                    }
                }
                else if (c < 0x800)
                {
                    if (src[p++] != (0xC0 | (c >> 6)) || src[p++] != (0x80 | (c & 0x3F)))
                    {
                        return false;
                    }
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                    if (src[p++] != (0xF0 | (cp >> 18)) || src[p++] != (0x80 | ((cp >> 12) & 0x3F))
                        || src[p++] != (0x80 | ((cp >> 6) & 0x3F)) || src[p++] != (0x80 | (cp & 0x3F)))
                    {
                        return false;
                    }
                }
                else
                {
                    if (c >= 0xD800 && c <= 0xDFFF)
                    {
                        c = 0xFFFD;
                    }
                    if (src[p++] != (0xE0 | (c >> 12)) || src[p++] != (0x80 | ((c >> 6) & 0x3F)) || src[p++] != (0x80 | (c & 0x3F)))
                    {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /// <summary>
    /// A UTF-8 string field of a request, received into a fixed buffer so the server never allocates; the
    /// host compares it (<see cref="EqualsString"/>) or turns it into a string once (<see cref="ToNewString"/>)
    /// when it keeps it, e.g. as a new VM's name.
    /// </summary>
    public sealed class Utf8Field
    {
        private readonly byte[] _bytes;
        private int _length;

        public Utf8Field(int capacity)
        {
            _bytes = new byte[capacity];
        }

        public byte[] Bytes { get { return _bytes; } }
        public int Length { get { return _length; } }
        public int Capacity { get { return _bytes.Length; } }

        /// <summary>Copies count bytes in; false (and empty) if they do not fit.</summary>
        public bool Set(byte[] src, int offset, int count)
        {
            if (count < 0 || count > _bytes.Length)
            {
                _length = 0;
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                _bytes[i] = src[offset + i];
            }
            _length = count;
            return true;
        }

        /// <summary>Sets the field from a string; false (and empty) if its UTF-8 does not fit.</summary>
        public bool Set(string text)
        {
            int n = Utf8.ByteCount(text);
            if (n > _bytes.Length)
            {
                _length = 0;
                return false;
            }
            _length = Utf8.Encode(text, _bytes, 0);
            return true;
        }

        public void Clear()
        {
            _length = 0;
        }

        /// <summary>Sets the length after writing into <see cref="Bytes"/> directly; false (and empty) if over the capacity.</summary>
        public bool SetLength(int length)
        {
            if (length < 0 || length > _bytes.Length)
            {
                _length = 0;
                return false;
            }
            _length = length;
            return true;
        }

        public bool EqualsString(string text)
        {
            return Utf8.EqualsString(_bytes, 0, _length, text);
        }

        /// <summary>Allocates the string (call once when keeping the value, never per frame).</summary>
        public string ToNewString()
        {
            return Utf8.ToNewString(_bytes, 0, _length);
        }

        /// <summary>True if the bytes are well-formed UTF-8 with no control characters (U+0000..U+001F, U+007F).</summary>
        public bool IsCleanText()
        {
            for (int i = 0; i < _length; i++)
            {
                byte b = _bytes[i];
                if (b < 0x20 || b == 0x7F)
                {
                    return false;
                }
            }
            return Utf8.IsWellFormed(_bytes, 0, _length);
        }
    }
}
