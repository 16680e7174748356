using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// The requests that send one chunk of a transfer. Request: transfer id varint | offset varint | data block (at most
    /// <see cref="ProtocolInfo.MaxTransferChunk"/>). Ok response: next offset varint (the offset the host wants next).
    /// A chunk is stored only at the transfer's next offset; any other is still Ok and stores nothing, so a retry is safe.
    /// </summary>
    public abstract class ChunkRequest : Message
    {
        public uint TransferId;
        public ulong Offset;
        /// <summary>Request: Data[DataOffset .. +DataCount) (on the server, a place in the received frame).</summary>
        public byte[] Data;
        public int DataOffset;
        public int DataCount;
        /// <summary>Response.</summary>
        public ulong NextOffset;

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(TransferId);
            writer.WriteVarUInt(Offset);
            writer.WriteBlock(Data, DataOffset, DataCount);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadVarUInt32(out TransferId) || !reader.ReadVarUInt(out Offset)
                || !reader.ReadBlock(ProtocolInfo.MaxTransferChunk, out DataOffset, out DataCount))
            {
                return Refusal(reader);
            }
            Data = reader.Buffer;
            return Offset > ProtocolInfo.MaxTransferBytes ? ErrorCode.TooLarge : ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(NextOffset);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt(out NextOffset);
        }
    }

    /// <summary>UploadTemplateChunk (22): the bytes of a template upload.</summary>
    public sealed class UploadTemplateChunkMessage : ChunkRequest
    {
        public override Opcode Opcode { get { return Opcode.UploadTemplateChunk; } }
    }

    /// <summary>WriteImport (29): the bytes of a VM image being imported.</summary>
    public sealed class WriteImportMessage : ChunkRequest
    {
        public override Opcode Opcode { get { return Opcode.WriteImport; } }
    }
}
