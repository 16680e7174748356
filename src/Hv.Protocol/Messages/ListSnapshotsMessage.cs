using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ListSnapshots (18): one page of a VM's snapshots in ascending id order. Request: VM id varint | from snapshot id
    /// varint (0 = the start). Ok response: host uptime ms varint | count u16 | count × (id varint | name str | created
    /// (host uptime ms) varint | private pages varint | shared pages varint) | next id varint (0 = done). The server sets
    /// <see cref="HostUptimeMs"/>, then adds the entries with <see cref="Add"/> between <see cref="Begin"/> and
    /// <see cref="WriteResponse"/>.
    /// </summary>
    public sealed class ListSnapshotsMessage : Message
    {
        private readonly EntryList _list = new EntryList();

        public uint VmId;
        public uint FromId;
        public ulong HostUptimeMs;
        /// <summary>Response: where the next page starts; 0 when the list is complete.</summary>
        public uint NextId;
        /// <summary>Response, client side: this page's snapshots.</summary>
        public SnapshotInfo[] Snapshots = new SnapshotInfo[0];

        public override Opcode Opcode { get { return Opcode.ListSnapshots; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(VmId);
            writer.WriteVarUInt(FromId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out VmId) && reader.ReadVarUInt32(out FromId) ? ErrorCode.Ok : Refusal(reader);
        }

        /// <summary>Server: the host's uptime, then the list (room stays for the next id).</summary>
        public void Begin(MessageWriter writer)
        {
            writer.WriteVarUInt(HostUptimeMs);
            _list.Begin(writer, 5);
            NextId = 0;
        }

        /// <summary>Server: appends a snapshot; false when the response is full (stop enumerating).</summary>
        public bool Add(uint id, string name, ulong createdUptimeMs, ulong privatePages, ulong sharedPages)
        {
            if (!_list.BeginEntry())
            {
                return false;
            }
            MessageWriter w = _list.Writer;
            w.WriteVarUInt(id);
            w.WriteString(name, ProtocolInfo.MaxNameBytes);
            w.WriteVarUInt(createdUptimeMs);
            w.WriteVarUInt(privatePages);
            w.WriteVarUInt(sharedPages);
            if (!_list.EndEntry(0))
            {
                NextId = id;
                return false;
            }
            return true;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            _list.PatchCount();
            writer.WriteVarUInt(_list.Full ? NextId : 0);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            int count;
            if (!reader.ReadVarUInt(out HostUptimeMs) || !EntryList.TryReadCount(reader, out count))
            {
                return false;
            }
            Snapshots = new SnapshotInfo[count];
            for (int i = 0; i < count; i++)
            {
                uint id;
                string name;
                ulong created, privatePages, sharedPages;
                if (!reader.ReadVarUInt32(out id) || !reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadVarUInt(out created)
                    || !reader.ReadVarUInt(out privatePages) || !reader.ReadVarUInt(out sharedPages))
                {
                    return false;
                }
                Snapshots[i] = new SnapshotInfo
                {
                    Id = id, VmId = VmId, Name = name, CreatedUptimeMs = created, HostUptimeMs = HostUptimeMs,
                    PrivatePages = privatePages, SharedPages = sharedPages,
                };
            }
            return reader.ReadVarUInt32(out NextId);
        }
    }
}
