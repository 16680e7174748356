using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// BeginImport (28): starts receiving a VM image. Request: name str (empty = the name recorded in the image) | total
    /// bytes varint (1 .. <see cref="ProtocolInfo.MaxTransferBytes"/>). Ok response: import id varint.
    /// </summary>
    public sealed class BeginImportMessage : Message
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public ulong TotalBytes;
        /// <summary>Response.</summary>
        public uint ImportId;

        public override Opcode Opcode { get { return Opcode.BeginImport; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Name);
            writer.WriteVarUInt(TotalBytes);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadField(Name, ProtocolInfo.MaxNameBytes) || !reader.ReadVarUInt(out TotalBytes))
            {
                return Refusal(reader);
            }
            if (!IsName(Name, true) || TotalBytes == 0)
            {
                return ErrorCode.InvalidArgument;
            }
            return TotalBytes > ProtocolInfo.MaxTransferBytes ? ErrorCode.TooLarge : ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(ImportId);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out ImportId);
        }
    }
}
