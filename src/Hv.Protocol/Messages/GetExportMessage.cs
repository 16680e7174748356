using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// GetExport (32): how far the host has prepared an export's image (BeginExport answers before the image is ready, so
    /// that no request waits for work in proportion to the VM's memory). Request: export id varint. Ok response: total
    /// bytes varint (0 = still being prepared: ask again; at most <see cref="ProtocolInfo.MaxTransferBytes"/>) | done
    /// pages varint | work pages varint (the preparation's progress).
    /// </summary>
    public sealed class GetExportMessage : Message
    {
        public uint ExportId;
        /// <summary>Response.</summary>
        public ulong TotalBytes;
        public ulong DonePages, WorkPages;

        public override Opcode Opcode { get { return Opcode.GetExport; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(ExportId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out ExportId) ? ErrorCode.Ok : Refusal(reader);
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(TotalBytes);
            writer.WriteVarUInt(DonePages);
            writer.WriteVarUInt(WorkPages);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt(out TotalBytes) && TotalBytes <= ProtocolInfo.MaxTransferBytes
                && reader.ReadVarUInt(out DonePages) && reader.ReadVarUInt(out WorkPages);
        }
    }
}
