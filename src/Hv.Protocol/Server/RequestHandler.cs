using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// Carries out the requests of one opcode (the <see cref="ProtocolServer"/> looks handlers up in a table by opcode).
    /// Called on the server's thread, one request at a time; allocates nothing per request.
    /// </summary>
    public abstract class RequestHandler
    {
        /// <summary>
        /// Reads the request body from <paramref name="request"/>, acts, and writes the body of an Ok response to
        /// <paramref name="response"/>. Whatever it wrote is dropped when the reply is not Ok.
        /// </summary>
        public abstract Reply Handle(MessageReader request, MessageWriter response);
    }
}
