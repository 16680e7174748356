using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// The requests that make something named from a VM and answer its id. Request: VM id varint | name str (1..64 bytes
    /// of clean UTF-8). Ok response: the new id varint.
    /// </summary>
    public abstract class VmNameRequest : Message
    {
        public uint VmId;
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        /// <summary>Response: the id of what was made.</summary>
        public uint NewId;

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteField(Name);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadField(Name, ProtocolInfo.MaxNameBytes))
            {
                return Refusal(reader);
            }
            return IsName(Name, false) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(NewId);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out NewId);
        }
    }

    /// <summary>ForkVm (16): a copy-on-write copy of a Paused VM under a new name; the copy is Paused. New id: the copy's VM id.</summary>
    public sealed class ForkVmMessage : VmNameRequest
    {
        public override Opcode Opcode { get { return Opcode.ForkVm; } }
    }

    /// <summary>CheckpointVm (17): a snapshot of the VM under a name unique to it. New id: the snapshot id.</summary>
    public sealed class CheckpointVmMessage : VmNameRequest
    {
        public override Opcode Opcode { get { return Opcode.CheckpointVm; } }
    }
}
