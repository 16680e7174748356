using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// GetNetworkAdapter (45): a VM's adapter. Request: VM id varint. Ok response: present u8 | then, when present: MAC
    /// varint | switch name str (empty: not connected) | transmitted frames, bytes | received frames, bytes | transmit
    /// drops | receive drops | spoofed drops | queue-full drops (varints). Port counters (spoofed, queue-full) count since
    /// the adapter last connected.
    /// </summary>
    public sealed class GetNetworkAdapterMessage : Message
    {
        public uint VmId;
        /// <summary>Server: whether the VM has an adapter, and its facts.</summary>
        public bool Present;
        public ulong Mac;
        public string SwitchName;
        public ulong TransmittedFrames, TransmittedBytes, ReceivedFrames, ReceivedBytes, TransmitDrops, ReceiveDrops, SpoofedDrops, QueueFullDrops;
        /// <summary>Client: the adapter, or null when the VM has none.</summary>
        public NetworkAdapterInfo Adapter;

        public override Opcode Opcode { get { return Opcode.GetNetworkAdapter; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out VmId) ? ErrorCode.Ok : Refusal(reader);
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteBool(Present);
            if (!Present)
            {
                return;
            }
            writer.WriteVarUInt(Mac);
            writer.WriteString(SwitchName == null ? "" : SwitchName, ProtocolInfo.MaxNameBytes);
            writer.WriteVarUInt(TransmittedFrames);
            writer.WriteVarUInt(TransmittedBytes);
            writer.WriteVarUInt(ReceivedFrames);
            writer.WriteVarUInt(ReceivedBytes);
            writer.WriteVarUInt(TransmitDrops);
            writer.WriteVarUInt(ReceiveDrops);
            writer.WriteVarUInt(SpoofedDrops);
            writer.WriteVarUInt(QueueFullDrops);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            bool present;
            Adapter = null;
            if (!reader.ReadBool(out present))
            {
                return false;
            }
            if (!present)
            {
                return true;
            }
            ulong mac, txf, txb, rxf, rxb, txd, rxd, spoofed, full;
            string name;
            if (!reader.ReadVarUInt(out mac) || !reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadVarUInt(out txf)
                || !reader.ReadVarUInt(out txb) || !reader.ReadVarUInt(out rxf) || !reader.ReadVarUInt(out rxb) || !reader.ReadVarUInt(out txd)
                || !reader.ReadVarUInt(out rxd) || !reader.ReadVarUInt(out spoofed) || !reader.ReadVarUInt(out full))
            {
                return false;
            }
            Adapter = new NetworkAdapterInfo
            {
                Mac = mac, SwitchName = name, TransmittedFrames = txf, TransmittedBytes = txb, ReceivedFrames = rxf, ReceivedBytes = rxb,
                TransmitDrops = txd, ReceiveDrops = rxd, SpoofedDrops = spoofed, QueueFullDrops = full,
            };
            return true;
        }
    }
}
