using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>GetMetrics (14). Request: VM id varint. Ok response: counters (<see cref="VmMetrics"/>).</summary>
    public sealed class GetMetricsMessage : Message
    {
        public uint VmId;
        public readonly VmMetrics Metrics = new VmMetrics();

        public override Opcode Opcode { get { return Opcode.GetMetrics; } }

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
            Metrics.WriteTo(writer);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return Metrics.TryReadFrom(reader);
        }
    }
}
