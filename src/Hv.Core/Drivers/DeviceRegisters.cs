namespace Hv.Core.Drivers
{
    /// <summary>
    /// A window of a device's registers (a BAR's MMIO range, or a part of one): little-endian registers at byte
    /// offsets from the window's start. The kernel implements it with uncached volatile accesses, which neither the
    /// compiler nor the CPU moves across the driver's earlier stores to descriptor memory (so a doorbell written
    /// here never overtakes the descriptor it announces); tests implement it with a model of the device.
    /// An access outside <see cref="Length"/> is ignored (reads return all ones), never sent to the bus.
    /// </summary>
    public abstract class DeviceRegisters
    {
        public abstract int Length { get; }

        public abstract uint Read32(int offset);

        public abstract void Write32(int offset, uint value);

        public abstract ushort Read16(int offset);

        public abstract void Write16(int offset, ushort value);

        public abstract byte Read8(int offset);

        public abstract void Write8(int offset, byte value);

        /// <summary>A 64-bit register as two 32-bit writes, low half first (virtio 1.1 §4.1.3.1 allows this).</summary>
        public void Write64(int offset, ulong value)
        {
            Write32(offset, (uint)value);
            Write32(offset + 4, (uint)(value >> 32));
        }

        /// <summary>True when offset..offset+size lies inside the window.</summary>
        protected bool Contains(int offset, int size)
        {
            return offset >= 0 && size <= Length && offset <= Length - size;
        }
    }
}
