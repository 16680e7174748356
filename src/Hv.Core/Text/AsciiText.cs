using System;

namespace Hv.Core.Text
{
    /// <summary>
    /// Turns NUL-terminated byte strings from boot loaders and guests into managed strings. The image has
    /// no Encoding; anything outside printable ASCII becomes '?' so a hostile byte can never smuggle a
    /// control sequence into the host log.
    /// </summary>
    public static class AsciiText
    {
        /// <summary>Decodes up to the first NUL (or the end of <paramref name="bytes"/>).</summary>
        public static string FromNulTerminated(ReadOnlySpan<byte> bytes)
        {
            int length = 0;
            while (length < bytes.Length && bytes[length] != 0)
            {
                length++;
            }
            if (length == 0)
            {
                return "";
            }
            char[] chars = new char[length];
            for (int i = 0; i < length; i++)
            {
                byte b = bytes[i];
                chars[i] = b >= 0x20 && b < 0x7F ? (char)b : '?';
            }
            return new string(chars, 0, length);
        }
    }
}
