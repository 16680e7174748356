using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// GetVm (11). Request: VM id varint. Ok response: id varint | name str | state u8 | stop reason u8 | stop detail str |
    /// exit code (zigzag varint) | memory MiB varint | vCPUs varint | template str | counters (<see cref="VmMetrics"/>) |
    /// CPU weight varint | CPU cap percent varint | notes str (the last three appended; an older host ends before them).
    /// </summary>
    public sealed class GetVmMessage : Message
    {
        public uint VmId;
        /// <summary>Response: every field of the VM.</summary>
        public readonly VmInfo Vm = new VmInfo(true);

        public override Opcode Opcode { get { return Opcode.GetVm; } }

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
            writer.WriteVarUInt(Vm.Id);
            writer.WriteString(Vm.Name, ProtocolInfo.MaxNameBytes);
            writer.WriteByte((byte)Vm.State);
            writer.WriteByte((byte)Vm.StopReason);
            writer.WriteField(Vm.StopDetail);
            writer.WriteVarInt(Vm.ExitCode);
            writer.WriteVarUInt(Vm.MemoryMiB);
            writer.WriteVarUInt(Vm.Vcpus);
            writer.WriteString(Vm.Template, ProtocolInfo.MaxNameBytes);
            Vm.Metrics.WriteTo(writer);
            writer.WriteVarUInt(Vm.CpuWeight);
            writer.WriteVarUInt(Vm.CpuCapPercent);
            writer.WriteString(Vm.Notes, ProtocolInfo.MaxTextBytes);
        }

        public override bool TryReadResponse(MessageReader reader)
        {
            uint id, memory, vcpus;
            string name, template;
            byte state, reason;
            int exitCode;
            if (!reader.ReadVarUInt32(out id) || !reader.ReadString(ProtocolInfo.MaxNameBytes, out name) || !reader.ReadByte(out state)
                || !reader.ReadByte(out reason) || !reader.ReadField(Vm.StopDetail, ProtocolInfo.MaxTextBytes)
                || !reader.ReadVarInt32(out exitCode) || !reader.ReadVarUInt32(out memory) || !reader.ReadVarUInt32(out vcpus)
                || !reader.ReadString(ProtocolInfo.MaxNameBytes, out template) || !Vm.Metrics.TryReadFrom(reader))
            {
                return false;
            }
            Vm.Id = id;
            Vm.Name = name;
            Vm.State = (VmState)state;
            Vm.StopReason = (StopReason)reason;
            Vm.ExitCode = exitCode;
            Vm.MemoryMiB = memory;
            Vm.Vcpus = vcpus;
            Vm.Template = template;
            Vm.HasPages = Vm.Metrics.Has(CounterId.SharedPages);
            Vm.PrivatePages = Vm.Metrics.PrivatePages;
            Vm.SharedPages = Vm.Metrics.SharedPages;
            if (reader.Remaining == 0) return true;
            uint weight, cap;
            string notes;
            if (!reader.ReadVarUInt32(out weight) || !reader.ReadVarUInt32(out cap) || !reader.ReadString(ProtocolInfo.MaxTextBytes, out notes))
            {
                return false;
            }
            Vm.CpuWeight = weight;
            Vm.CpuCapPercent = cap;
            Vm.Notes = notes;
            Vm.HasCpuShare = true;
            return true;
        }
    }
}
