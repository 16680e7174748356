namespace Hv
{
    /// <summary>
    /// Where a VM is in its life (ARCHITECTURE.md principle 5): Created → Running ⇄ Paused → Stopped → Removed. The
    /// hypervisor moves VMs between these states; the protocol carries the value as one byte; the module shows it.
    /// Stable numbers: never renumber, only append.
    /// </summary>
    public enum VmState
    {
        /// <summary>Only on the wire: a state a newer host reports that this reader does not know.</summary>
        Unknown = 0,
        Created = 1,
        Running = 2,
        Paused = 3,
        /// <summary>Reserved for a graceful stop in progress; this host stops at once and never reports it.</summary>
        Stopping = 4,
        /// <summary>Terminal for execution; carries the <see cref="StopReason"/> and exit code.</summary>
        Stopped = 5,
        /// <summary>Its resources may be reclaimed; it is gone from every list.</summary>
        Removed = 6,
    }
}
