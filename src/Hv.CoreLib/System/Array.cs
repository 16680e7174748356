using Internal.Runtime;

namespace System
{
    public abstract unsafe class Array
    {
        // Layout after the MethodTable pointer, as ilc emits it for every array.
        private int _numComponents;
        private int _padding;

        public int Length => _numComponents;
    }

    // ilc uses Array<T> as the base of T[] for generic array helpers.
    public class Array<T> : Array { }
}
