namespace Hv.Core.Boot
{
    /// <summary>Outcome of parsing a Multiboot2 boot information structure.</summary>
    public enum Multiboot2Status
    {
        Ok,
        /// <summary>The span, or a tag, ends before the structure says it does.</summary>
        Truncated,
        /// <summary>total_size is smaller than a header plus an end tag.</summary>
        BadTotalSize,
        /// <summary>A tag's size is below the minimum for its type, or a memory map's entry_size is too small.</summary>
        BadTag,
        /// <summary>More memory-map entries than <see cref="Multiboot2Info.MaxMemoryRegions"/>.</summary>
        TooManyEntries,
        /// <summary>More modules than <see cref="Multiboot2Info.MaxModules"/>.</summary>
        TooManyModules,
        /// <summary>The tags ran up to total_size without an end tag (type 0).</summary>
        MissingEndTag,
    }
}
