namespace Hv.Core.Devices.Pci
{
    /// <summary>
    /// PCI bus 0 of a VM: up to 32 devices of up to 8 functions, reached through configuration cycles (from
    /// <see cref="PciConfigMechanism"/>) and through their BARs. The VM sends here every MMIO access that hits no
    /// RAM and every port access its <see cref="PortBus"/> does not claim; an access that falls inside an
    /// enabled BAR goes to that function. There are no PCI-to-PCI bridges, so every other bus number is empty.
    /// </summary>
    public sealed class PciBus
    {
        public const int DeviceCount = 32;
        public const int FunctionsPerDevice = 8;
        private const uint MultiFunctionBit = 0x80;

        private readonly PciFunction[] _slots = new PciFunction[DeviceCount * FunctionsPerDevice];
        // The attached functions, densely, so BAR lookups scan only what exists.
        private readonly PciFunction[] _attached = new PciFunction[DeviceCount * FunctionsPerDevice];
        private int _count;

        public int Count { get { return _count; } }

        /// <summary>Gives the bus back with every function attached to it: an attached function is the bus's to free.</summary>
        public void Free()
        {
            for (int i = 0; i < _count; i++) _attached[i].Free();
            Owned.Free(_slots);
            Owned.Free(_attached);
            Owned.Free(this);
        }

        /// <summary>The <paramref name="index"/>-th attached function, in attach order.</summary>
        public PciFunction Attached(int index)
        {
            return index >= 0 && index < _count ? _attached[index] : null;
        }

        public PciStatus Attach(int device, int function, PciFunction pciFunction)
        {
            if (pciFunction == null || device < 0 || device >= DeviceCount || function < 0 || function >= FunctionsPerDevice)
            {
                return PciStatus.InvalidArgument;
            }
            int slot = device * FunctionsPerDevice + function;
            if (_slots[slot] != null)
            {
                return PciStatus.InUse;
            }
            for (int i = 0; i < _count; i++)
            {
                if (_attached[i] == pciFunction)
                {
                    return PciStatus.InUse;
                }
            }
            _slots[slot] = pciFunction;
            _attached[_count++] = pciFunction;
            return PciStatus.Ok;
        }

        /// <summary>Takes the function at <paramref name="device"/>.<paramref name="function"/> off the bus (hardware removed while the VM is off); the others keep their order.</summary>
        public PciFunction Detach(int device, int function)
        {
            PciFunction removed = Function(device, function);
            if (removed == null)
            {
                return null;
            }
            _slots[device * FunctionsPerDevice + function] = null;
            int at = 0;
            for (int i = 0; i < _count; i++)
            {
                if (_attached[i] != removed)
                {
                    _attached[at++] = _attached[i];
                }
            }
            _attached[--_count] = null;
            return removed;
        }

        public PciFunction Function(int device, int function)
        {
            if (device < 0 || device >= DeviceCount || function < 0 || function >= FunctionsPerDevice)
            {
                return null;
            }
            return _slots[device * FunctionsPerDevice + function];
        }

        /// <summary>
        /// A configuration read. An absent function reads all ones, which is how software sees that nothing is
        /// there (vendor ID 0xFFFF, PCI 3.0 6.1). Function 0 of a device with more functions reports itself
        /// multi-function (header type bit 7), so the OS scans the others.
        /// </summary>
        public uint ReadConfig(int bus, int device, int function, int offset, int size)
        {
            PciFunction target = bus == 0 ? Function(device, function) : null;
            if (target == null)
            {
                return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
            }
            uint value = target.ReadConfig(offset, size);
            int headerType = PciFunction.HeaderTypeRegister;
            if (function == 0 && offset <= headerType && headerType < offset + size && HasOtherFunctions(device))
            {
                value |= MultiFunctionBit << ((headerType - offset) * 8);
            }
            return value;
        }

        /// <summary>A configuration write; writes to absent functions vanish.</summary>
        public void WriteConfig(int bus, int device, int function, int offset, int size, uint value)
        {
            PciFunction target = bus == 0 ? Function(device, function) : null;
            if (target != null)
            {
                target.WriteConfig(offset, size, value);
            }
        }

        /// <summary>An MMIO read; false (and all ones) when no enabled memory BAR holds all of [address, address + size).</summary>
        public bool ReadMemory(ulong address, int size, out ulong value)
        {
            PciFunction function;
            int bar;
            ulong offset;
            if (!Find(address, size, false, out function, out bar, out offset))
            {
                value = size >= 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;
                return false;
            }
            value = function.ReadBar(bar, offset, size);
            if (size < 8)
            {
                value &= (1UL << (size * 8)) - 1;
            }
            return true;
        }

        public bool WriteMemory(ulong address, int size, ulong value)
        {
            PciFunction function;
            int bar;
            ulong offset;
            if (!Find(address, size, false, out function, out bar, out offset))
            {
                return false;
            }
            function.WriteBar(bar, offset, size, size >= 8 ? value : value & ((1UL << (size * 8)) - 1));
            return true;
        }

        /// <summary>A port read through an I/O BAR; false (and all ones) when no enabled I/O BAR holds the ports.</summary>
        public bool ReadIo(ushort port, int size, out uint value)
        {
            PciFunction function;
            int bar;
            ulong offset;
            if (!Find(port, size, true, out function, out bar, out offset))
            {
                value = size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
                return false;
            }
            value = (uint)function.ReadBar(bar, offset, size);
            if (size < 4)
            {
                value &= (1u << (size * 8)) - 1;
            }
            return true;
        }

        public bool WriteIo(ushort port, int size, uint value)
        {
            PciFunction function;
            int bar;
            ulong offset;
            if (!Find(port, size, true, out function, out bar, out offset))
            {
                return false;
            }
            function.WriteBar(bar, offset, size, size >= 4 ? value : value & ((1u << (size * 8)) - 1));
            return true;
        }

        private bool Find(ulong address, int size, bool io, out PciFunction function, out int bar, out ulong offset)
        {
            for (int i = 0; i < _count; i++)
            {
                PciFunction candidate = _attached[i];
                for (int b = 0; b < PciFunction.BarCount; b++)
                {
                    PciBarKind kind = candidate.BarKind(b);
                    bool matches = io ? kind == PciBarKind.Io : kind == PciBarKind.Memory32 || kind == PciBarKind.Memory64;
                    if (!matches || !candidate.BarDecodes(b))
                    {
                        continue;
                    }
                    ulong start = candidate.BarAddress(b);
                    ulong length = candidate.BarSize(b);
                    if (address >= start && address - start < length && (ulong)size <= length - (address - start))
                    {
                        function = candidate;
                        bar = b;
                        offset = address - start;
                        return true;
                    }
                }
            }
            function = null;
            bar = -1;
            offset = 0;
            return false;
        }

        private bool HasOtherFunctions(int device)
        {
            for (int f = 1; f < FunctionsPerDevice; f++)
            {
                if (_slots[device * FunctionsPerDevice + f] != null)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
