namespace Hv.Core.Vm
{
    /// <summary>How a template's image starts (tests/guests/README.md).</summary>
    public enum GuestEntryMode
    {
        /// <summary>A flat binary at 0x8000 in 16-bit real mode (needs unrestricted guest).</summary>
        RealMode,
        /// <summary>A flat 64-bit binary at 1 MiB in long mode, on identity page tables the hypervisor builds.</summary>
        LongMode,
        /// <summary>A Multiboot (v1) kernel in 32-bit protected mode with an info block.</summary>
        Multiboot,
    }
}
