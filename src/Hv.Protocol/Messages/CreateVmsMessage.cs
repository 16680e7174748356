using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// CreateVms (15): <see cref="Count"/> VMs from one template named base-1 .. base-count (<see cref="VmNames"/>), all
    /// or none. Request: template str | base name str | memory MiB varint | vCPUs varint | count varint (1 ..
    /// <see cref="ProtocolInfo.MaxVmsPerCreate"/>). Ok response: count varint | count × VM id varint, in name order.
    /// </summary>
    public sealed class CreateVmsMessage : Message
    {
        public readonly Utf8Field Template = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public readonly Utf8Field BaseName = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public uint MemoryMiB;
        public uint Vcpus;
        public uint Count;
        /// <summary>Response: the new ids, name order (<see cref="Count"/> of them).</summary>
        public readonly uint[] VmIds = new uint[ProtocolInfo.MaxVmsPerCreate];

        public override Opcode Opcode { get { return Opcode.CreateVms; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Template);
            writer.WriteField(BaseName);
            writer.WriteVarUInt(MemoryMiB);
            writer.WriteVarUInt(Vcpus);
            writer.WriteVarUInt(Count);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadField(Template, ProtocolInfo.MaxNameBytes) || !reader.ReadField(BaseName, ProtocolInfo.MaxNameBytes)
                || !reader.ReadVarUInt32(out MemoryMiB) || !reader.ReadVarUInt32(out Vcpus) || !reader.ReadVarUInt32(out Count))
            {
                return Refusal(reader);
            }
            if (!IsName(Template, false) || !IsName(BaseName, false) || Count == 0)
            {
                return ErrorCode.InvalidArgument;
            }
            if (Count > ProtocolInfo.MaxVmsPerCreate || BaseName.Length + VmNames.SuffixBytes(Count) > ProtocolInfo.MaxNameBytes)
            {
                return ErrorCode.TooLarge;
            }
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(Count);
            for (int i = 0; i < (int)Count; i++)
            {
                writer.WriteVarUInt(VmIds[i]);
            }
        }

        /// <summary>False also when the host made another number of VMs than asked for.</summary>
        public override bool TryReadResponse(MessageReader reader)
        {
            uint count;
            if (!reader.ReadVarUInt32(out count) || count != Count || count > ProtocolInfo.MaxVmsPerCreate)
            {
                return false;
            }
            for (int i = 0; i < (int)count; i++)
            {
                if (!reader.ReadVarUInt32(out VmIds[i]))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
