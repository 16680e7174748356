using System;

namespace Hv.Core.Memory
{
    /// <summary>Template bytes in a managed array, which the holder owns.</summary>
    public sealed class ArrayBytes : ImageBytes
    {
        public readonly byte[] Array;

        public ArrayBytes(byte[] array)
        {
            Array = array;
        }

        public override ReadOnlySpan<byte> Span { get { return Array; } }

        public override void Free()
        {
            Owned.Free(Array);
            Owned.Free(this);
        }
    }
}
