using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// BeginTemplateUpload (21): starts, or resumes, receiving a template image. Request: name str | entry mode u8
    /// (<see cref="GuestEntryMode"/>) | memory MiB varint | total bytes varint (1 .. <see cref="ProtocolInfo.MaxTransferBytes"/>)
    /// | SHA-256 of the image (32 raw bytes) | command line str (at most <see cref="ProtocolInfo.MaxCommandLineBytes"/>, no
    /// control characters). Ok response: upload id varint | next offset varint (above 0 when an unfinished upload of the
    /// same name and digest is resumed).
    /// </summary>
    public sealed class BeginTemplateUploadMessage : Message
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public GuestEntryMode EntryMode;
        /// <summary>Default guest memory of VMs made from the template.</summary>
        public uint MemoryMiB;
        public ulong TotalBytes;
        public readonly byte[] Sha256 = new byte[ProtocolInfo.Sha256Bytes];
        public readonly Utf8Field CommandLine = new Utf8Field(ProtocolInfo.MaxCommandLineBytes);
        /// <summary>Response.</summary>
        public uint UploadId;
        public ulong NextOffset;

        public override Opcode Opcode { get { return Opcode.BeginTemplateUpload; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Name);
            writer.WriteByte((byte)EntryMode);
            writer.WriteVarUInt(MemoryMiB);
            writer.WriteVarUInt(TotalBytes);
            writer.WriteRaw(Sha256, 0, Sha256.Length);
            writer.WriteField(CommandLine);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            byte mode;
            int digest;
            if (!reader.ReadField(Name, ProtocolInfo.MaxNameBytes) || !reader.ReadByte(out mode) || !reader.ReadVarUInt32(out MemoryMiB)
                || !reader.ReadVarUInt(out TotalBytes) || !reader.ReadRaw(ProtocolInfo.Sha256Bytes, out digest)
                || !reader.ReadField(CommandLine, ProtocolInfo.MaxCommandLineBytes))
            {
                return Refusal(reader);
            }
            if (!IsName(Name, false) || !CommandLine.IsCleanText() || mode > (byte)GuestEntryMode.Multiboot || TotalBytes == 0)
            {
                return ErrorCode.InvalidArgument;
            }
            if (TotalBytes > ProtocolInfo.MaxTransferBytes)
            {
                return ErrorCode.TooLarge;
            }
            EntryMode = (GuestEntryMode)mode;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++)
            {
                Sha256[i] = reader.Buffer[digest + i];
            }
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(UploadId);
            writer.WriteVarUInt(NextOffset);
        }

        /// <summary>False also for a next offset past the announced size.</summary>
        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out UploadId) && reader.ReadVarUInt(out NextOffset) && NextOffset <= TotalBytes;
        }
    }
}
