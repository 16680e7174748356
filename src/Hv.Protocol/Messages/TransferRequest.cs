using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>The requests that end a transfer. Request: transfer id varint. Ok response: empty.</summary>
    public abstract class TransferRequest : Message
    {
        public uint TransferId;

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(TransferId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out TransferId) ? ErrorCode.Ok : Refusal(reader);
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }

    /// <summary>CommitTemplateUpload (23): InvalidState until every byte is there; then the SHA-256 is checked and the template added.</summary>
    public sealed class CommitTemplateUploadMessage : TransferRequest
    {
        public override Opcode Opcode { get { return Opcode.CommitTemplateUpload; } }
    }

    /// <summary>EndExport (27): the export's image is released.</summary>
    public sealed class EndExportMessage : TransferRequest
    {
        public override Opcode Opcode { get { return Opcode.EndExport; } }
    }

    /// <summary>AbortImport (31): an unfinished import is discarded.</summary>
    public sealed class AbortImportMessage : TransferRequest
    {
        public override Opcode Opcode { get { return Opcode.AbortImport; } }
    }
}
