namespace Internal.Runtime
{
    // What SlabHeap.Free found at the pointer it was given. Anything but Ok is a bug in the caller; the kernel
    // panics naming it (Heap.Free) rather than let it corrupt the heap.
    public enum HeapFreeStatus
    {
        Ok,
        // No heap block owns this address: a foreign pointer, or a page block already given back.
        NotHeapBlock,
        // The address lies inside a live or free block but not at its start.
        InsideBlock,
        // The block is in a slab but not handed out: a double free.
        AlreadyFree,
        // The block is live but of another size than the object being freed claims (Free with a size).
        SizeMismatch,
    }
}
