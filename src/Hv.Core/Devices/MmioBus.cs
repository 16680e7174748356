namespace Hv.Core.Devices
{
    /// <summary>
    /// A VM's memory-mapped devices: disjoint guest-physical ranges, each owned by one device, parallel to the
    /// <see cref="PortBus"/>. The ranges lie above guest RAM, where the VM's EPT maps nothing, so every access exits
    /// (EPT violation) and the exit handler emulates it here. An access must fall inside one range: a guest that
    /// straddles a device's end, or touches no device, gets false and the handler stops it.
    /// </summary>
    public sealed class MmioBus
    {
        public const int MaxMappings = 16;

        private readonly ulong[] _first = new ulong[MaxMappings];
        private readonly ulong[] _length = new ulong[MaxMappings];
        private readonly MmioDevice[] _devices = new MmioDevice[MaxMappings];
        private int _mappings;

        public int Mappings { get { return _mappings; } }

        /// <summary>
        /// Maps [first, first + length) to <paramref name="device"/>; the range must start at or above <paramref name="ramSize"/>.
        /// On Ok the bus owns the device (an adapter made for this mapping) and frees it with itself.
        /// </summary>
        public MmioMapStatus Map(ulong first, ulong length, MmioDevice device, ulong ramSize)
        {
            if (device == null || length == 0 || first + length < first || first < ramSize) return MmioMapStatus.BadRange;
            for (int i = 0; i < _mappings; i++)
            {
                if (first < _first[i] + _length[i] && _first[i] < first + length) return MmioMapStatus.Overlap;
            }
            if (_mappings == MaxMappings) return MmioMapStatus.Full;
            _first[_mappings] = first;
            _length[_mappings] = length;
            _devices[_mappings] = device;
            _mappings++;
            return MmioMapStatus.Ok;
        }

        /// <summary>Gives back the bus and the devices mapped on it (its VM is being removed).</summary>
        public void Free()
        {
            for (int i = 0; i < _mappings; i++) Owned.Free(_devices[i]);
            Owned.Free(_first);
            Owned.Free(_length);
            Owned.Free(_devices);
            Owned.Free(this);
        }

        /// <summary>True when some device owns [gpa, gpa + size).</summary>
        public bool Claims(ulong gpa, int size)
        {
            return Find(gpa, size) >= 0;
        }

        public bool Read(ulong gpa, int size, out ulong value)
        {
            value = 0;
            int index = Find(gpa, size);
            if (index < 0) return false;
            value = _devices[index].Read(gpa - _first[index], size);
            if (size < 8) value &= (1UL << (size * 8)) - 1;
            return true;
        }

        public bool Write(ulong gpa, int size, ulong value)
        {
            int index = Find(gpa, size);
            if (index < 0) return false;
            if (size < 8) value &= (1UL << (size * 8)) - 1;
            _devices[index].Write(gpa - _first[index], size, value);
            return true;
        }

        private int Find(ulong gpa, int size)
        {
            for (int i = 0; i < _mappings; i++)
            {
                ulong offset = gpa - _first[i];
                if (gpa >= _first[i] && offset < _length[i] && (ulong)size <= _length[i] - offset) return i;
            }
            return -1;
        }
    }
}
