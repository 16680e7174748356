using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ListSwitches (41). Request: empty. Ok response: count u16 | count × (name str | connected ports varint | max ports
    /// varint | forwarded varint | flooded varint | filtered varint | spoofed drops varint | malformed drops varint |
    /// queue-full drops varint) | truncated u8. The server adds the entries with <see cref="Add"/> between
    /// <see cref="Begin"/> and <see cref="WriteResponse"/>.
    /// </summary>
    public sealed class ListSwitchesMessage : Message
    {
        private readonly EntryList _list = new EntryList();

        /// <summary>Response, client side: the switches the host listed.</summary>
        public SwitchInfo[] Switches = new SwitchInfo[0];
        /// <summary>Response, client side: the host had more switches than fit.</summary>
        public bool Truncated;

        public override Opcode Opcode { get { return Opcode.ListSwitches; } }

        public override void WriteRequest(MessageWriter writer)
        {
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return ErrorCode.Ok;
        }

        /// <summary>Server: the list starts here (room stays for the truncated flag).</summary>
        public void Begin(MessageWriter writer)
        {
            _list.Begin(writer, 1);
        }

        /// <summary>Server: appends a switch; false when the response is full (stop enumerating).</summary>
        public bool Add(string name, uint connected, uint maxPorts, ulong forwarded, ulong flooded, ulong filtered,
                        ulong spoofed, ulong malformed, ulong queueFull)
        {
            if (!_list.BeginEntry())
            {
                return false;
            }
            MessageWriter w = _list.Writer;
            w.WriteString(name, ProtocolInfo.MaxNameBytes);
            w.WriteVarUInt(connected);
            w.WriteVarUInt(maxPorts);
            w.WriteVarUInt(forwarded);
            w.WriteVarUInt(flooded);
            w.WriteVarUInt(filtered);
            w.WriteVarUInt(spoofed);
            w.WriteVarUInt(malformed);
            w.WriteVarUInt(queueFull);
            return _list.EndEntry(0);
        }

        public override void WriteResponse(MessageWriter writer)
        {
            _list.PatchCount();
            writer.WriteBool(_list.Full);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            int count;
            if (!EntryList.TryReadCount(reader, out count))
            {
                return false;
            }
            Switches = new SwitchInfo[count];
            for (int i = 0; i < count; i++)
            {
                string name;
                uint connected, maxPorts;
                ulong forwarded, flooded, filtered, spoofed, malformed, queueFull;
                if (!reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadVarUInt32(out connected)
                    || !reader.ReadVarUInt32(out maxPorts) || !reader.ReadVarUInt(out forwarded) || !reader.ReadVarUInt(out flooded)
                    || !reader.ReadVarUInt(out filtered) || !reader.ReadVarUInt(out spoofed) || !reader.ReadVarUInt(out malformed)
                    || !reader.ReadVarUInt(out queueFull))
                {
                    return false;
                }
                Switches[i] = new SwitchInfo
                {
                    Name = name, ConnectedPorts = connected, MaxPorts = maxPorts, ForwardedFrames = forwarded, FloodedFrames = flooded,
                    FilteredFrames = filtered, SpoofedDrops = spoofed, MalformedDrops = malformed, QueueFullDrops = queueFull,
                };
            }
            return reader.ReadBool(out Truncated);
        }
    }
}
