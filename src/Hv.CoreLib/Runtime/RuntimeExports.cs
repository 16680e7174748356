using System.Runtime;

namespace Internal.Runtime
{
    // The allocation and transition helpers ilc-generated code calls by name.
    public static unsafe class RuntimeExports
    {
        [RuntimeExport("RhpNewFast")]
        public static object NewObject(MethodTable* type)
        {
            void* p = Heap.Allocate(type->BaseSize);
            *(MethodTable**)p = type;
            return ToObject(p);
        }

        [RuntimeExport("RhpNewFinalizable")]
        public static object NewFinalizable(MethodTable* type) => NewObject(type);

        [RuntimeExport("RhpNewArrayFast")]
        public static object NewArrayFast(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhpNewArray")]
        public static object NewArray(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        public static object NewPtrArrayFast(MethodTable* type, int length) => AllocateArray(type, length);

        [RuntimeExport("RhNewString")]
        public static object NewString(MethodTable* type, int length) => AllocateArray(type, length);

        public static object AllocateArray(MethodTable* type, int length)
        {
            if (length < 0 || length > 0x10000000) Panic.Fail("array length out of range");
            ulong size = type->BaseSize + (ulong)type->ComponentSize * (ulong)length;
            void* p = Heap.Allocate(size);
            *(MethodTable**)p = type;
            *(int*)((byte*)p + 8) = length;
            return ToObject(p);
        }

        private static object ToObject(void* p) => *(object*)&p;

        [RuntimeExport("RhpAssignRef")]
        public static void AssignRef(void** location, void* value) { *location = value; }

        [RuntimeExport("RhpCheckedAssignRef")]
        public static void CheckedAssignRef(void** location, void* value) { *location = value; }

        [RuntimeExport("RhpByRefAssignRef")]
        public static void ByRefAssignRef(void** location, void* value) { *location = value; }

        // No GC and a single thread: the transitions between managed and native code have nothing to do.
        [RuntimeExport("RhpPInvoke")]
        public static void PInvoke(void* frame) { }

        [RuntimeExport("RhpPInvokeReturn")]
        public static void PInvokeReturn(void* frame) { }

        [RuntimeExport("RhpReversePInvoke")]
        public static void ReversePInvoke(void* frame) { }

        [RuntimeExport("RhpReversePInvokeReturn")]
        public static void ReversePInvokeReturn(void* frame) { }

        [RuntimeExport("RhpGcPoll")]
        public static void GcPoll() { }

        [RuntimeExport("RhpFallbackFailFast")]
        public static void FallbackFailFast() => Panic.Fail("fail fast");

        // `throw` has no unwinder here: it is a panic (PORTABLE.md forbids it in shared code).
        [RuntimeExport("RhpThrowEx")]
        public static void ThrowEx(object exception) => Panic.Fail("exception thrown");
    }
}
