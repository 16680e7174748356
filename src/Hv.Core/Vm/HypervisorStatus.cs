namespace Hv.Core.Vm
{
    /// <summary>Outcome of a request to the <see cref="Hypervisor"/>.</summary>
    public enum HypervisorStatus
    {
        Ok,
        NotFound,
        InvalidState,
        InvalidArgument,
        /// <summary>A name <see cref="Text.NameRule"/> refuses.</summary>
        InvalidName,
        NameInUse,
        TooManyVms,
        OutOfMemory,
        LoadFailed,
        VcpuFailed,
        PrimeFailed,
    }
}
