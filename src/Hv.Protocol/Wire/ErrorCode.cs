namespace Hv.Protocol.Wire
{
    /// <summary>Stable error codes (one byte on the wire). Never renumber; only append.</summary>
    public enum ErrorCode
    {
        Ok = 0,
        /// <summary>The frame was not authenticated, was tampered with, replayed or reordered; nothing was executed.</summary>
        AuthFailed = 1,
        NotFound = 2,
        /// <summary>The VM is not in a state that allows the operation (e.g. start a running VM).</summary>
        InvalidState = 3,
        InvalidArgument = 4,
        /// <summary>Not enough memory, VM slots, vCPUs...</summary>
        ResourceUnavailable = 5,
        /// <summary>Unknown opcode, protocol version or feature.</summary>
        Unsupported = 6,
        /// <summary>A length is over a limit of <see cref="ProtocolInfo"/>.</summary>
        TooLarge = 7,
        Busy = 8,
        Internal = 9,
        AlreadyExists = 10,
        Timeout = 11,
        /// <summary>Transferred data does not match its SHA-256 (template upload) or the image's own check (import).</summary>
        ChecksumMismatch = 12,
    }
}
