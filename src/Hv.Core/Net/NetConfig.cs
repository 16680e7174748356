namespace Hv.Core.Net
{
    /// <summary>Sizes of the stack's fixed pools and its timing constants; read once at construction.</summary>
    public sealed class NetConfig
    {
        public int ArpEntries = 32;
        public int ArpPendingFrames = 16;
        /// <summary>How long a learned ARP entry is trusted before it is asked again (RFC 1122 §2.3.2.1 aging).</summary>
        public int ArpLifetimeMs = 120000;
        public int ArpRetryMs = 1000;
        public int ArpRetries = 3;

        public int UdpBindings = 4;

        public int TcpConnections = 16;
        /// <summary>At most this many connections in SYN-RECEIVED: the rest of the pool stays for established ones.</summary>
        public int TcpHalfOpen = 8;
        public int TcpListeners = 4;
        public int TcpSendBufferBytes = 32768;
        /// <summary>Also the largest window advertised; at most 65535 (no window scaling).</summary>
        public int TcpReceiveBufferBytes = 32768;
        public int TcpOutOfOrderRanges = 4;
        /// <summary>RFC 6298 §2.4 says RTO should not go under 1 s.</summary>
        public int TcpMinRtoMs = 1000;
        public int TcpMaxRtoMs = 60000;
        public int TcpInitialRtoMs = 1000;
        /// <summary>Retransmissions of one segment before the connection is given up (RFC 9293 §3.8.3 R2).</summary>
        public int TcpMaxRetransmits = 10;
        public int TcpSynRetransmits = 4;
        /// <summary>Maximum segment lifetime; TIME-WAIT lasts twice this (RFC 9293 §3.4.2).</summary>
        public int TcpMslMs = 30000;
        /// <summary>FIN-WAIT-2 is left after this long when the application has closed (no peer FIN ever comes).</summary>
        public int TcpFinWait2Ms = 60000;
        /// <summary>Keep-alive (RFC 9293 §3.8.4): first probe after this idle time, 0 = off.</summary>
        public int TcpKeepAliveIdleMs = 60000;
        public int TcpKeepAliveIntervalMs = 10000;
        public int TcpKeepAliveProbes = 5;
        /// <summary>Challenge ACKs per second, all connections together (RFC 5961 §7).</summary>
        public int TcpChallengeAcksPerSecond = 10;

        public int DhcpMaxBackoffMs = 64000;
    }
}
