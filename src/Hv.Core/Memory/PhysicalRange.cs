namespace Hv.Core.Memory
{
    /// <summary>A half-open physical address range [Start, End).</summary>
    public struct PhysicalRange
    {
        public ulong Start;
        public ulong End;

        public PhysicalRange(ulong start, ulong end)
        {
            Start = start;
            End = end;
        }

        public ulong Length { get { return End - Start; } }
    }
}
