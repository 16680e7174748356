using System;
using System.Collections.Generic;
using System.Linq;
using Hv.Core.Net;
using P = Hv.Core.Tests.Net.Packets;

namespace Hv.Core.Tests.Net
{
    /// <summary>
    /// The far end of one TCP connection, played by the test with hand-made segments against a stack that listens
    /// on <see cref="ServerPort"/>. It tracks its own sequence numbers and shows what the stack sent back.
    /// </summary>
    internal sealed class TcpPeer
    {
        public const ushort ServerPort = 7000;
        public readonly NetStack Stack;
        public readonly CapturingDevice Device;
        public readonly TcpListener Listener;
        public ushort Port = 40000;
        public uint Iss = 1_000_000;
        /// <summary>The peer's next sequence number.</summary>
        public uint Seq;
        /// <summary>The stack's ISS, learnt from its SYN-ACK.</summary>
        public uint ServerIss;
        public ulong Now = 1;

        public TcpPeer(NetConfig config = null, int backlog = 4)
        {
            Stack = P.Stack(out Device, config);
            P.Introduce(Stack, Device);
            Listener = Stack.Tcp.Listen(ServerPort, backlog);
            Seq = Iss;
        }

        /// <summary>Delivers one segment from the peer; returns what the stack sent in answer.</summary>
        public List<P.Sent> Send(byte flags, uint ack = 0, byte[] data = null, uint? seq = null, int window = 65535,
                                 byte[] options = null, ushort? fromPort = null)
        {
            byte[] segment = P.Tcp(P.PeerIp, P.OurIp, fromPort ?? Port, ServerPort, seq ?? Seq, ack, flags, window, data, options);
            Stack.Receive(P.IpFrame(P.PeerIp, P.OurIp, 6, segment));
            return Sent();
        }

        public List<P.Sent> Sent() => Device.Take().Select(P.View).Where(s => s.EtherType == 0x0800 && s.Protocol == 6).ToList();

        public List<P.Sent> Advance(ulong microseconds)
        {
            Now += microseconds;
            Stack.Poll(Now);
            return Sent();
        }

        /// <summary>SYN, SYN-ACK, ACK; returns the accepted connection.</summary>
        public TcpConnection Connect(int window = 65535, int mss = 1460)
        {
            P.Sent synAck = Assert.Single(Send(TcpFlags.Syn, options: mss > 0 ? P.MssOption(mss) : null, window: window));
            Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
            Assert.Equal(Seq + 1, synAck.Ack);
            ServerIss = synAck.Seq;
            Seq++;
            Assert.Empty(Send(TcpFlags.Ack, ServerIss + 1, window: window));
            TcpConnection connection = Listener.Accept();
            Assert.NotNull(connection);
            Assert.Equal(TcpState.Established, connection.State);
            return connection;
        }

        /// <summary>Sends data at Seq (and moves Seq past it); returns the stack's answers.</summary>
        public List<P.Sent> SendData(byte[] data, uint ack, int window = 65535, byte extraFlags = 0)
        {
            List<P.Sent> answers = Send((byte)(TcpFlags.Ack | TcpFlags.Psh | extraFlags), ack, data, window: window);
            Seq += (uint)data.Length + ((extraFlags & TcpFlags.Fin) != 0 ? 1u : 0u);
            return answers;
        }
    }
}
