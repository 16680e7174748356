using System;

namespace Hv.Core.Net
{
    /// <summary>ICMP (RFC 792): answers echo requests to our unicast address; other messages are counted and dropped.</summary>
    internal static class Icmp
    {
        private const int HeaderBytes = 8;
        private const byte EchoReply = 0;
        private const byte EchoRequest = 8;

        public static void Receive(NetStack stack, ReadOnlySpan<byte> message, uint source, bool broadcast)
        {
            NetCounters counters = stack.Counters;
            if (message.Length < HeaderBytes)
            {
                counters.Drop(NetDrop.IcmpTruncated);
                return;
            }
            if (!InternetChecksum.Verify(InternetChecksum.Add(0, message)))
            {
                counters.Drop(NetDrop.IcmpBadChecksum);
                return;
            }
            if (message[0] != EchoRequest || message[1] != 0)
            {
                counters.Drop(NetDrop.IcmpUnsupportedType);
                return;
            }
            // RFC 1122 §3.2.2.6 allows ignoring broadcast echoes; answering them would make us an amplifier.
            if (broadcast)
            {
                counters.Drop(NetDrop.IcmpBroadcastEcho);
                return;
            }
            // The reply carries the request's identifier, sequence number and data unchanged.
            Span<byte> reply = stack.TxPayload;
            BigEndian.Copy(message, reply);
            reply[0] = EchoReply;
            reply[2] = 0;
            reply[3] = 0;
            BigEndian.WriteUInt16(reply, 2, InternetChecksum.Finish(InternetChecksum.Add(0, reply.Slice(0, message.Length))));
            if (stack.Ipv4.Send(source, Ipv4Layer.ProtocolIcmp, message.Length))
            {
                counters.Count(NetStat.IcmpEchoReplies);
            }
        }
    }
}
