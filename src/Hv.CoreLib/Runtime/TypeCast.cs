using Internal.Runtime;

namespace System.Runtime
{
    // Casting helpers ilc calls. Classes only: interfaces are not supported in the image (PORTABLE.md).
    internal static unsafe class TypeCast
    {
        private static MethodTable* TypeOf(object obj) => obj.m_pMethodTable;

        private static bool IsSubclass(MethodTable* type, MethodTable* target)
        {
            for (; type != null; type = type->RelatedType)
                if (type == target) return true;
            return false;
        }

        public static object IsInstanceOfClass(MethodTable* target, object obj)
            => obj == null || IsSubclass(TypeOf(obj), target) ? obj : null;

        public static object IsInstanceOfAny(MethodTable* target, object obj) => IsInstanceOfClass(target, obj);

        public static object IsInstanceOfInterface(MethodTable* target, object obj)
        {
            Panic.Fail("interface cast is not supported in the image");
            return null;
        }

        public static bool IsInstanceOfException(MethodTable* target, object obj) => false;

        public static object CheckCastClass(MethodTable* target, object obj)
        {
            if (obj != null && !IsSubclass(TypeOf(obj), target)) Panic.Fail("invalid cast");
            return obj;
        }

        public static object CheckCastClassSpecial(MethodTable* target, object obj) => CheckCastClass(target, obj);
        public static object CheckCastAny(MethodTable* target, object obj) => CheckCastClass(target, obj);
        public static object CheckCastInterface(MethodTable* target, object obj) => IsInstanceOfInterface(target, obj);

        private static object* Element(object[] array, nint index)
        {
            if ((ulong)index >= (ulong)array.Length) Panic.IndexOutOfRange();
            byte* data = *(byte**)&array + 16;
            return (object*)data + index;
        }

        public static void StelemRef(object[] array, nint index, object obj) => *Element(array, index) = obj;

        public static ref object LdelemaRef(object[] array, nint index, MethodTable* elementType) => ref *Element(array, index);
    }
}

namespace System
{
    internal static unsafe class Buffer
    {
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
            => SpanHelpers.Memmove(ref destination, ref source, byteCount);
    }

    // Block copy and fill helpers the JIT calls for struct copies, initblk and stackalloc zeroing.
    internal static unsafe class SpanHelpers
    {
        internal static void Fill(ref byte destination, byte value, nuint length)
        {
            fixed (byte* d = &destination)
                for (nuint i = 0; i < length; i++) d[i] = value;
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint length) => Fill(ref destination, 0, length);

        // Eight bytes a move (x86 allows unaligned ones); forward unless the destination starts inside the source,
        // where a backward copy keeps overlapping bytes intact.
        internal static void Memmove(ref byte destination, ref byte source, nuint length)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
            {
                if (d <= s || d >= s + length)
                {
                    nuint i = 0;
                    for (; i + 8 <= length; i += 8) *(ulong*)(d + i) = *(ulong*)(s + i);
                    for (; i < length; i++) d[i] = s[i];
                }
                else
                {
                    nuint i = length;
                    for (; i >= 8; i -= 8) *(ulong*)(d + i - 8) = *(ulong*)(s + i - 8);
                    for (; i > 0; i--) d[i - 1] = s[i - 1];
                }
            }
        }
    }
}
