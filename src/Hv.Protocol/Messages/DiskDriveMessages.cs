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
}
