namespace Hv.Core.Memory
{
    /// <summary>
    /// Outcome of <see cref="AddressSpace.ResolveWrite"/>, called on an EPT violation caused by a guest write.
    /// Whether cached translations must be dropped is reported separately by <see cref="AddressSpace.TakeFlush"/>.
    /// </summary>
    public enum EptFaultResult
    {
        /// <summary>The page is now privately writable; resume the guest (after INVEPT when a flush is pending).</summary>
        Resolved,
        /// <summary>The address is outside the guest's RAM: stop the VM ("ept-violation at GPA …").</summary>
        NotRam,
        /// <summary>No host page for the private copy; nothing changed and nothing leaked. Stop the VM with a reason.</summary>
        OutOfMemory,
    }
}
