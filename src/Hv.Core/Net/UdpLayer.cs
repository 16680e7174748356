using System;

namespace Hv.Core.Net
{
    /// <summary>Receives the datagrams for one bound UDP port.</summary>
    public abstract class UdpReceiver
    {
        public abstract void OnDatagram(ReadOnlySpan<byte> data, uint sourceAddress, ushort sourcePort, uint destinationAddress);
    }

    /// <summary>UDP (RFC 768): length and checksum checks, a small fixed table of bound ports, and sending.</summary>
    public sealed class UdpLayer
    {
        public const int HeaderBytes = 8;
        public const int MaxDataBytes = Ipv4Layer.MaxPayloadBytes - HeaderBytes;

        private readonly NetStack _stack;
        private readonly ushort[] _ports;
        private readonly UdpReceiver[] _receivers;

        internal UdpLayer(NetStack stack)
        {
            _stack = stack;
            _ports = new ushort[stack.Config.UdpBindings];
            _receivers = new UdpReceiver[stack.Config.UdpBindings];
        }

        /// <summary>Delivers datagrams for port to receiver; false if the port is taken or the table is full.</summary>
        public bool Bind(ushort port, UdpReceiver receiver)
        {
            int free = -1;
            for (int i = 0; i < _ports.Length; i++)
            {
                if (_receivers[i] != null && _ports[i] == port)
                {
                    return false;
                }
                if (_receivers[i] == null && free < 0)
                {
                    free = i;
                }
            }
            if (free < 0 || port == 0)
            {
                return false;
            }
            _ports[free] = port;
            _receivers[free] = receiver;
            return true;
        }

        public void Unbind(ushort port)
        {
            for (int i = 0; i < _ports.Length; i++)
            {
                if (_receivers[i] != null && _ports[i] == port)
                {
                    _receivers[i] = null;
                }
            }
        }

        /// <summary>Where a sender writes its datagram's data before <see cref="SendPrepared"/>.</summary>
        public Span<byte> SendBuffer { get { return _stack.TxPayload.Slice(HeaderBytes, MaxDataBytes); } }

        /// <summary>Sends a copy of data.</summary>
        public bool Send(ushort sourcePort, uint destination, ushort destinationPort, ReadOnlySpan<byte> data)
        {
            if (data.Length > MaxDataBytes)
            {
                _stack.Counters.Drop(NetDrop.Ipv4TooLong);
                return false;
            }
            BigEndian.Copy(data, SendBuffer);
            return SendPrepared(sourcePort, destination, destinationPort, data.Length);
        }

        /// <summary>Sends the length bytes already written to <see cref="SendBuffer"/>.</summary>
        public bool SendPrepared(ushort sourcePort, uint destination, ushort destinationPort, int length)
        {
            Span<byte> datagram = _stack.TxPayload.Slice(0, HeaderBytes + length);
            BigEndian.WriteUInt16(datagram, 0, sourcePort);
            BigEndian.WriteUInt16(datagram, 2, destinationPort);
            BigEndian.WriteUInt16(datagram, 4, (ushort)datagram.Length);
            BigEndian.WriteUInt16(datagram, 6, 0);
            uint sum = InternetChecksum.PseudoHeader(_stack.Ip.Address, destination, Ipv4Layer.ProtocolUdp, datagram.Length);
            ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(sum, datagram));
            // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
            BigEndian.WriteUInt16(datagram, 6, checksum == 0 ? (ushort)0xFFFF : checksum);
            if (!_stack.Ipv4.Send(destination, Ipv4Layer.ProtocolUdp, datagram.Length))
            {
                return false;
            }
            _stack.Counters.Count(NetStat.UdpSent);
            return true;
        }

        internal void Receive(ReadOnlySpan<byte> datagram, uint source, uint destination)
        {
            NetCounters counters = _stack.Counters;
            if (datagram.Length < HeaderBytes)
            {
                counters.Drop(NetDrop.UdpTruncated);
                return;
            }
            int length = BigEndian.ReadUInt16(datagram, 4);
            if (length < HeaderBytes || length > datagram.Length)
            {
                counters.Drop(NetDrop.UdpBadLength);
                return;
            }
            datagram = datagram.Slice(0, length);
            if (BigEndian.ReadUInt16(datagram, 6) != 0)
            {
                uint sum = InternetChecksum.PseudoHeader(source, destination, Ipv4Layer.ProtocolUdp, length);
                if (!InternetChecksum.Verify(InternetChecksum.Add(sum, datagram)))
                {
                    counters.Drop(NetDrop.UdpBadChecksum);
                    return;
                }
            }
            ushort port = BigEndian.ReadUInt16(datagram, 2);
            for (int i = 0; i < _ports.Length; i++)
            {
                if (_receivers[i] != null && _ports[i] == port)
                {
                    counters.Count(NetStat.UdpReceived);
                    _receivers[i].OnDatagram(datagram.Slice(HeaderBytes), source, BigEndian.ReadUInt16(datagram, 0), destination);
                    return;
                }
            }
            counters.Drop(NetDrop.UdpNoListener);
        }
    }
}
