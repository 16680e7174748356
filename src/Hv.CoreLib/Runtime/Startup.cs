namespace Internal.Runtime
{
    // What the .NET runtime would do at start-up for a module ilc compiled: give every type's reference-type
    // statics a real base object (the GC-static region), and run eager class constructors.
    // The layout is NativeAOT's ReadyToRun header (ModuleHeaders.h).
    public static unsafe class Startup
    {
        private const uint ReadyToRunSignature = 0x00525452; // "RTR"
        private const int GCStaticRegion = 201;
        private const int EagerCctor = 205;
        private const int HasEndPointer = 1;
        private const nint Uninitialized = 1;
        private const nint HasPreInitializedData = 2;
        private const nint FlagMask = 3;

        private struct Header
        {
            public uint Signature;
            public ushort MajorVersion, MinorVersion;
            public uint Flags;
            public ushort NumberOfSections;
            public byte EntrySize, EntryType;
        }

        private struct Section
        {
            public int Id;
            public int Flags;
            public byte* Start;
            public byte* End;
        }

        public static void Initialize(void* readyToRunHeader)
        {
            Header* header = (Header*)readyToRunHeader;
            if (header->Signature != ReadyToRunSignature) Panic.Fail("bad ReadyToRun header");
            Section* sections = (Section*)(header + 1);
            for (int i = 0; i < header->NumberOfSections; i++)
            {
                Section* s = (Section*)((byte*)sections + i * header->EntrySize);
                if ((s->Flags & HasEndPointer) == 0) continue;
                if (s->Id == GCStaticRegion) InitializeGCStatics(s->Start, s->End);
                else if (s->Id == EagerCctor) RunEagerClassConstructors(s->Start, s->End);
            }
        }

        private static byte* ReadRelative(void* at) => (byte*)at + *(int*)at;

        private static void InitializeGCStatics(byte* start, byte* end)
        {
            for (byte* entry = start; entry < end; entry += sizeof(int))
            {
                nint* block = (nint*)ReadRelative(entry);
                nint value = (nint)ReadRelative(block);
                if ((value & Uninitialized) == 0) continue;
                MethodTable* type = (MethodTable*)(value & ~FlagMask);
                object baseObject = RuntimeExports.NewObject(type);
                byte* raw = *(byte**)&baseObject;
                if ((value & HasPreInitializedData) != 0)
                {
                    byte* data = ReadRelative((int*)block + 1);
                    uint size = type->BaseSize - 16; // minus object header and MethodTable pointer
                    for (uint b = 0; b < size; b++) raw[8 + b] = data[b];
                }
                *block = (nint)raw;
            }
        }

        private static void RunEagerClassConstructors(byte* start, byte* end)
        {
            for (byte* entry = start; entry < end; entry += sizeof(int))
                ((delegate*<void>)ReadRelative(entry))();
        }
    }
}
