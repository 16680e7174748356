namespace Hv.Core.Net
{
    /// <summary>Why the stack dropped a frame, a packet or a segment; each has its counter in <see cref="NetCounters"/>.</summary>
    public enum NetDrop
    {
        // Ethernet II (IEEE 802.3 clause 3).
        EthernetTruncated,
        EthernetTooLong,
        EthernetNotForUs,
        EthernetBadSource,
        EthernetUnknownType,

        // ARP (RFC 826).
        ArpTruncated,
        ArpUnsupported,
        ArpBadSender,
        ArpAddressConflict,
        ArpNotForUs,
        ArpQueueFull,
        ArpUnresolved,

        // IPv4 (RFC 791, RFC 1122 §3.2).
        Ipv4Truncated,
        Ipv4BadVersion,
        Ipv4BadHeaderLength,
        Ipv4BadChecksum,
        Ipv4BadLength,
        Ipv4Fragment,
        Ipv4BadSource,
        Ipv4NotForUs,
        Ipv4UnknownProtocol,
        Ipv4NoAddress,
        Ipv4NoRoute,
        Ipv4TooLong,
        DeviceBusy,

        // ICMP (RFC 792).
        IcmpTruncated,
        IcmpBadChecksum,
        IcmpUnsupportedType,
        IcmpBroadcastEcho,

        // UDP (RFC 768).
        UdpTruncated,
        UdpBadLength,
        UdpBadChecksum,
        UdpNoListener,

        // DHCP client (RFC 2131, RFC 2132).
        DhcpMalformed,
        DhcpNotOurs,
        DhcpUnexpected,

        // TCP (RFC 9293, RFC 5961).
        TcpTruncated,
        TcpBadHeaderLength,
        TcpBadChecksum,
        TcpBadPort,
        TcpBadOptions,
        TcpNotUnicast,
        TcpNoListener,
        TcpOutOfWindow,
        TcpBadAck,
        TcpNoAck,
        TcpBlindReset,
        TcpBlindSyn,
        TcpBacklogFull,
        TcpPoolExhausted,
        TcpOutOfOrderFull,
        TcpDataAfterClose,

        Count,
    }

    /// <summary>Events the stack counts that are not drops.</summary>
    public enum NetStat
    {
        FramesReceived,
        FramesSent,
        ArpRequestsSent,
        ArpRepliesSent,
        IcmpEchoReplies,
        UdpReceived,
        UdpSent,
        DhcpLeases,
        DhcpRenewals,
        DhcpExpiries,
        DhcpNaks,
        TcpSegmentsReceived,
        TcpSegmentsSent,
        TcpTimeoutRetransmits,
        TcpFastRetransmits,
        TcpZeroWindowProbes,
        TcpKeepAliveProbes,
        TcpChallengeAcks,
        TcpChallengeAcksSuppressed,
        TcpResetsSent,
        TcpResetsReceived,
        TcpAccepted,
        TcpConnected,
        TcpTimedOut,
        TcpHalfOpenEvicted,
        TcpTimeWaitReused,

        Count,
    }
}
