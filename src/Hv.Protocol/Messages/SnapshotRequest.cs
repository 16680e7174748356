using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>The requests on one snapshot of a VM. Request: VM id varint | snapshot id varint. Ok response: empty.</summary>
    public abstract class SnapshotRequest : Message
    {
        public uint VmId;
        public uint SnapshotId;

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteVarUInt(SnapshotId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out VmId) && reader.ReadVarUInt32(out SnapshotId) ? ErrorCode.Ok : Refusal(reader);
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }

    /// <summary>RestoreSnapshot (19): memory and registers exactly as captured; the VM is left Paused.</summary>
    public sealed class RestoreSnapshotMessage : SnapshotRequest
    {
        public override Opcode Opcode { get { return Opcode.RestoreSnapshot; } }
    }

    /// <summary>RemoveSnapshot (20): forgets the snapshot and frees the pages only it held.</summary>
    public sealed class RemoveSnapshotMessage : SnapshotRequest
    {
        public override Opcode Opcode { get { return Opcode.RemoveSnapshot; } }
    }
}
