using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// CreateVm (4). Request: template str | name str | memory MiB varint (0 = the template's) | vCPUs varint (0 = the
    /// template's). Ok response: VM id varint. Both names are 1..64 bytes of UTF-8 without control characters.
    /// </summary>
    public sealed class CreateVmMessage : Message
    {
        public readonly Utf8Field Template = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public uint MemoryMiB;
        public uint Vcpus;
        /// <summary>Response: the new VM's id.</summary>
        public uint VmId;

        public override Opcode Opcode { get { return Opcode.CreateVm; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Template);
            writer.WriteField(Name);
            writer.WriteVarUInt(MemoryMiB);
            writer.WriteVarUInt(Vcpus);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadField(Template, ProtocolInfo.MaxNameBytes) || !reader.ReadField(Name, ProtocolInfo.MaxNameBytes)
                || !reader.ReadVarUInt32(out MemoryMiB) || !reader.ReadVarUInt32(out Vcpus))
            {
                return Refusal(reader);
            }
            return IsName(Template, false) && IsName(Name, false) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out VmId);
        }
    }
}
