using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// SetVm (32): changes some of a VM's settings, all or none. Request: VM id varint | fields u8 (<see cref="Fields"/>
    /// bits) | then, for each bit set, in bit order: memory MiB varint (bit 0) | vCPUs varint (bit 1) | CPU weight varint
    /// (bit 2) | CPU cap percent varint (bit 3, 0 = none) | name str (bit 4) | notes str (bit 5, 0..255 bytes, empty =
    /// none). Ok response: empty. Unknown bits, or a name or notes that are not clean UTF-8 text, are InvalidArgument.
    /// </summary>
    public sealed class SetVmMessage : Message
    {
        public const byte MemoryField = 1, VcpusField = 2, WeightField = 4, CapField = 8, NameField = 16, NotesField = 32;
        private const byte KnownFields = MemoryField | VcpusField | WeightField | CapField | NameField | NotesField;

        public uint VmId;
        /// <summary>Which of the settings below the request changes.</summary>
        public byte Fields;
        public uint MemoryMiB;
        public uint Vcpus;
        public uint CpuWeight;
        public uint CpuCapPercent;
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public readonly Utf8Field Notes = new Utf8Field(ProtocolInfo.MaxTextBytes);

        public override Opcode Opcode { get { return Opcode.SetVm; } }

        public bool Has(byte field)
        {
            return (Fields & field) != 0;
        }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteByte(Fields);
            if (Has(MemoryField)) writer.WriteVarUInt(MemoryMiB);
            if (Has(VcpusField)) writer.WriteVarUInt(Vcpus);
            if (Has(WeightField)) writer.WriteVarUInt(CpuWeight);
            if (Has(CapField)) writer.WriteVarUInt(CpuCapPercent);
            if (Has(NameField)) writer.WriteField(Name);
            if (Has(NotesField)) writer.WriteField(Notes);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            Name.Clear();
            Notes.Clear();
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadByte(out Fields)
                || (Has(MemoryField) && !reader.ReadVarUInt32(out MemoryMiB))
                || (Has(VcpusField) && !reader.ReadVarUInt32(out Vcpus))
                || (Has(WeightField) && !reader.ReadVarUInt32(out CpuWeight))
                || (Has(CapField) && !reader.ReadVarUInt32(out CpuCapPercent))
                || (Has(NameField) && !reader.ReadField(Name, ProtocolInfo.MaxNameBytes))
                || (Has(NotesField) && !reader.ReadField(Notes, ProtocolInfo.MaxTextBytes)))
            {
                return Refusal(reader);
            }
            if ((Fields & ~KnownFields) != 0 || (Has(NameField) && !IsName(Name, false)) || !Notes.IsCleanText())
            {
                return ErrorCode.InvalidArgument;
            }
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
