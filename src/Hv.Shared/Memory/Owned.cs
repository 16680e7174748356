namespace Hv
{
    /// <summary>
    /// The one seam between portable code and the image's freeing heap (src/Hv.CoreLib/Runtime/Heap.cs). The image
    /// has no garbage collector, so whatever a request or a VM allocates is given back through here when its owner is
    /// done with it; in .NET the garbage collector does that and these calls do nothing.
    ///
    /// Ownership rule (src/PORTABLE.md, Memory): every object has exactly one owner, the object that made it or the one it was
    /// handed to, and only the owner frees it, once, after the last use. A method that keeps what it is given (a name,
    /// an image) takes ownership only when it returns Ok; on any refusal the caller still owns it. Literals and
    /// start-up objects live for good and are never freed.
    /// </summary>
    public static class Owned
    {
        /// <summary>Gives an object or array back to the heap; nothing may reference it afterwards. Null is ignored.</summary>
        public static void Free(object owned)
        {
#if HV_IMAGE
            Internal.Runtime.Heap.Free(owned);
#endif
        }

        /// <summary>
        /// A zeroed array of <paramref name="length"/> bytes for a size a client announced, or null when the host cannot
        /// spare the memory now (more than half of the free pages, or no run of pages that long): the request is then
        /// refused, and the host does not panic. In the image a large array is a run of whole pages from the page
        /// allocator and goes back as pages when freed.
        /// </summary>
        public static byte[] TryNewBytes(int length)
        {
            if (length < 0) return null;
#if HV_IMAGE
            return Internal.Runtime.Heap.TryNewBytes(length);
#else
            return new byte[length];
#endif
        }

        /// <summary>Gives a string back; the empty string is one shared literal in the image and is never freed.</summary>
        public static void Free(string owned)
        {
            if (owned == null || owned.Length == 0) return;
            Free((object)owned);
        }

        /// <summary>A copy of <paramref name="text"/> on the heap (null for null), for an owner that frees what it keeps.</summary>
        public static string Copy(string text)
        {
            return text == null ? null : Concat(text, "");
        }

        /// <summary><paramref name="first"/> then <paramref name="second"/> as a new string on the heap.</summary>
        public static string Concat(string first, string second)
        {
            char[] chars = new char[first.Length + second.Length];
            for (int i = 0; i < first.Length; i++) chars[i] = first[i];
            for (int i = 0; i < second.Length; i++) chars[first.Length + i] = second[i];
            string joined = new string(chars, 0, chars.Length);
            Free(chars);
            return joined;
        }
    }
}
