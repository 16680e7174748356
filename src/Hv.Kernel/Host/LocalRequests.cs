using Hv.Crypto;
using Hv.Management;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Kernel.Host
{
    // Requests handed straight to the handlers a HypervisorAdapter registers, without the wire (no frames, no session):
    // the in-image soak benchmark runs the same message decoding and handler code a client's request does.
    internal sealed class LocalRequests : ByteSink
    {
        private readonly ProtocolServer _server;
        private readonly byte[] _request = new byte[ProtocolInfo.MaxContentBytes];
        private readonly byte[] _response = new byte[ProtocolInfo.MaxContentBytes];
        private readonly MessageWriter _writer = new MessageWriter();
        private readonly MessageReader _reader = new MessageReader();

        public LocalRequests(HypervisorAdapter adapter, EntropySource entropy)
        {
            // The server only holds the handler table here: it never sees a frame, so its key is never used.
            _server = new ProtocolServer(this, entropy, new byte[HostKey.Bytes]);
            adapter.RegisterWith(_server);
        }

        // The server sends nothing: no frame ever reaches it.
        public override void Write(byte[] buffer, int offset, int count) { }

        // Carries out `message`'s request; on Ok its response fields are filled in, as a client's would be.
        // The opcode of the request sent last (to name a refused one).
        public Opcode LastOpcode { get; private set; }

        public ErrorCode Send(Message message)
        {
            LastOpcode = message.Opcode;
            _writer.Reset(_request, 0, _request.Length);
            message.WriteRequest(_writer);
            _reader.Reset(_request, 0, _writer.Length);
            _writer.Reset(_response, 0, _response.Length);
            Reply reply = _server.Handler(message.Opcode).Handle(_reader, _writer);
            if (!reply.IsOk) return reply.Status;
            _reader.Reset(_response, 0, _writer.Length);
            return message.TryReadResponse(_reader) ? ErrorCode.Ok : ErrorCode.InvalidArgument;
        }
    }
}
