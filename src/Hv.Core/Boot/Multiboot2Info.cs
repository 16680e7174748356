using System;
using Hv.Core.Memory;
using Hv.Core.Text;

namespace Hv.Core.Boot
{
    /// <summary>
    /// The parts of the Multiboot2 boot information structure (Multiboot2 spec 3.6) the hypervisor uses:
    /// command line, modules, memory map and basic memory info.
    ///
    /// Layout: u32 total_size, u32 reserved, then tags, each starting 8-byte aligned, each
    /// u32 type, u32 size (size counts the 8-byte tag header, not the padding), ending with a type-0 tag.
    /// Every length read from the structure is checked against total_size and against the span before use,
    /// so a corrupt structure yields a status, never a read outside the span. Parsing stops at the first
    /// error; what was parsed before it stays available.
    /// </summary>
    public sealed class Multiboot2Info
    {
        public const int MaxMemoryRegions = 128;
        public const int MaxModules = 32;

        private const uint TagEnd = 0;
        private const uint TagCommandLine = 1;
        private const uint TagModule = 3;
        private const uint TagBasicMemoryInfo = 4;
        private const uint TagMemoryMap = 6;

        private const int HeaderSize = 8;
        private const int TagHeaderSize = 8;
        private const int ModuleFixedSize = 16;      // header + mod_start + mod_end
        private const int BasicMemoryInfoSize = 16;  // header + mem_lower + mem_upper
        private const int MemoryMapFixedSize = 16;   // header + entry_size + entry_version
        private const int MemoryMapEntryMinSize = 24; // base_addr u64, length u64, type u32, reserved u32

        private Multiboot2Status _status;
        private string _commandLine = "";
        private BootModule[] _modules = new BootModule[0];
        private MemoryRegion[] _memoryRegions = new MemoryRegion[0];
        private bool _hasBasicMemoryInfo;
        private uint _lowerMemoryKiB;
        private uint _upperMemoryKiB;

        private Multiboot2Info()
        {
        }

        public Multiboot2Status Status { get { return _status; } }
        /// <summary>The kernel command line, "" when absent.</summary>
        public string CommandLine { get { return _commandLine; } }
        public BootModule[] Modules { get { return _modules; } }
        /// <summary>Raw firmware regions in reported order; clean them with <see cref="MemoryMap"/>.</summary>
        public MemoryRegion[] MemoryRegions { get { return _memoryRegions; } }
        public bool HasBasicMemoryInfo { get { return _hasBasicMemoryInfo; } }
        /// <summary>KiB of memory below 1 MiB (tag type 4).</summary>
        public uint LowerMemoryKiB { get { return _lowerMemoryKiB; } }
        /// <summary>KiB of memory from 1 MiB to the first hole (tag type 4).</summary>
        public uint UpperMemoryKiB { get { return _upperMemoryKiB; } }

        public static Multiboot2Info Parse(ReadOnlySpan<byte> data)
        {
            Multiboot2Info info = new Multiboot2Info();
            BootModule[] modules = new BootModule[MaxModules];
            MemoryRegion[] regions = new MemoryRegion[MaxMemoryRegions];
            int moduleCount = 0;
            int regionCount = 0;
            info._status = info.ParseTags(data, modules, ref moduleCount, regions, ref regionCount);

            info._modules = new BootModule[moduleCount];
            for (int i = 0; i < moduleCount; i++)
            {
                info._modules[i] = modules[i];
            }
            info._memoryRegions = new MemoryRegion[regionCount];
            for (int i = 0; i < regionCount; i++)
            {
                info._memoryRegions[i] = regions[i];
            }
            return info;
        }

        private Multiboot2Status ParseTags(
            ReadOnlySpan<byte> data,
            BootModule[] modules, ref int moduleCount,
            MemoryRegion[] regions, ref int regionCount)
        {
            if (data.Length < HeaderSize)
            {
                return Multiboot2Status.Truncated;
            }
            uint totalSize = LittleEndian.ReadUInt32(data, 0);
            if (totalSize < HeaderSize + TagHeaderSize)
            {
                return Multiboot2Status.BadTotalSize;
            }
            if (totalSize > (uint)data.Length)
            {
                return Multiboot2Status.Truncated;
            }
            // From here on only the first total_size bytes are looked at.
            ReadOnlySpan<byte> info = data.Slice(0, (int)totalSize);

            long offset = HeaderSize;
            while (true)
            {
                if (offset + TagHeaderSize > info.Length)
                {
                    return offset >= info.Length ? Multiboot2Status.MissingEndTag : Multiboot2Status.Truncated;
                }
                int at = (int)offset;
                uint type = LittleEndian.ReadUInt32(info, at);
                uint size = LittleEndian.ReadUInt32(info, at + 4);
                if (size < TagHeaderSize)
                {
                    return Multiboot2Status.BadTag;
                }
                if (offset + size > info.Length)
                {
                    return Multiboot2Status.Truncated;
                }
                ReadOnlySpan<byte> tag = info.Slice(at, (int)size);

                Multiboot2Status tagStatus = Multiboot2Status.Ok;
                if (type == TagEnd)
                {
                    return Multiboot2Status.Ok;
                }
                else if (type == TagCommandLine)
                {
                    _commandLine = AsciiText.FromNulTerminated(tag.Slice(TagHeaderSize));
                }
                else if (type == TagModule)
                {
                    tagStatus = ParseModule(tag, modules, ref moduleCount);
                }
                else if (type == TagBasicMemoryInfo)
                {
                    tagStatus = ParseBasicMemoryInfo(tag);
                }
                else if (type == TagMemoryMap)
                {
                    tagStatus = ParseMemoryMap(tag, regions, ref regionCount);
                }
                if (tagStatus != Multiboot2Status.Ok)
                {
                    return tagStatus;
                }

                // Next tag starts at the following 8-byte boundary (spec 3.6.1).
                offset = (offset + size + 7) & ~7L;
            }
        }

        private static Multiboot2Status ParseModule(ReadOnlySpan<byte> tag, BootModule[] modules, ref int moduleCount)
        {
            if (tag.Length < ModuleFixedSize)
            {
                return Multiboot2Status.BadTag;
            }
            if (moduleCount == modules.Length)
            {
                return Multiboot2Status.TooManyModules;
            }
            uint start = LittleEndian.ReadUInt32(tag, 8);
            uint end = LittleEndian.ReadUInt32(tag, 12);
            string name = AsciiText.FromNulTerminated(tag.Slice(ModuleFixedSize));
            modules[moduleCount++] = new BootModule(start, end, name);
            return Multiboot2Status.Ok;
        }

        private Multiboot2Status ParseBasicMemoryInfo(ReadOnlySpan<byte> tag)
        {
            if (tag.Length < BasicMemoryInfoSize)
            {
                return Multiboot2Status.BadTag;
            }
            _hasBasicMemoryInfo = true;
            _lowerMemoryKiB = LittleEndian.ReadUInt32(tag, 8);
            _upperMemoryKiB = LittleEndian.ReadUInt32(tag, 12);
            return Multiboot2Status.Ok;
        }

        private static Multiboot2Status ParseMemoryMap(ReadOnlySpan<byte> tag, MemoryRegion[] regions, ref int regionCount)
        {
            if (tag.Length < MemoryMapFixedSize)
            {
                return Multiboot2Status.BadTag;
            }
            // entry_size lets later spec versions grow the entry; we read only the fields we know.
            uint entrySize = LittleEndian.ReadUInt32(tag, 8);
            if (entrySize < MemoryMapEntryMinSize)
            {
                return Multiboot2Status.BadTag;
            }
            int offset = MemoryMapFixedSize;
            // A trailing partial entry is padding or corruption; the spec gives no meaning to it, so it is ignored.
            while (tag.Length - offset >= entrySize)
            {
                if (regionCount == regions.Length)
                {
                    return Multiboot2Status.TooManyEntries;
                }
                regions[regionCount++] = new MemoryRegion(
                    LittleEndian.ReadUInt64(tag, offset),
                    LittleEndian.ReadUInt64(tag, offset + 8),
                    (MemoryRegionType)LittleEndian.ReadUInt32(tag, offset + 16));
                offset += (int)entrySize;
            }
            return Multiboot2Status.Ok;
        }
    }
}
