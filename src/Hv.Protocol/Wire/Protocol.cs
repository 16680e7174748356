namespace Hv.Protocol.Wire
{
    /// <summary>Version and size limits of the wire format. Every length a peer sends is checked against these.</summary>
    public static class ProtocolInfo
    {
        /// <summary>First byte of every frame. Bump on any incompatible change; new trailing fields do not need one.</summary>
        public const byte Version = 1;

        /// <summary>Largest message content (version byte through the last body byte, without MAC and CRC).</summary>
        public const int MaxContentBytes = 8192;

        /// <summary>Truncated HMAC-SHA256 carried by authenticated frames.</summary>
        public const int MacBytes = 16;

        public const int CrcBytes = 4;

        /// <summary>Largest decoded frame: content + MAC + CRC. The decoder's buffer is exactly this big.</summary>
        public const int MaxFrameBytes = MaxContentBytes + MacBytes + CrcBytes;

        /// <summary>
        /// Largest encoded frame on the wire: leading 0x00, COBS (one code byte per 254 data bytes, plus one),
        /// trailing 0x00.
        /// </summary>
        public const int MaxEncodedBytes = MaxFrameBytes + MaxFrameBytes / 254 + 1 + 2;

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

    /// <summary>
    /// Operation codes. A response carries the request's code with bit 7 set. Values are stable: never
    /// renumber, only append.
    /// </summary>
    public enum Opcode
    {
        None = 0,
        Handshake = 1,
        HostInfo = 2,
        ListTemplates = 3,
        CreateVm = 4,
        StartVm = 5,
        StopVm = 6,
        PauseVm = 7,
        ResumeVm = 8,
        RemoveVm = 9,
        ListVms = 10,
        GetVm = 11,
        ReadConsole = 12,
        WriteConsole = 13,
        GetMetrics = 14,

        // ---- templates, clones, snapshots, transfers (appended; see PROTOCOL.md) ----------------------------

        /// <summary>Several VMs from one template, named "base-1".."base-N", all or none.</summary>
        CreateVms = 15,
        /// <summary>A copy-on-write copy of a paused VM.</summary>
        ForkVm = 16,
        CheckpointVm = 17,
        ListSnapshots = 18,
        RestoreSnapshot = 19,
        RemoveSnapshot = 20,
        BeginTemplateUpload = 21,
        UploadTemplateChunk = 22,
        CommitTemplateUpload = 23,
        RemoveTemplate = 24,
        BeginExport = 25,
        ReadExport = 26,
        EndExport = 27,
        BeginImport = 28,
        WriteImport = 29,
        CommitImport = 30,
        AbortImport = 31,

        /// <summary>Server → client, unauthenticated: "your frame was refused" (body: ErrorCode.AuthFailed).</summary>
        Refused = 0x7F,

        /// <summary>OR-ed into a request's opcode to make the response's.</summary>
        ResponseBit = 0x80,
    }

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

    /// <summary>VM life cycle (ARCHITECTURE.md principle 5). One byte on the wire.</summary>
    public enum VmState
    {
        Unknown = 0,
        Created = 1,
        Running = 2,
        Paused = 3,
        Stopping = 4,
        Stopped = 5,
        Removed = 6,
    }

    /// <summary>Why a VM stopped. One byte on the wire; the free-text stop detail says more.</summary>
    public enum StopReason
    {
        None = 0,
        /// <summary>StopVm, graceful.</summary>
        Requested = 1,
        /// <summary>StopVm with force, or the graceful timeout ran out.</summary>
        Forced = 2,
        /// <summary>The guest halted with interrupts disabled / powered off.</summary>
        GuestHalt = 3,
        /// <summary>The guest wrote an exit code to the test exit device.</summary>
        GuestExit = 4,
        TripleFault = 5,
        /// <summary>An exit with no handler, or a handler that failed (principle 3).</summary>
        UnhandledExit = 6,
        /// <summary>The guest broke a rule (EPT violation outside its memory...).</summary>
        GuestFault = 7,
        /// <summary>A hypervisor-side error.</summary>
        HostError = 8,
    }

    /// <summary>
    /// Index of each counter in a counters block (GetVm, GetMetrics). Stable; new counters are appended and
    /// older readers skip them.
    /// </summary>
    public enum CounterId
    {
        TotalExits = 0,
        IoExits = 1,
        EptExits = 2,
        HltExits = 3,
        CpuidExits = 4,
        MsrExits = 5,
        InterruptExits = 6,
        OtherExits = 7,
        ConsoleBytesOut = 8,
        ConsoleBytesIn = 9,
        GuestTsc = 10,
        RunTimeMs = 11,
        /// <summary>Guest pages only this VM holds (its own and its copy-on-write copies): freed when it is removed.</summary>
        PrivatePages = 12,
        /// <summary>Guest pages this VM maps that are shared (copy-on-write) with a template, a snapshot or another VM.</summary>
        SharedPages = 13,
        Count = 14,
    }

    /// <summary>How a template's image boots (BeginTemplateUpload). One byte on the wire; the order of the hypervisor's modes.</summary>
    public enum TemplateEntryMode
    {
        /// <summary>A flat binary at 0x8000 in 16-bit real mode.</summary>
        Real = 0,
        /// <summary>A flat 64-bit binary at 1 MiB in long mode.</summary>
        Long = 1,
        /// <summary>A Multiboot (v1) kernel.</summary>
        Multiboot = 2,
    }

    /// <summary>Bits of a template's flags (ListTemplates entry extension). Stable; only append.</summary>
    public static class TemplateFlags
    {
        /// <summary>The host keeps a booted, copy-on-write memory image of the template: new VMs share its pages.</summary>
        public const ulong Primed = 1UL << 0;
        /// <summary>The template came over the management channel (New-HvTemplate), not from the boot modules.</summary>
        public const ulong Uploaded = 1UL << 1;
    }
}
