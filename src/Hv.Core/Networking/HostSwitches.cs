using Hv.Core.Text;

namespace Hv.Core.Networking
{
    /// <summary>
    /// The host's named virtual switches (New/Get/Remove-HvSwitch): at most <see cref="Capacity"/>, names under the host's
    /// one <see cref="NameRule"/> and unique among switches. The table owns the switches: removing one frees its ports,
    /// queues and MAC table. A switch with connected adapters is not removed (<see cref="NetworkStatus.SwitchInUse"/>):
    /// the administrator disconnects them first, so no VM loses its network as a side effect of another command.
    /// </summary>
    public sealed class HostSwitches
    {
        /// <summary>Adapters one switch can connect.</summary>
        public const int PortsPerSwitch = 32;
        /// <summary>Frames a port holds for a guest that has not taken them yet (about 1.5 KiB each).</summary>
        public const int QueueFrames = 64;
        /// <summary>4-entry sets of each switch's MAC table (256 addresses).</summary>
        public const int MacSets = 64;
        /// <summary>802.1D's recommended aging time.</summary>
        public const ulong AgingSeconds = 300;

        private readonly HostSwitch[] _switches;
        private int _count;
        private readonly ulong _agingTicks;

        /// <param name="capacity">Most switches at once.</param>
        /// <param name="ticksPerSecond">The unit of <see cref="AdvanceClock"/> (the host's TSC rate).</param>
        public HostSwitches(int capacity, ulong ticksPerSecond)
        {
            _switches = new HostSwitch[capacity];
            _agingTicks = AgingSeconds * ticksPerSecond;
        }

        public int Capacity { get { return _switches.Length; } }
        public int Count { get { return _count; } }

        /// <summary>The index-th switch (0 .. Count-1), in creation order; null beyond.</summary>
        public HostSwitch At(int index)
        {
            return index >= 0 && index < _count ? _switches[index] : null;
        }

        public HostSwitch Find(string name)
        {
            for (int i = 0; i < _count; i++) if (_switches[i].Name == name) return _switches[i];
            return null;
        }

        /// <summary>A new switch named <paramref name="name"/>; on Ok the table owns the name, otherwise the caller still does.</summary>
        public NetworkStatus Create(string name, out HostSwitch created)
        {
            created = null;
            if (NameRule.Check(name, out _) != NameStatus.Ok) return NetworkStatus.InvalidName;
            if (Find(name) != null) return NetworkStatus.NameInUse;
            if (_count == _switches.Length) return NetworkStatus.TooManySwitches;
            created = new HostSwitch(name, new VirtualSwitch(PortsPerSwitch, QueueFrames, MacSets, _agingTicks));
            _switches[_count++] = created;
            return NetworkStatus.Ok;
        }

        /// <summary>Removes and frees the switch; refused while an adapter is connected to it.</summary>
        public NetworkStatus Remove(string name)
        {
            for (int i = 0; i < _count; i++)
            {
                HostSwitch s = _switches[i];
                if (s.Name != name) continue;
                if (s.Switch.ConnectedPorts != 0) return NetworkStatus.SwitchInUse;
                for (int j = i; j < _count - 1; j++) _switches[j] = _switches[j + 1];
                _switches[--_count] = null;
                s.Free();
                return NetworkStatus.Ok;
            }
            return NetworkStatus.NoSuchSwitch;
        }

        /// <summary>The host's clock for MAC aging, in the unit given at construction.</summary>
        public void AdvanceClock(ulong now)
        {
            for (int i = 0; i < _count; i++) _switches[i].Switch.AdvanceClock(now);
        }
    }
}
