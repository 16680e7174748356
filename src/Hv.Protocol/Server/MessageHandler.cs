using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// A handler for one <see cref="Messages.Message"/> type: the message reads and checks the request,
    /// <see cref="Execute"/> carries it out on the message's fields, the message writes the response.
    /// </summary>
    public abstract class MessageHandler : RequestHandler
    {
        /// <summary>The handler's own message object, reused for every request.</summary>
        protected abstract Message Message { get; }

        public Opcode Opcode { get { return Message.Opcode; } }

        public sealed override Reply Handle(MessageReader request, MessageWriter response)
        {
            Message message = Message;
            ErrorCode read = message.TryReadRequest(request);
            if (read != ErrorCode.Ok)
            {
                return new Reply(read, null);
            }
            Reply reply = Execute(response);
            if (reply.IsOk)
            {
                message.WriteResponse(response);
            }
            return reply;
        }

        /// <summary>
        /// Carries out the request; fills the message's response fields. A list response streams its entries into
        /// <paramref name="response"/> as it goes (the message's Begin and Add); other messages ignore it.
        /// </summary>
        protected abstract Reply Execute(MessageWriter response);
    }
}
