using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ListDisks (47): the host's disk images. Request: empty. Ok response: count u16 | count × (name str | size bytes
    /// varint | allocated bytes varint) | truncated u8. The server adds the entries with <see cref="Add"/> between
    /// <see cref="Begin"/> and <see cref="WriteResponse"/>.
    /// </summary>
    public sealed class ListDisksMessage : Message
    {
        private readonly EntryList _list = new EntryList();

        /// <summary>Response, client side: the disks the host listed.</summary>
        public DiskInfo[] Disks = new DiskInfo[0];
        /// <summary>Response, client side: the host had more disks than fit.</summary>
        public bool Truncated;

        public override Opcode Opcode { get { return Opcode.ListDisks; } }

        public override void WriteRequest(MessageWriter writer)
        {
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return ErrorCode.Ok;
        }

        /// <summary>Server: the list starts here (room stays for the truncated flag).</summary>
        public void Begin(MessageWriter writer)
        {
            _list.Begin(writer, 1);
        }

        /// <summary>Server: appends a disk; false when the response is full (stop enumerating).</summary>
        public bool Add(string name, ulong sizeBytes, ulong allocatedBytes)
        {
            if (!_list.BeginEntry()) return false;
            MessageWriter w = _list.Writer;
            w.WriteString(name, ProtocolInfo.MaxNameBytes);
            w.WriteVarUInt(sizeBytes);
            w.WriteVarUInt(allocatedBytes);
            return _list.EndEntry(0);
        }

        public override void WriteResponse(MessageWriter writer)
        {
            _list.PatchCount();
            writer.WriteBool(_list.Full);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            int count;
            if (!EntryList.TryReadCount(reader, out count)) return false;
            Disks = new DiskInfo[count];
            for (int i = 0; i < count; i++)
            {
                string name;
                ulong size, allocated;
                if (!reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadVarUInt(out size)
                    || !reader.ReadVarUInt(out allocated))
                {
                    return false;
                }
                Disks[i] = new DiskInfo { Name = name, SizeBytes = size, AllocatedBytes = allocated };
            }
            return reader.ReadBool(out Truncated);
        }
    }
}
