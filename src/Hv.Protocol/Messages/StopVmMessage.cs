using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// StopVm (6). Request: VM id varint | flags u8 (bit 0 = force) | graceful timeout ms varint. Ok response: empty.
    /// Graceful: the guest gets the timeout, then the host turns it off; forced: at once.
    /// </summary>
    public sealed class StopVmMessage : Message
    {
        private const byte ForceFlag = 1;

        public uint VmId;
        public bool Force;
        public uint GracefulTimeoutMs;

        public override Opcode Opcode { get { return Opcode.StopVm; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteByte(Force ? ForceFlag : (byte)0);
            writer.WriteVarUInt(GracefulTimeoutMs);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            byte flags;
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadByte(out flags) || !reader.ReadVarUInt32(out GracefulTimeoutMs))
            {
                return Refusal(reader);
            }
            Force = (flags & ForceFlag) != 0;
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }
}
