namespace Hv.Core.Drivers.Pci
{
    /// <summary>
    /// Access to PCI configuration space, one aligned dword at a time (what configuration mechanism #1 offers, PCI 3.0
    /// §3.2.2.3.2). The kernel implements it with ports 0xCF8/0xCFC; tests with a model of a bus. The narrower reads
    /// and the read-modify-write of the 16-bit command register are built here on the dword accesses.
    /// </summary>
    public abstract class PciConfigSpace
    {
        /// <summary>The dword at offset (a multiple of 4, below 256); all ones when no function answers.</summary>
        public abstract uint Read32(PciAddress address, int offset);

        public abstract void Write32(PciAddress address, int offset, uint value);

        public ushort Read16(PciAddress address, int offset)
        {
            return (ushort)(Read32(address, offset & ~3) >> (8 * (offset & 2)));
        }

        public byte Read8(PciAddress address, int offset)
        {
            return (byte)(Read32(address, offset & ~3) >> (8 * (offset & 3)));
        }

        /// <summary>
        /// Writes the command register. Command and status share a dword; the status bits are "write 1 to clear"
        /// (§6.2.3), so the status half is written as zero to leave it alone.
        /// </summary>
        public void WriteCommand(PciAddress address, ushort command)
        {
            Write32(address, PciRegisters.Command, command);
        }

        /// <summary>Turns on the given command bits (decoding, bus mastering, INTx disable) and keeps the others.</summary>
        public void EnableCommand(PciAddress address, ushort bits)
        {
            WriteCommand(address, (ushort)(Read16(address, PciRegisters.Command) | bits));
        }
    }
}
