namespace Hv.Core.Networking
{
    /// <summary>
    /// Told when frames arrive in a port's queue. The VM connects one per adapter: while the VM runs it lets the
    /// adapter move them into the guest at once; while the VM is paused it does nothing and the frames wait in
    /// the port's bounded queue until the VM resumes (or are dropped when it is full).
    /// </summary>
    public abstract class PortListener
    {
        public abstract void FramesArrived(SwitchPort port);
    }
}
