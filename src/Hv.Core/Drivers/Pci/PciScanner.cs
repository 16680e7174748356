namespace Hv.Core.Drivers.Pci
{
    /// <summary>
    /// Finds the functions on bus 0 and on the buses behind PCI-to-PCI bridges, as the firmware numbered them (it
    /// has assigned bus numbers and BAR addresses by the time we boot), and sizes every BAR. Results go into a
    /// caller-supplied table, so a scan allocates nothing once the table exists.
    /// </summary>
    public sealed class PciScanner
    {
        private const int DevicesPerBus = 32;
        private const int FunctionsPerDevice = 8;
        private const int MaxBuses = 256;

        private readonly PciConfigSpace _config;
        private readonly PciFunction[] _found;
        private readonly bool[] _busScanned = new bool[MaxBuses];
        private int _count;

        public PciScanner(PciConfigSpace config, int capacity)
        {
            _config = config;
            _found = new PciFunction[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _found[i] = new PciFunction();
            }
        }

        public int Count { get { return _count; } }

        /// <summary>True when the table filled up before the scan ended.</summary>
        public bool Truncated { get; private set; }

        public PciFunction this[int index] { get { return _found[index]; } }

        /// <summary>Scans from bus 0; returns how many functions were found.</summary>
        public int Scan()
        {
            _count = 0;
            Truncated = false;
            for (int i = 0; i < _busScanned.Length; i++)
            {
                _busScanned[i] = false;
            }
            ScanBus(0);
            return _count;
        }

        /// <summary>The first function with this vendor and one of the device ids, after index start; -1 if none.</summary>
        public int Find(ushort vendorId, ushort[] deviceIds, int start)
        {
            for (int i = start; i < _count; i++)
            {
                for (int d = 0; d < deviceIds.Length; d++)
                {
                    if (_found[i].Is(vendorId, deviceIds[d]))
                    {
                        return i;
                    }
                }
            }
            return -1;
        }

        // Each bus is scanned once, so a bridge that names an already scanned bus (or its own) cannot loop us.
        private void ScanBus(int bus)
        {
            if (_busScanned[bus])
            {
                return;
            }
            _busScanned[bus] = true;
            for (int device = 0; device < DevicesPerBus; device++)
            {
                var first = new PciAddress(bus, device, 0);
                if (_config.Read16(first, PciRegisters.VendorId) == PciRegisters.NoVendor)
                {
                    continue;
                }
                bool multiFunction = (_config.Read8(first, PciRegisters.HeaderType) & PciRegisters.HeaderMultiFunction) != 0;
                for (int function = 0; function < (multiFunction ? FunctionsPerDevice : 1); function++)
                {
                    var address = new PciAddress(bus, device, function);
                    if (_config.Read16(address, PciRegisters.VendorId) != PciRegisters.NoVendor)
                    {
                        AddFunction(address);
                    }
                }
            }
        }

        private void AddFunction(PciAddress address)
        {
            if (_count == _found.Length)
            {
                Truncated = true;
                return;
            }
            PciFunction f = _found[_count++];
            f.Address = address;
            uint ids = _config.Read32(address, PciRegisters.VendorId);
            f.VendorId = (ushort)ids;
            f.DeviceId = (ushort)(ids >> 16);
            uint classCode = _config.Read32(address, PciRegisters.ClassCode);
            f.Revision = (byte)classCode;
            f.ProgrammingInterface = (byte)(classCode >> 8);
            f.Subclass = (byte)(classCode >> 16);
            f.Class = (byte)(classCode >> 24);
            f.HeaderLayout = (byte)(_config.Read8(address, PciRegisters.HeaderType) & PciRegisters.HeaderLayoutMask);
            f.InterruptLine = _config.Read8(address, PciRegisters.InterruptLine);
            for (int i = 0; i < f.Bars.Length; i++)
            {
                f.Bars[i] = default(PciBar);
            }
            if (f.HeaderLayout == PciRegisters.HeaderLayoutDevice)
            {
                SizeBars(f, PciRegisters.BarsInType0Header);
            }
            else if (f.HeaderLayout == PciRegisters.HeaderLayoutBridge)
            {
                SizeBars(f, PciRegisters.BarsInType1Header);
                int secondary = (int)((_config.Read32(address, PciRegisters.BridgeBusNumbers) >> 8) & 0xFF);
                if (secondary != 0)
                {
                    ScanBus(secondary);
                }
            }
        }

        // PCI 3.0 §6.2.5.1: with decoding off (so the probe value is never decoded as an address), write all ones to
        // each BAR, read back which address bits stuck, restore it; then restore the command register.
        private void SizeBars(PciFunction f, int bars)
        {
            PciAddress a = f.Address;
            ushort command = _config.Read16(a, PciRegisters.Command);
            _config.WriteCommand(a, (ushort)(command & ~(PciRegisters.CommandIoSpace | PciRegisters.CommandMemorySpace)));
            for (int i = 0; i < bars; i++)
            {
                int index = i;
                int offset = PciRegisters.Bar0 + 4 * i;
                uint original = _config.Read32(a, offset);
                uint mask = Probe(a, offset, original);
                PciBar bar = default(PciBar);
                if ((original & PciRegisters.BarIoSpace) != 0)
                {
                    // I/O space is 64 KiB: bits above 15 may read as zero, so they count as set.
                    bar.Kind = PciBarKind.Io;
                    bar.Address = original & PciRegisters.BarIoAddressMask;
                    uint sizeMask = mask & PciRegisters.BarIoAddressMask;
                    bar.Size = sizeMask == 0 ? 0 : PciBar.SizeFromMask(sizeMask | 0xFFFF0000);
                }
                else if ((original & PciRegisters.BarMemoryTypeMask) == PciRegisters.BarMemoryType64 && i + 1 < bars)
                {
                    uint high = _config.Read32(a, offset + 4);
                    ulong sizeMask = (mask & PciRegisters.BarMemoryAddressMask) | ((ulong)Probe(a, offset + 4, high) << 32);
                    bar.Kind = PciBarKind.Memory64;
                    bar.Address = (original & PciRegisters.BarMemoryAddressMask) | ((ulong)high << 32);
                    bar.Size = PciBar.SizeFromMask(sizeMask);
                    i++; // the upper half is not a BAR of its own
                }
                else
                {
                    uint sizeMask = mask & PciRegisters.BarMemoryAddressMask;
                    bar.Kind = PciBarKind.Memory32;
                    bar.Address = original & PciRegisters.BarMemoryAddressMask;
                    bar.Size = sizeMask == 0 ? 0 : PciBar.SizeFromMask(sizeMask);
                }
                bar.Prefetchable = bar.IsMemory && (original & PciRegisters.BarPrefetchable) != 0;
                if (bar.Size == 0)
                {
                    bar = default(PciBar); // not implemented: reads as zero whatever is written
                }
                f.Bars[index] = bar;
            }
            _config.WriteCommand(a, command);
        }

        // The BAR dword at offset after all ones were written to it; the original value is put back.
        private uint Probe(PciAddress a, int offset, uint original)
        {
            _config.Write32(a, offset, 0xFFFFFFFF);
            uint mask = _config.Read32(a, offset);
            _config.Write32(a, offset, original);
            return mask;
        }
    }
}
