namespace Hv.Core.Vmx
{
    /// <summary>What the run loop does after an exit has been handled.</summary>
    public enum ExitAction
    {
        /// <summary>Re-enter the same guest at once.</summary>
        Resume,
        /// <summary>The guest has nothing to do now (HLT) or its time slice ended: let the scheduler pick.</summary>
        Yield,
        /// <summary>The VM has been stopped (its reason is recorded); never enter it again.</summary>
        Stop,
    }
}
