using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// BeginExport (25): freezes an image of a Paused VM. Request: VM id varint. Ok response: export id varint | total
    /// bytes varint (at most <see cref="ProtocolInfo.MaxTransferBytes"/>; 0 while the host still prepares the image, in
    /// bounded steps between other work: ask <see cref="GetExportMessage"/> until it says the total).
    /// </summary>
    public sealed class BeginExportMessage : Message
    {
        public uint VmId;
        /// <summary>Response.</summary>
        public uint ExportId;
        public ulong TotalBytes;

        public override Opcode Opcode { get { return Opcode.BeginExport; } }

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
            writer.WriteVarUInt(ExportId);
            writer.WriteVarUInt(TotalBytes);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out ExportId) && reader.ReadVarUInt(out TotalBytes) && TotalBytes <= ProtocolInfo.MaxTransferBytes;
        }
    }
}
