using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ListTemplates (3). Request: empty. Ok response: count u16 | count × (name str | memory MiB varint | vCPUs varint |
    /// entry mode str) | truncated u8 | entry extensions: flags varint (<see cref="TemplateFlags"/>).
    /// The server adds the entries with <see cref="Add"/> between <see cref="Begin"/> and <see cref="WriteResponse"/>.
    /// </summary>
    public sealed class ListTemplatesMessage : Message
    {
        private readonly EntryList _list = new EntryList();
        private readonly EntryExtensions _extensions = new EntryExtensions();
        private readonly MessageReader _block = new MessageReader();

        /// <summary>Response, client side: the templates the host listed.</summary>
        public TemplateInfo[] Templates = new TemplateInfo[0];

        public override Opcode Opcode { get { return Opcode.ListTemplates; } }

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
            _extensions.Begin();
        }

        /// <summary>Server: appends a template; false when the response is full (stop enumerating).</summary>
        public bool Add(string name, uint memoryMiB, uint vcpus, string entryMode, ulong flags)
        {
            if (!_list.BeginEntry())
            {
                return false;
            }
            MessageWriter w = _list.Writer;
            w.WriteString(name, ProtocolInfo.MaxNameBytes);
            w.WriteVarUInt(memoryMiB);
            w.WriteVarUInt(vcpus);
            w.WriteString(entryMode, ProtocolInfo.MaxNameBytes);
            _extensions.BeginEntry().WriteVarUInt(flags);
            _extensions.EndEntry();
            if (!_list.EndEntry(_extensions.PendingBytes))
            {
                _extensions.DropLast();
                return false;
            }
            return true;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            _list.PatchCount();
            writer.WriteBool(_list.Full);
            _extensions.WriteTo(writer);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            int count;
            if (!EntryList.TryReadCount(reader, out count))
            {
                return false;
            }
            Templates = new TemplateInfo[count];
            for (int i = 0; i < count; i++)
            {
                string name, mode;
                uint memory, vcpus;
                if (!reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadVarUInt32(out memory)
                    || !reader.ReadVarUInt32(out vcpus) || !reader.ReadString(ProtocolInfo.MaxNameBytes, out mode))
                {
                    return false;
                }
                Templates[i] = new TemplateInfo { Name = name, MemoryMiB = memory, Vcpus = vcpus, EntryMode = mode };
            }
            bool truncated, present;
            if (reader.Remaining > 0 && !reader.ReadBool(out truncated))
            {
                return false;
            }
            if (!EntryExtensions.TryReadCount(reader, count, out present))
            {
                return false;
            }
            for (int i = 0; present && i < count; i++)
            {
                ulong flags;
                if (!EntryExtensions.TryReadBlock(reader, _block))
                {
                    return false;
                }
                if (_block.Remaining > 0 && _block.ReadVarUInt(out flags))
                {
                    Templates[i].Flags = flags;
                    Templates[i].HasFlags = true;
                }
            }
            return true;
        }
    }
}
