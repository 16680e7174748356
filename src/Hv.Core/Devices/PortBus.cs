namespace Hv.Core.Devices
{
    /// <summary>
    /// A VM's I/O port space: disjoint port ranges, each owned by one device. An access is routed by its
    /// first port. Unmapped ports behave like a floating ISA bus: reads return all ones, writes vanish; the
    /// bus reports them as unhandled so the exit policy can count them.
    /// </summary>
    public sealed class PortBus
    {
        public const int MaxMappings = 32;

        private readonly ushort[] _first = new ushort[MaxMappings];
        private readonly int[] _count = new int[MaxMappings];
        private readonly PortDevice[] _devices = new PortDevice[MaxMappings];
        private int _mappings;

        public int Mappings { get { return _mappings; } }

        /// <summary>Gives back the bus (its VM is being removed); the devices are their owner's to free.</summary>
        public void Free()
        {
            Owned.Free(_first);
            Owned.Free(_count);
            Owned.Free(_devices);
            Owned.Free(this);
        }

        /// <summary>Maps ports [first, first + count) to <paramref name="device"/>.</summary>
        public PortMapStatus Map(ushort first, int count, PortDevice device)
        {
            if (device == null || count <= 0 || first + count > 0x10000)
            {
                return PortMapStatus.BadRange;
            }
            for (int i = 0; i < _mappings; i++)
            {
                if (first < _first[i] + _count[i] && _first[i] < first + count)
                {
                    return PortMapStatus.Overlap;
                }
            }
            if (_mappings == MaxMappings)
            {
                return PortMapStatus.Full;
            }
            _first[_mappings] = first;
            _count[_mappings] = count;
            _devices[_mappings] = device;
            _mappings++;
            return PortMapStatus.Ok;
        }

        /// <summary>
        /// Reads <paramref name="size"/> bytes from <paramref name="port"/>. Returns false (and all ones in
        /// <paramref name="value"/>) when no device owns the port.
        /// </summary>
        public bool In(ushort port, int size, out uint value)
        {
            int index = Find(port);
            if (index < 0)
            {
                value = AllOnes(size);
                return false;
            }
            value = _devices[index].In((ushort)(port - _first[index]), size) & AllOnes(size);
            return true;
        }

        /// <summary>Writes to <paramref name="port"/>; returns false when no device owns it (the write is dropped).</summary>
        public bool Out(ushort port, int size, uint value)
        {
            int index = Find(port);
            if (index < 0)
            {
                return false;
            }
            _devices[index].Out((ushort)(port - _first[index]), size, value & AllOnes(size));
            return true;
        }

        private int Find(ushort port)
        {
            for (int i = 0; i < _mappings; i++)
            {
                if (port >= _first[i] && port < _first[i] + _count[i])
                {
                    return i;
                }
            }
            return -1;
        }

        private static uint AllOnes(int size)
        {
            return size >= 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
        }
    }
}
