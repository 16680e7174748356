using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>RemoveTemplate (24): forgets a template and any unfinished upload of the name. Request: name str. Ok response: empty.</summary>
    public sealed class RemoveTemplateMessage : Message
    {
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);

        public override Opcode Opcode { get { return Opcode.RemoveTemplate; } }

        public override void WriteRequest(MessageWriter writer)
        {
            writer.WriteField(Name);
        }

        public override ErrorCode TryReadRequest(MessageReader reader)
        {
            if (!reader.ReadField(Name, ProtocolInfo.MaxNameBytes))
            {
                return Refusal(reader);
            }
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
}
