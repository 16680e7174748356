namespace Hv.Protocol.Wire
{
    /// <summary>Version and size limits of the wire format. Every length a peer sends is checked against these.</summary>
    public static class ProtocolInfo
    {
        /// <summary>First byte of every frame. Bump on any incompatible change; new trailing fields do not need one.</summary>
        public const byte Version = 1;

        /// <summary>Largest message content (version byte through the last body byte, without MAC and CRC).</summary>
        public const int MaxContentBytes = 8192;

        /// <summary>Truncated HMAC-SHA256 carried by authenticated frames on a bare line (none inside the secure channel).</summary>
        public const int MacBytes = Hv.Crypto.Session.FrameMacBytes;

        public const int CrcBytes = 4;

        /// <summary>Largest decoded frame: content + MAC + CRC. The decoder's buffer is exactly this big.</summary>
        public const int MaxFrameBytes = MaxContentBytes + MacBytes + CrcBytes;

        /// <summary>
        /// Largest encoded frame on the wire: leading 0x00, COBS (one code byte per 254 data bytes, plus one),
        /// trailing 0x00.
        /// </summary>
        public const int MaxEncodedBytes = MaxFrameBytes + MaxFrameBytes / 254 + 1 + 2;

        /// <summary>The host's TCP management port (the protocol inside the secure channel, SECURE-CHANNEL.md).</summary>
        public const int TcpPort = 47000;

        public const int KeyBytes = 32;
        public const int NonceBytes = 16;
        public const int SessionKeyBytes = 32;

        /// <summary>VM and template names: UTF-8 bytes, 1..64.</summary>
        public const int MaxNameBytes = 64;

        /// <summary>Free text (version string, CPU feature names, stop detail, error detail): UTF-8 bytes.</summary>
        public const int MaxTextBytes = 255;

        /// <summary>Most console bytes in one ReadConsole response or one WriteConsole request.</summary>
        public const int MaxConsoleChunk = 4096;

        /// <summary>Most counters a counters block may carry (readers skip the ones they do not know).</summary>
        public const int MaxCounters = 32;

        /// <summary>Most VMs one CreateVms request makes (its response lists every new id).</summary>
        public const int MaxVmsPerCreate = 256;

        /// <summary>
        /// Most data bytes in one transfer frame: UploadTemplateChunk, ReadExport (answer) and WriteImport. A 4 KiB chunk
        /// keeps a frame well under <see cref="MaxContentBytes"/> and costs about 0.36 s on a 115200-baud line.
        /// </summary>
        public const int MaxTransferChunk = 4096;

        /// <summary>Largest template image or VM image (export/import) a transfer may announce: 16 GiB.</summary>
        public const ulong MaxTransferBytes = 1UL << 34;

        /// <summary>SHA-256 digest of a template image (BeginTemplateUpload).</summary>
        public const int Sha256Bytes = 32;

        /// <summary>A template's kernel command line: UTF-8 bytes, no control characters.</summary>
        public const int MaxCommandLineBytes = 1024;

        /// <summary>Bytes of one guest page, the unit of the memory counters (PrivatePages, SharedPages).</summary>
        public const int PageBytes = 4096;
    }
}
