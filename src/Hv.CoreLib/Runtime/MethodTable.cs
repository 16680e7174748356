namespace Internal.Runtime
{
    // The head of the type descriptor ilc emits for every type; only the fields allocation needs.
    // (ilc requires this exact namespace and name.)
    public unsafe struct MethodTable
    {
        private ushort _usComponentSize;
        private ushort _usFlags;
        private uint _uBaseSize;
        public MethodTable* RelatedType;

        public ushort ComponentSize => _usComponentSize;
        public uint BaseSize => _uBaseSize;
        // Arrays and strings: the size is BaseSize + ComponentSize * length (NativeAOT's HasComponentSizeFlag,
        // bit 31 of the flags word whose low half is the component size).
        public bool HasComponentSize => (_usFlags & 0x8000) != 0;
    }
}
