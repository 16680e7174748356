using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// HostInfo (2). Request: empty. Ok response: version str | CPU features varint | feature names str | memory total
    /// bytes varint | memory free bytes varint | uptime ms varint | VM count varint | memory shared bytes varint
    /// (appended; readers take it when present).
    /// </summary>
    public sealed class HostInfoMessage : Message
    {
        public readonly HostInfo Info = new HostInfo();

        public override Opcode Opcode { get { return Opcode.HostInfo; } }

        public override void WriteRequest(MessageWriter writer)
        {
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteString(Info.Version, ProtocolInfo.MaxTextBytes);
            writer.WriteVarUInt(Info.CpuFeatures);
            writer.WriteString(Info.CpuFeatureNames, ProtocolInfo.MaxTextBytes);
            writer.WriteVarUInt(Info.MemoryTotalBytes);
            writer.WriteVarUInt(Info.MemoryFreeBytes);
            writer.WriteVarUInt(Info.UptimeMs);
            writer.WriteVarUInt(Info.VmCount);
            writer.WriteVarUInt(Info.MemorySharedBytes);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            string version, names;
            ulong features, total, free, uptime, shared;
            uint count;
            if (!reader.ReadString(ProtocolInfo.MaxTextBytes, out version) || !reader.ReadVarUInt(out features)
                || !reader.ReadString(ProtocolInfo.MaxTextBytes, out names) || !reader.ReadVarUInt(out total)
                || !reader.ReadVarUInt(out free) || !reader.ReadVarUInt(out uptime) || !reader.ReadVarUInt32(out count))
            {
                return false;
            }
            Info.Version = version;
            Info.CpuFeatures = features;
            Info.CpuFeatureNames = names;
            Info.MemoryTotalBytes = total;
            Info.MemoryFreeBytes = free;
            Info.UptimeMs = uptime;
            Info.VmCount = count;
            if (reader.Remaining > 0)
            {
                if (!reader.ReadVarUInt(out shared))
                {
                    return false;
                }
                Info.MemorySharedBytes = shared;
                Info.HasMemorySharedBytes = true;
            }
            return true;
        }
    }
}
