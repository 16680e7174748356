namespace Hv.Core.Vm
{
    public enum VmTransitionStatus
    {
        Ok,
        /// <summary>The command does not apply to the VM's current state; nothing changed.</summary>
        InvalidTransition,
    }
}
