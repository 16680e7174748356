namespace Hv.Core.Devices.Pc
{
    /// <summary>What the platform did with an RDMSR/WRMSR the VM's exit handler offered it.</summary>
    public enum PlatformMsrStatus
    {
        /// <summary>Not an APIC MSR: the handler's own policy decides.</summary>
        NotPlatform,
        /// <summary>Done; for a read, the value is set.</summary>
        Done,
        /// <summary>The access must fault with #GP(0).</summary>
        GeneralProtection,
    }
}
