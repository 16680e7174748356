using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ReadExport (26): image bytes of an export, at any offset (idempotent). Request: export id varint | offset varint |
    /// max bytes varint (0 or over <see cref="ProtocolInfo.MaxTransferChunk"/> = that limit). Ok response: data block
    /// (empty at the end).
    /// </summary>
    public sealed class ReadExportMessage : Message
    {
        public uint ExportId;
        public ulong Offset;
        /// <summary>Request: at most this many bytes (1 .. <see cref="ProtocolInfo.MaxTransferChunk"/> once read).</summary>
        public int MaxBytes;
        /// <summary>Response: the bytes, Data[0 .. Count).</summary>
        public readonly byte[] Data = new byte[ProtocolInfo.MaxTransferChunk];
        public int Count;

        public override Opcode Opcode { get { return Opcode.ReadExport; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(ExportId);
            writer.WriteVarUInt(Offset);
            writer.WriteVarUInt((ulong)MaxBytes);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            uint max;
            if (!reader.ReadVarUInt32(out ExportId) || !reader.ReadVarUInt(out Offset) || !reader.ReadVarUInt32(out max))
            {
                return Refusal(reader);
            }
            MaxBytes = max == 0 || max > ProtocolInfo.MaxTransferChunk ? ProtocolInfo.MaxTransferChunk : (int)max;
            Count = 0;
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteBlock(Data, 0, Count < 0 ? 0 : Count > MaxBytes ? MaxBytes : Count);
        }

        /// <summary>False also for more bytes than asked for.</summary>
        public override bool TryReadResponse(MessageReader reader)
        {
            int offset;
            if (!reader.ReadBlock(MaxBytes, out offset, out Count))
            {
                return false;
            }
            for (int i = 0; i < Count; i++)
            {
                Data[i] = reader.Buffer[offset + i];
            }
            return true;
        }
    }
}
