using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// ListVms (10): one page of the VMs in ascending id order. Request: from id varint (0 = the start). Ok response:
    /// count u16 | count × (id varint | name str | state u8 | stop reason u8 | memory MiB varint | vCPUs varint) | next id
    /// varint (0 = done) | entry extensions: private pages varint | shared pages varint | CPU weight varint | CPU cap
    /// percent varint. The server adds the entries with
    /// <see cref="Add"/> between <see cref="Begin"/> and <see cref="WriteResponse"/>; the client asks again from
    /// <see cref="NextId"/>.
    /// </summary>
    public sealed class ListVmsMessage : Message
    {
        private readonly EntryList _list = new EntryList();
        private readonly EntryExtensions _extensions = new EntryExtensions();
        private readonly MessageReader _block = new MessageReader();

        public uint FromId;
        /// <summary>Response: where the next page starts; 0 when the list is complete.</summary>
        public uint NextId;
        /// <summary>Response, client side: this page's VMs (summaries).</summary>
        public VmInfo[] Vms = new VmInfo[0];

        public override Opcode Opcode { get { return Opcode.ListVms; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteVarUInt(FromId);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            return reader.ReadVarUInt32(out FromId) ? ErrorCode.Ok : Refusal(reader);
        }

        /// <summary>Server: the list starts here (room stays for the next id).</summary>
        public void Begin(MessageWriter writer)
        {
            _list.Begin(writer, 5);
            _extensions.Begin();
            NextId = 0;
        }

        /// <summary>Server: appends a VM; false when the response is full (stop enumerating: the client continues from it).</summary>
        public bool Add(uint id, string name, VmState state, StopReason stopReason, uint memoryMiB, uint vcpus,
            ulong privatePages, ulong sharedPages, uint cpuWeight, uint cpuCapPercent)
        {
            if (!_list.BeginEntry())
            {
                return false;
            }
            MessageWriter w = _list.Writer;
            w.WriteVarUInt(id);
            w.WriteString(name, ProtocolInfo.MaxNameBytes);
            w.WriteByte((byte)state);
            w.WriteByte((byte)stopReason);
            w.WriteVarUInt(memoryMiB);
            w.WriteVarUInt(vcpus);
            MessageWriter ext = _extensions.BeginEntry();
            ext.WriteVarUInt(privatePages);
            ext.WriteVarUInt(sharedPages);
            ext.WriteVarUInt(cpuWeight);
            ext.WriteVarUInt(cpuCapPercent);
            _extensions.EndEntry();
            if (!_list.EndEntry(_extensions.PendingBytes))
            {
                _extensions.DropLast();
                NextId = id;
                return false;
            }
            return true;
        }

        public override void WriteResponse(MessageWriter writer)
        {
            _list.PatchCount();
            writer.WriteVarUInt(_list.Full ? NextId : 0);
            _extensions.WriteTo(writer);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            int count;
            if (!EntryList.TryReadCount(reader, out count))
            {
                return false;
            }
            Vms = new VmInfo[count];
            for (int i = 0; i < count; i++)
            {
                uint id, memory, vcpus;
                string name;
                byte state, reason;
                if (!reader.ReadVarUInt32(out id) || !reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadByte(out state)
                    || !reader.ReadByte(out reason) || !reader.ReadVarUInt32(out memory) || !reader.ReadVarUInt32(out vcpus))
                {
                    return false;
                }
                VmInfo vm = new VmInfo(false);
                vm.Id = id;
                vm.Name = name;
                vm.State = (VmState)state;
                vm.StopReason = (StopReason)reason;
                vm.MemoryMiB = memory;
                vm.Vcpus = vcpus;
                Vms[i] = vm;
            }
            bool present;
            if (!reader.ReadVarUInt32(out NextId) || !EntryExtensions.TryReadCount(reader, count, out present))
            {
                return false;
            }
            for (int i = 0; present && i < count; i++)
            {
                ulong privatePages, sharedPages;
                if (!EntryExtensions.TryReadBlock(reader, _block))
                {
                    return false;
                }
                if (_block.Remaining > 0 && _block.ReadVarUInt(out privatePages) && _block.ReadVarUInt(out sharedPages))
                {
                    Vms[i].PrivatePages = privatePages;
                    Vms[i].SharedPages = sharedPages;
                    Vms[i].HasPages = true;
                }
                uint weight, cap;
                if (_block.Remaining > 0 && _block.ReadVarUInt32(out weight) && _block.ReadVarUInt32(out cap))
                {
                    Vms[i].CpuWeight = weight;
                    Vms[i].CpuCapPercent = cap;
                    Vms[i].HasCpuShare = true;
                }
            }
            return true;
        }
    }
}
