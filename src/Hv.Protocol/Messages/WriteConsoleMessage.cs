using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// WriteConsole (13): console input for the guest. Request: VM id varint | data block (at most
    /// <see cref="ProtocolInfo.MaxConsoleChunk"/>). Ok response: bytes accepted varint (fewer than sent: the input buffer is full).
    /// </summary>
    public sealed class WriteConsoleMessage : Message
    {
        public uint VmId;
        /// <summary>Request: Data[DataOffset .. +DataCount) (on the server, a place in the received frame).</summary>
        public byte[] Data;
        public int DataOffset;
        public int DataCount;
        /// <summary>Response: how many of the bytes the guest's input buffer took.</summary>
        public int Accepted;

        public override Opcode Opcode { get { return Opcode.WriteConsole; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteBlock(Data, DataOffset, DataCount);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadBlock(ProtocolInfo.MaxConsoleChunk, out DataOffset, out DataCount))
            {
                return Refusal(reader);
            }
            Data = reader.Buffer;
            Accepted = 0;
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt((ulong)(Accepted < 0 ? 0 : Accepted > DataCount ? DataCount : Accepted));
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            uint accepted;
            if (!reader.ReadVarUInt32(out accepted))
            {
                return false;
            }
            Accepted = accepted > (uint)DataCount ? DataCount : (int)accepted;
            return true;
        }
    }
}
