namespace Hv.Protocol.Messages
{
    /// <summary>A template a host can create VMs from (ListTemplates).</summary>
    public sealed class TemplateInfo
    {
        public string Name { get; set; }
        public uint MemoryMiB { get; set; }
        public uint Vcpus { get; set; }
        /// <summary>"real", "long", "multiboot", ...</summary>
        public string EntryMode { get; set; }
        /// <summary>Bits of <see cref="Wire.TemplateFlags"/>; see <see cref="HasFlags"/>.</summary>
        public ulong Flags { get; set; }
        /// <summary>False from a host too old to send the flags (an empty entry-extension block).</summary>
        public bool HasFlags { get; set; }
    }
}
