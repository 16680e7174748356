namespace Hv.Core.Net
{
    /// <summary>The connection states of RFC 9293 §3.3.2.</summary>
    public enum TcpState
    {
        Closed,
        Listen,
        SynSent,
        SynReceived,
        Established,
        FinWait1,
        FinWait2,
        CloseWait,
        Closing,
        LastAck,
        TimeWait,
    }

    /// <summary>Why a connection reached Closed.</summary>
    public enum TcpCloseReason
    {
        None,
        /// <summary>Both sides closed (FIN exchanged and acknowledged).</summary>
        Normal,
        /// <summary>The peer reset the connection.</summary>
        Reset,
        /// <summary>The peer refused our SYN with a reset.</summary>
        Refused,
        /// <summary>Retransmissions, SYN retries or keep-alive probes went unanswered.</summary>
        TimedOut,
        /// <summary>This side aborted (Abort, Close with unread data, data after Close).</summary>
        Aborted,
    }
}
