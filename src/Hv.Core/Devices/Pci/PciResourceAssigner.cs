namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// What firmware does before an OS boots, for a VM that has no firmware: gives every BAR on the bus an
    /// address inside the VM's MMIO and I/O windows and enables decoding. Linux keeps assignments that lie inside
    /// the root bridge's windows (the ACPI _CRS of the PNP0A03 device must list the same windows), so it never
    /// has to move a BAR.
    ///
    /// BARs are placed largest first, each naturally aligned (a BAR decodes an aligned block of its size,
    /// PCI 3.0 6.2.5.1), which packs power-of-two blocks without holes. Memory BARs, 64-bit ones included, go in
    /// the one window given (below 4 GiB when the VM's hole is there).
    /// </summary>
    public static class PciResourceAssigner
    {
        /// <summary>
        /// Assigns [<paramref name="memoryBase"/>, <paramref name="memoryLimit"/>) and [<paramref name="ioBase"/>,
        /// <paramref name="ioLimit"/>) to the BARs of every function on <paramref name="bus"/>; enables I/O and
        /// memory decoding on each function that has such BARs. On <see cref="PciStatus.WindowFull"/> some BARs may
        /// already have addresses; decoding is left off on all of them.
        /// </summary>
        public static PciStatus Assign(PciBus bus, ulong memoryBase, ulong memoryLimit, uint ioBase, uint ioLimit)
        {
            ulong memoryNext = memoryBase;
            ulong ioNext = ioBase;
            // Largest size first: 2^63 down to the smallest I/O BAR (4 bytes).
            for (int shift = 63; shift >= 2; shift--)
            {
                ulong size = 1UL << shift;
                for (int i = 0; i < bus.Count; i++)
                {
                    PciFunction function = bus.Attached(i);
                    for (int bar = 0; bar < PciFunction.BarCount; bar++)
                    {
                        if (function.BarSize(bar) != size)
                        {
                            continue;
                        }
                        bool io = function.BarKind(bar) == PciBarKind.Io;
                        ulong start = AlignUp(io ? ioNext : memoryNext, size);
                        ulong limit = io ? ioLimit : memoryLimit;
                        if (start < (io ? ioNext : memoryNext) || start > limit || size > limit - start)
                        {
                            return PciStatus.WindowFull;
                        }
                        function.SetBarAddress(bar, start);
                        if (io)
                        {
                            ioNext = start + size;
                        }
                        else
                        {
                            memoryNext = start + size;
                        }
                    }
                }
            }
            for (int i = 0; i < bus.Count; i++)
            {
                PciFunction function = bus.Attached(i);
                ushort command = function.Command;
                for (int bar = 0; bar < PciFunction.BarCount; bar++)
                {
                    PciBarKind kind = function.BarKind(bar);
                    if (kind == PciBarKind.Io)
                    {
                        command |= PciFunction.CommandIo;
                    }
                    else if (kind == PciBarKind.Memory32 || kind == PciBarKind.Memory64)
                    {
                        command |= PciFunction.CommandMemory;
                    }
                }
                function.SetCommand(command);
            }
            return PciStatus.Ok;
        }

        private static ulong AlignUp(ulong value, ulong alignment)
        {
            ulong aligned = (value + alignment - 1) & ~(alignment - 1);
            // Wrapped past 2^64: report it as "no room" by returning a value below the start.
            return aligned < value ? 0 : aligned;
        }
    }
}
