using System;

namespace Hv.Core.Networking
{
    /// <summary>
    /// A host's virtual Ethernet switch: a learning bridge (IEEE 802.1D, 7-8) between the adapters of VMs.
    /// It learns each source MAC's port (with aging), forwards a frame to the port that learned its destination,
    /// and floods broadcasts, multicasts and unknown destinations to every other port. Frames never go back to
    /// the port they came from. A port accepts only frames whose source MAC is its adapter's own: anything else
    /// is spoofing and is dropped and counted, so no VM can pose as another. Each port's queue is bounded, so a
    /// VM that does not read costs the host nothing beyond that queue.
    ///
    /// Switches are separate by construction: a port belongs to one switch and a frame is only ever copied into
    /// ports of the switch it was sent to. Forwarding allocates nothing.
    /// </summary>
    public sealed class VirtualSwitch
    {
        /// <summary>802.1D's recommended aging time, 300 s, in milliseconds (for hosts whose tick is 1 ms).</summary>
        public const ulong DefaultAgingMilliseconds = 300000;

        private readonly SwitchPort[] _ports;
        private readonly int _queueFrames;
        private readonly MacTable _macs;
        private ulong _now;

        /// <param name="maxPorts">Ports the switch can have at once.</param>
        /// <param name="queueFrames">Frames each port may hold for its adapter (about 1.5 KiB each).</param>
        /// <param name="macSets">4-entry sets of the MAC table (a power of two).</param>
        /// <param name="agingTime">How long a learned address lasts, in the unit of <see cref="AdvanceClock"/>.</param>
        public VirtualSwitch(int maxPorts, int queueFrames, int macSets, ulong agingTime)
        {
            _ports = new SwitchPort[maxPorts];
            _queueFrames = queueFrames;
            _macs = new MacTable(macSets, agingTime);
        }

        public int MaxPorts { get { return _ports.Length; } }
        public MacTable Macs { get { return _macs; } }

        /// <summary>Frames sent to every other port.</summary>
        public ulong FloodedFrames { get; private set; }
        /// <summary>Frames sent to exactly one port.</summary>
        public ulong ForwardedFrames { get; private set; }
        /// <summary>Frames whose destination is on their own sending port (not delivered anywhere).</summary>
        public ulong FilteredFrames { get; private set; }

        /// <summary>The host's clock for aging (monotonic, any unit); the host loop sets it now and then.</summary>
        public void AdvanceClock(ulong now)
        {
            if (now > _now)
            {
                _now = now;
            }
        }

        /// <summary>Ports connected now.</summary>
        public int ConnectedPorts
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _ports.Length; i++) if (_ports[i] != null && _ports[i].Connected) n++;
                return n;
            }
        }

        /// <summary>
        /// Gives back every port, the MAC table and the switch. The caller (the host's switch table) removes a switch
        /// only when no port is connected, so no adapter still points at a port.
        /// </summary>
        public void Free()
        {
            for (int i = 0; i < _ports.Length; i++) if (_ports[i] != null) _ports[i].Free();
            Owned.Free(_ports);
            _macs.Free();
            Owned.Free(this);
        }

        /// <summary>The port at <paramref name="index"/> (connected or not), or null if that slot was never used.</summary>
        public SwitchPort Port(int index)
        {
            return index >= 0 && index < _ports.Length ? _ports[index] : null;
        }

        /// <summary>Connects an adapter with address <paramref name="mac"/> for <paramref name="owner"/>.</summary>
        public SwitchStatus Connect(ulong owner, ulong mac, out SwitchPort port)
        {
            port = null;
            if (mac == 0 || mac > EthernetFrame.Broadcast || EthernetFrame.IsGroup(mac))
            {
                return SwitchStatus.InvalidMac;
            }
            int free = -1;
            for (int i = 0; i < _ports.Length; i++)
            {
                SwitchPort candidate = _ports[i];
                if (candidate != null && candidate.Connected)
                {
                    if (candidate.Mac == mac)
                    {
                        return SwitchStatus.DuplicateMac;
                    }
                }
                else if (free < 0)
                {
                    free = i;
                }
            }
            if (free < 0)
            {
                return SwitchStatus.Full;
            }
            if (_ports[free] == null)
            {
                _ports[free] = new SwitchPort(this, free, _queueFrames);
            }
            port = _ports[free];
            port.Attach(owner, mac);
            return SwitchStatus.Ok;
        }

        /// <summary>Disconnects <paramref name="port"/>: its waiting frames and its learned addresses go.</summary>
        public void Disconnect(SwitchPort port)
        {
            if (port == null || port.Switch != this || !port.Connected)
            {
                return;
            }
            port.Detach();
            _macs.Forget(port.Index);
        }

        /// <summary>Disconnects every port of <paramref name="owner"/> (a VM being removed).</summary>
        public void DisconnectOwner(ulong owner)
        {
            for (int i = 0; i < _ports.Length; i++)
            {
                if (_ports[i] != null && _ports[i].Connected && _ports[i].Owner == owner)
                {
                    Disconnect(_ports[i]);
                }
            }
        }

        /// <summary>A frame sent by <paramref name="from"/>'s adapter: checked, learned from, and copied to its destination port(s).</summary>
        public ForwardResult Send(SwitchPort from, ReadOnlySpan<byte> frame)
        {
            if (from == null || from.Switch != this || !from.Connected)
            {
                return ForwardResult.NotConnected;
            }
            if (frame.Length < EthernetFrame.HeaderLength || frame.Length > EthernetFrame.MaxLength)
            {
                from.CountMalformed();
                return ForwardResult.DroppedMalformed;
            }
            ulong source = EthernetFrame.Source(frame);
            if (source != from.Mac)
            {
                from.CountSpoofed();
                return ForwardResult.DroppedSpoofed;
            }
            from.CountSent(frame.Length);
            _macs.Learn(source, from.Index, _now);
            ulong destination = EthernetFrame.Destination(frame);
            int target = EthernetFrame.IsGroup(destination) ? -1 : _macs.Lookup(destination, _now);
            if (target == from.Index)
            {
                FilteredFrames++;
                return ForwardResult.Filtered;
            }
            if (target >= 0 && _ports[target] != null && _ports[target].Connected)
            {
                ForwardedFrames++;
                _ports[target].Deliver(frame);
                return ForwardResult.Forwarded;
            }
            FloodedFrames++;
            for (int i = 0; i < _ports.Length; i++)
            {
                SwitchPort port = _ports[i];
                if (port != null && port.Connected && port != from)
                {
                    port.Deliver(frame);
                }
            }
            return ForwardResult.Flooded;
        }
    }
}
