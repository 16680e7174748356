using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>AddNetworkAdapter (43): gives a PC VM that is off its virtio-net adapter. Request: VM id varint. Ok response: empty.</summary>
    public sealed class AddNetworkAdapterMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.AddNetworkAdapter; } }
    }

    /// <summary>RemoveNetworkAdapter (44): takes a VM's adapter away. Request: VM id varint. Ok response: empty.</summary>
    public sealed class RemoveNetworkAdapterMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.RemoveNetworkAdapter; } }
    }

    /// <summary>
    /// ConnectNetworkAdapter (46): connects a VM's adapter to a host switch, or disconnects it. Request: VM id varint |
    /// switch name str (empty: disconnect). Ok response: empty.
    /// </summary>
    public sealed class ConnectNetworkAdapterMessage : Message
    {
        public uint VmId;
        public readonly Utf8Field SwitchName = new Utf8Field(ProtocolInfo.MaxNameBytes);

        public override Opcode Opcode { get { return Opcode.ConnectNetworkAdapter; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteField(SwitchName);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadField(SwitchName, ProtocolInfo.MaxNameBytes))
            {
                return Refusal(reader);
            }
            return IsName(SwitchName, true) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }
}
