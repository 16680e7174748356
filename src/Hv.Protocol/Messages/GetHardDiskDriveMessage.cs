using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// GetHardDiskDrive (34): a VM's disk drive (Get-HvVmHardDiskDrive). Request: VM id varint. Ok response: u8 1 when
    /// the VM has a disk drive (0 and nothing more when it has none) | u8 1 when a disk is in it (0: emptied by
    /// RemoveHardDiskDrive; size and allocated bytes are then 0) | size bytes varint | allocated bytes varint (the
    /// host pages only this disk holds) | read requests varint | write requests varint | bytes read varint | bytes
    /// written varint | failed requests varint.
    /// </summary>
    public sealed class GetHardDiskDriveMessage : Message
    {
        public uint VmId;
        public bool Present;
        public bool HasMedia;
        public ulong SizeBytes;
        public ulong AllocatedBytes;
        public ulong Reads;
        public ulong Writes;
        public ulong BytesRead;
        public ulong BytesWritten;
        public ulong Errors;

        public override Opcode Opcode { get { return Opcode.GetHardDiskDrive; } }

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
            writer.WriteBool(Present);
            if (!Present) return;
            writer.WriteBool(HasMedia);
            writer.WriteVarUInt(SizeBytes);
            writer.WriteVarUInt(AllocatedBytes);
            writer.WriteVarUInt(Reads);
            writer.WriteVarUInt(Writes);
            writer.WriteVarUInt(BytesRead);
            writer.WriteVarUInt(BytesWritten);
            writer.WriteVarUInt(Errors);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            if (!reader.ReadBool(out Present)) return false;
            if (!Present) return true;
            return reader.ReadBool(out HasMedia) && reader.ReadVarUInt(out SizeBytes) && reader.ReadVarUInt(out AllocatedBytes) && reader.ReadVarUInt(out Reads)
                && reader.ReadVarUInt(out Writes) && reader.ReadVarUInt(out BytesRead) && reader.ReadVarUInt(out BytesWritten)
                && reader.ReadVarUInt(out Errors);
        }
    }
}
