using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// CommitImport (30): checks the image and creates the VM, Paused. Request: import id varint. Ok response: VM id varint.
    /// The import is finished either way, except for InvalidState (not every byte arrived yet).
    /// </summary>
    public sealed class CommitImportMessage : Message
    {
        public uint ImportId;
        /// <summary>Response.</summary>
        public uint VmId;

        public override Opcode Opcode { get { return Opcode.CommitImport; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(ImportId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out ImportId) ? ErrorCode.Ok : Refusal(reader);
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out VmId);
        }
    }
}
