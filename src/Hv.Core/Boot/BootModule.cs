namespace Hv.Core.Boot
{
    /// <summary>A Multiboot2 module (tag type 3): physical [Start, End) and the string GRUB attached to it.</summary>
    public sealed class BootModule
    {
        public readonly ulong Start;
        public readonly ulong End;
        public readonly string CommandLine;

        public BootModule(ulong start, ulong end, string commandLine)
        {
            Start = start;
            End = end;
            CommandLine = commandLine;
        }
    }
}
