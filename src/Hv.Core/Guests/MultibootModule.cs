using Hv.Core.Memory;

namespace Hv.Core.Guests
{
    /// <summary>A boot module a Multiboot kernel finds in its information block's mods list (§3.3): bytes and a string.</summary>
    public sealed class MultibootModule
    {
        public readonly string Name;
        public readonly ImageBytes Bytes;

        public MultibootModule(string name, ImageBytes bytes)
        {
            Name = name;
            Bytes = bytes;
        }
    }
}
