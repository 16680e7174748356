namespace Hv.Core.Vm
{
    /// <summary>
    /// Lifecycle of a VM: Created → Running ⇄ Paused → Stopped → Removed. Stopped is terminal for
    /// execution (it carries the reason and exit code); Removed means the VM's resources may be reclaimed.
    /// </summary>
    public enum VmState
    {
        Created,
        Running,
        Paused,
        Stopped,
        Removed,
    }
}
