using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// The requests that name one VM and answer nothing but the status. Request: VM id varint. Ok response: empty.
    /// </summary>
    public abstract class VmRequest : Message
    {
        public uint VmId;

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

    /// <summary>StartVm (5): Created → Running; a Stopped VM starts over from its template.</summary>
    public sealed class StartVmMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.StartVm; } }
    }

    /// <summary>PauseVm (7): Running → Paused.</summary>
    public sealed class PauseVmMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.PauseVm; } }
    }

    /// <summary>ResumeVm (8): Paused → Running.</summary>
    public sealed class ResumeVmMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.ResumeVm; } }
    }

    /// <summary>RemoveVm (9): a Created or Stopped VM is gone, with its snapshots.</summary>
    public sealed class RemoveVmMessage : VmRequest
    {
        public override Opcode Opcode { get { return Opcode.RemoveVm; } }
    }
}
