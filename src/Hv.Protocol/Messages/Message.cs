using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// One management request and its response, as both ends see them: the client fills the request fields, writes the
    /// request and reads the response; the server reads the request, its handler carries it out and fills the response
    /// fields, and the server writes the response. Each body is defined here once (PROTOCOL.md points at these types).
    ///
    /// A response body follows the status byte the server writes; when the status is not Ok the body is the host's
    /// detail text instead (PROTOCOL.md). Server-side methods (<see cref="TryReadRequest"/>, <see cref="WriteResponse"/>)
    /// keep to src/PORTABLE.md and allocate nothing: a server reuses one message object per opcode. The client makes a
    /// new one per call.
    /// </summary>
    public abstract class Message
    {
        public abstract Opcode Opcode { get; }

        /// <summary>Client: the request body.</summary>
        public abstract void WriteRequest(MessageWriter writer);

        /// <summary>
        /// Server: reads and checks the request body into the fields. Ok, or the status that refuses it: TooLarge for a
        /// length over a limit, InvalidArgument for anything else malformed.
        /// </summary>
        public abstract ErrorCode TryReadRequest(MessageReader reader);

        /// <summary>Server: the body of an Ok response, from the fields the handler filled.</summary>
        public abstract void WriteResponse(MessageWriter writer);

        /// <summary>Client: reads an Ok response body into the fields; false when it is malformed.</summary>
        public abstract bool TryReadResponse(MessageReader reader);

        /// <summary>The refusal for a request body that did not read: TooLarge when a length was over its limit.</summary>
        protected static ErrorCode Refusal(MessageReader reader)
        {
            return reader.Status == ReadStatus.TooLarge ? ErrorCode.TooLarge : ErrorCode.InvalidArgument;
        }

        /// <summary>
        /// A name field that is 1..64 bytes (or empty with <paramref name="allowEmpty"/>) of well-formed UTF-8. Which
        /// characters a name may hold is the host's naming rule, answered with its reason (Hv.Core NameRule).
        /// </summary>
        protected static bool IsName(Utf8Field name, bool allowEmpty)
        {
            return (allowEmpty || name.Length > 0) && Utf8.IsWellFormed(name.Bytes, 0, name.Length);
        }
    }
}
