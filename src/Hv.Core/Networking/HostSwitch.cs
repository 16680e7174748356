namespace Hv.Core.Networking
{
    /// <summary>One named virtual switch of the host (New-HvSwitch): its name and its learning bridge.</summary>
    public sealed class HostSwitch
    {
        public readonly string Name;
        public readonly VirtualSwitch Switch;

        internal HostSwitch(string name, VirtualSwitch bridge)
        {
            Name = name;
            Switch = bridge;
        }

        /// <summary>Frames dropped because their source MAC was not the sending adapter's, over the connected ports.</summary>
        public ulong SpoofedDrops { get { return Sum(0); } }
        /// <summary>Frames dropped as too short or too long, over the connected ports.</summary>
        public ulong MalformedDrops { get { return Sum(1); } }
        /// <summary>Frames dropped because the receiving adapter's queue was full, over the connected ports.</summary>
        public ulong QueueFullDrops { get { return Sum(2); } }

        // A port's counters start again when it is connected: a switch's drops are those of its adapters now connected.
        private ulong Sum(int which)
        {
            ulong total = 0;
            for (int i = 0; i < Switch.MaxPorts; i++)
            {
                SwitchPort port = Switch.Port(i);
                if (port == null || !port.Connected) continue;
                total += which == 0 ? port.DroppedSpoofed : which == 1 ? port.DroppedMalformed : port.DroppedQueueFull;
            }
            return total;
        }

        /// <summary>Gives back the name, the bridge and the record (the switch was removed).</summary>
        internal void Free()
        {
            Owned.Free(Name);
            Switch.Free();
            Owned.Free(this);
        }
    }
}
