using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System
{
    public sealed unsafe class String
    {
        // ilc requires exactly these field names (its static pre-initialiser reads them).
        private int _stringLength;
        private char _firstChar;

        public int Length => _stringLength;

        [IndexerName("Chars")]
        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength) Panic.IndexOutOfRange();
                fixed (char* p = &_firstChar) return p[index];
            }
        }

        public static readonly string Empty = "";

        // ilc turns `new string(...)` into a call to the matching static Ctor method.
        public extern String(char[] value, int startIndex, int length);
        public extern String(char* value, int length);

        private static string Ctor(char[] value, int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex > value.Length - length) Panic.IndexOutOfRange();
            string s = Allocate(length);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < length; i++) d[i] = value[startIndex + i];
            return s;
        }

        private static string Ctor(char* value, int length)
        {
            string s = Allocate(length);
            fixed (char* d = &s._firstChar)
                for (int i = 0; i < length; i++) d[i] = value[i];
            return s;
        }

        internal static string Allocate(int length)
        {
            if (length == 0) return Empty;
            return (string)RuntimeExports.AllocateArray(StringType(), length);
        }

        // The MethodTable of System.String, taken from a literal (literals are frozen objects ilc lays out).
        private static MethodTable* StringType()
        {
            string literal = "";
            fixed (char* c = &literal._firstChar) return *(MethodTable**)((byte*)c - 12);
        }

        public static bool operator ==(string a, string b) => Equals(a, b);
        public static bool operator !=(string a, string b) => !Equals(a, b);

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if ((object)a == null || (object)b == null || a._stringLength != b._stringLength) return false;
            fixed (char* pa = &a._firstChar)
            fixed (char* pb = &b._firstChar)
                for (int i = 0; i < a._stringLength; i++)
                    if (pa[i] != pb[i]) return false;
            return true;
        }

        public override bool Equals(object o) => o is string s && Equals(this, s);
        public override int GetHashCode()
        {
            int h = 5381;
            fixed (char* p = &_firstChar)
                for (int i = 0; i < _stringLength; i++) h = h * 33 ^ p[i];
            return h;
        }
        public override string ToString() => this;

        public static string Concat(string a, string b) => Concat(a, b, null, null);
        public static string Concat(string a, string b, string c) => Concat(a, b, c, null);

        public static string Concat(string a, string b, string c, string d)
        {
            int la = a == null ? 0 : a.Length, lb = b == null ? 0 : b.Length;
            int lc = c == null ? 0 : c.Length, ld = d == null ? 0 : d.Length;
            string s = Allocate(la + lb + lc + ld);
            if (s.Length == 0) return s;
            fixed (char* p = &s._firstChar)
            {
                int at = CopyInto(p, 0, a);
                at = CopyInto(p, at, b);
                at = CopyInto(p, at, c);
                CopyInto(p, at, d);
            }
            return s;
        }

        private static int CopyInto(char* dest, int at, string src)
        {
            if (src == null) return at;
            fixed (char* p = &src._firstChar)
                for (int i = 0; i < src._stringLength; i++) dest[at++] = p[i];
            return at;
        }

        public string Substring(int start, int length)
        {
            if (start < 0 || length < 0 || start > _stringLength - length) Panic.IndexOutOfRange();
            string s = Allocate(length);
            if (length == 0) return s;
            fixed (char* src = &_firstChar)
            fixed (char* dst = &s._firstChar)
                for (int i = 0; i < length; i++) dst[i] = src[start + i];
            return s;
        }

        public string Substring(int start) => Substring(start, _stringLength - start);
    }
}
