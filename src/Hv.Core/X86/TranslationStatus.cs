namespace Hv.Core.X86
{
    /// <summary>What a guest linear-address translation came to.</summary>
    public enum TranslationStatus
    {
        Ok,
        /// <summary>The guest's own tables refuse the access: a #PF with the returned error code.</summary>
        PageFault,
        /// <summary>A 64-bit linear address that is not canonical (a #GP on hardware).</summary>
        NonCanonical,
        /// <summary>A paging-structure entry or the data lies outside the guest's memory (e.g. on an MMIO page).</summary>
        OutsideMemory,
    }
}
