namespace Hv.Crypto
{
    /// <summary>Outcome of a <see cref="SecureHandshake"/> or <see cref="RecordLayer"/> call (SECURE-CHANNEL.md).</summary>
    public enum SecureChannelStatus
    {
        Ok = 0,
        /// <summary>The call does not fit the handshake's state (e.g. a server step on a client).</summary>
        WrongState,
        /// <summary>A handshake message with the wrong magic or version.</summary>
        BadMessage,
        /// <summary>The peer's ephemeral key is a low-order point: the shared secret would be zero (RFC 7748 §6.1).</summary>
        LowOrderPoint,
        /// <summary>The peer's finished MAC does not verify: it does not know the host key, or the handshake was altered.</summary>
        AuthenticationFailed,
        /// <summary>A record header that cannot be valid (unknown type, length over the limit or not the bytes given).</summary>
        BadRecord,
        /// <summary>A record whose tag does not verify: tampered, replayed, reordered, or from another session.</summary>
        RecordRejected,
        /// <summary>Plaintext longer than <see cref="RecordLayer.MaxPlaintextBytes"/>.</summary>
        TooLarge,
        /// <summary>This direction has ended with a Close record.</summary>
        Closed,
        /// <summary>An earlier failure killed the session (or it was never started): nothing more is sealed or opened.</summary>
        SessionDead,
        /// <summary>2^64 - 1 records in one direction: the session must end rather than reuse a nonce.</summary>
        SequenceExhausted,
    }
}
