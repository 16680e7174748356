using System;

namespace Hv.Testing
{
    /// <summary>
    /// What a piece of work allocates on the current thread, the fewest bytes of several rounds: an allocation per
    /// call shows in every round, the runtime's own one-off work (tiered JIT promoting a loop on a busy machine; 3.6 KB
    /// once in CI) in one round only.
    /// </summary>
    public static class AllocationRounds
    {
        public static long Fewest(int rounds, Action round)
        {
            long fewest = long.MaxValue;
            for (int i = 0; i < rounds; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                round();
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            return fewest;
        }
    }
}
