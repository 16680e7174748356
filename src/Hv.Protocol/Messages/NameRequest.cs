using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// A request that names one host object: RemoveTemplate (24; it also forgets an unfinished upload of the name),
    /// CreateSwitch (40), RemoveSwitch (42), RemoveDisk (48). Request: name str. Ok response: empty.
    /// </summary>
    public sealed class NameRequest : Message
    {
        private readonly Opcode _opcode;
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);

        public NameRequest(Opcode opcode)
        {
            _opcode = opcode;
        }

        public override Opcode Opcode { get { return _opcode; } }

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
