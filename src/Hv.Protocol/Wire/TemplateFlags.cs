namespace Hv.Protocol.Wire
{
    /// <summary>Bits of a template's flags (ListTemplates entry extension). Stable; only append.</summary>
    public static class TemplateFlags
    {
        /// <summary>The host keeps a booted, copy-on-write memory image of the template: new VMs share its pages.</summary>
        public const ulong Primed = 1UL << 0;
        /// <summary>The template came over the management channel (New-HvTemplate), not from the boot modules.</summary>
        public const ulong Uploaded = 1UL << 1;
    }
}
