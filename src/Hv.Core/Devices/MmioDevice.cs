namespace Hv.Core.Devices
{
    /// <summary>
    /// A device on the guest's physical address space (a LAPIC, an IOAPIC page): the guest's accesses to it fault
    /// (EPT not-present) and are emulated. <c>offset</c> is from the base it was mapped at; <c>size</c> is 1, 2, 4 or 8.
    /// </summary>
    public abstract class MmioDevice
    {
        public abstract ulong Read(ulong offset, int size);
        public abstract void Write(ulong offset, int size, ulong value);
    }
}
