using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// CreateDisk (35): a blank raw disk image in the host's store (New-HvDisk). Request: name str | size bytes varint
    /// (whole 512-byte sectors). Ok response: empty.
    /// </summary>
    public sealed class CreateDiskMessage : Message
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public ulong SizeBytes;

        public override Opcode Opcode { get { return Opcode.CreateDisk; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Name);
            writer.WriteVarUInt(SizeBytes);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadField(Name, ProtocolInfo.MaxNameBytes) || !reader.ReadVarUInt(out SizeBytes)) return Refusal(reader);
            return IsName(Name, false) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }

    /// <summary>
    /// AddHardDiskDrive (36): puts a copy-on-write fork of a host disk into the drive of a VM that is off
    /// (Add-HvVmHardDiskDrive). Request: VM id varint | disk name str. Ok response: empty.
    /// </summary>
    public sealed class AddHardDiskDriveMessage : Message
    {
        public uint VmId;
        public readonly Utf8Field DiskName = new Utf8Field(ProtocolInfo.MaxNameBytes);

        public override Opcode Opcode { get { return Opcode.AddHardDiskDrive; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteField(DiskName);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadVarUInt32(out VmId) || !reader.ReadField(DiskName, ProtocolInfo.MaxNameBytes)) return Refusal(reader);
            return IsName(DiskName, false) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }

        public override void WriteResponse(MessageWriter writer)
        {
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }

    /// <summary>RemoveHardDiskDrive (37): empties the drive of a VM that is off (Remove-HvVmHardDiskDrive). Request: VM id varint. Ok response: empty.</summary>
    public sealed class RemoveHardDiskDriveMessage : Message
    {
        public uint VmId;

        public override Opcode Opcode { get { return Opcode.RemoveHardDiskDrive; } }

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
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return true;
        }
    }

    /// <summary>
    /// BeginDiskUpload (38): starts, or resumes, receiving a raw disk image for the host's store (New-HvDisk -Path), on
    /// the template uploads' machinery: the chunks go as UploadTemplateChunk (22) to the id answered. Request: name str |
    /// total bytes varint (whole 512-byte sectors, 1 .. <see cref="ProtocolInfo.MaxTransferBytes"/>) | SHA-256 of the
    /// image (32 raw bytes). Ok response: upload id varint | next offset varint (above 0 when resumed).
    /// </summary>
    public sealed class BeginDiskUploadMessage : Message
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public ulong TotalBytes;
        public readonly byte[] Sha256 = new byte[ProtocolInfo.Sha256Bytes];
        /// <summary>Response.</summary>
        public uint UploadId;
        public ulong NextOffset;

        public override Opcode Opcode { get { return Opcode.BeginDiskUpload; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Name);
            writer.WriteVarUInt(TotalBytes);
            writer.WriteRaw(Sha256, 0, Sha256.Length);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            int digest;
            if (!reader.ReadField(Name, ProtocolInfo.MaxNameBytes) || !reader.ReadVarUInt(out TotalBytes)
                || !reader.ReadRaw(ProtocolInfo.Sha256Bytes, out digest))
            {
                return Refusal(reader);
            }
            if (!IsName(Name, false) || TotalBytes == 0 || TotalBytes % 512 != 0) return ErrorCode.InvalidArgument;
            if (TotalBytes > ProtocolInfo.MaxTransferBytes) return ErrorCode.TooLarge;
            for (int i = 0; i < ProtocolInfo.Sha256Bytes; i++) Sha256[i] = reader.Buffer[digest + i];
            return ErrorCode.Ok;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            writer.WriteVarUInt(UploadId);
            writer.WriteVarUInt(NextOffset);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            return reader.ReadVarUInt32(out UploadId) && reader.ReadVarUInt(out NextOffset) && NextOffset <= TotalBytes;
        }
    }

    /// <summary>CommitDiskUpload (39): checks a complete disk upload's SHA-256 and adds the disk. Request: upload id varint. Ok response: empty.</summary>
    public sealed class CommitDiskUploadMessage : Message
    {
        public uint TransferId;

        public override Opcode Opcode { get { return Opcode.CommitDiskUpload; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(TransferId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out TransferId) ? ErrorCode.Ok : Refusal(reader);
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
