namespace Hv.Core.Drivers.Pci
{
    /// <summary>
    /// Walks a function's capability list (PCI 3.0 §6.7). Pointers come from the device, so each one is checked to
    /// lie after the header and the walk stops after <see cref="PciRegisters.MaxCapabilities"/> entries: a list that
    /// points back into itself ends instead of looping.
    /// </summary>
    public static class PciCapabilities
    {
        /// <summary>
        /// The offset of the next capability with this id after the one at <paramref name="after"/> (0 = from the
        /// start of the list); 0 when there is none.
        /// </summary>
        public static int Next(PciConfigSpace config, PciAddress address, byte id, int after)
        {
            if ((config.Read16(address, PciRegisters.Status) & PciRegisters.StatusCapabilityList) == 0)
            {
                return 0;
            }
            int offset = config.Read8(address, PciRegisters.CapabilitiesPointer) & 0xFC;
            bool passed = after == 0;
            for (int steps = 0; steps < PciRegisters.MaxCapabilities && offset >= PciRegisters.FirstCapabilityOffset; steps++)
            {
                if (passed && config.Read8(address, offset + PciRegisters.CapabilityId) == id)
                {
                    return offset;
                }
                if (offset == after)
                {
                    passed = true;
                }
                offset = config.Read8(address, offset + PciRegisters.CapabilityNext) & 0xFC;
            }
            return 0;
        }
    }
}
