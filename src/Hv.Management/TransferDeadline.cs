namespace Hv.Management
{
    /// <summary>
    /// When an upload, export or import counts as abandoned: no request has touched it for this long in host time
    /// (HostFacts.UptimeMilliseconds, the TSC in the image). Its memory (an image of up to 64 MiB, a VM's frozen or
    /// half-built memory) is then given back, so a client that goes away cannot hold the host's memory for good.
    /// </summary>
    internal static class TransferDeadline
    {
        public const ulong IdleMilliseconds = 5 * 60 * 1000;

        public static bool Passed(ulong lastUsedMs, ulong nowMs)
        {
            return nowMs > lastUsedMs && nowMs - lastUsedMs > IdleMilliseconds;
        }
    }
}
