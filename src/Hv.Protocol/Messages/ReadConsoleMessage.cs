using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ReadConsole (12): console output from a stream offset. Request: VM id varint | from offset varint (u64) | max bytes
    /// varint (0 or over <see cref="ProtocolInfo.MaxConsoleChunk"/> = that limit). Ok response: next offset varint (u64) |
    /// flags u8 (bit 0 = dropped: output between the requested offset and the first byte returned was overwritten) |
    /// data block.
    /// </summary>
    public sealed class ReadConsoleMessage : Message
    {
        private const byte DroppedFlag = 1;

        public uint VmId;
        public ulong FromOffset;
        /// <summary>Request: at most this many bytes (1 .. <see cref="ProtocolInfo.MaxConsoleChunk"/> once read).</summary>
        public int MaxBytes;
        /// <summary>Response: the offset after the last byte returned, for the next read.</summary>
        public ulong NextOffset;
        public bool Dropped;
        /// <summary>Response: the bytes, Data[0 .. Count).</summary>
        public readonly byte[] Data = new byte[ProtocolInfo.MaxConsoleChunk];
        public int Count;

        public override Opcode Opcode { get { return Opcode.ReadConsole; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteVarUInt(FromOffset);
            writer.WriteVarUInt((ulong)MaxBytes);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            uint max;
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadVarUInt(out FromOffset) || !reader.ReadVarUInt32(out max))
            {
                return Refusal(reader);
            }
            MaxBytes = max == 0 || max > ProtocolInfo.MaxConsoleChunk ? ProtocolInfo.MaxConsoleChunk : (int)max;
            Count = 0;
            NextOffset = 0;
            Dropped = false;
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(NextOffset);
            writer.WriteByte(Dropped ? DroppedFlag : (byte)0);
            writer.WriteBlock(Data, 0, Count < 0 ? 0 : Count > MaxBytes ? MaxBytes : Count);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            byte flags;
            int offset;
            if (!reader.ReadVarUInt(out NextOffset) || !reader.ReadByte(out flags)
                || !reader.ReadBlock(ProtocolInfo.MaxConsoleChunk, out offset, out Count))
            {
                return false;
            }
            Dropped = (flags & DroppedFlag) != 0;
            for (int i = 0; i < Count; i++)
            {
                Data[i] = reader.Buffer[offset + i];
            }
            return true;
        }
    }
}
