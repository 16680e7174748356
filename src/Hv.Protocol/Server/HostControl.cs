using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// What the management server asks of the host: one method per operation. The kernel implements it over
    /// the VM manager; tests implement it with fakes. Every method returns an <see cref="ErrorCode"/> and
    /// fills a result object the server owns and reuses (so nothing is allocated per request); strings the
    /// host puts in results are only read, so pass the host's own strings, do not build new ones.
    /// Called on the server's thread, one request at a time.
    /// </summary>
    public abstract class HostControl
    {
        private string _errorDetail;
        private readonly CreateVmRequest _batch = new CreateVmRequest();

        /// <summary>Milliseconds since the host started (the server's time source; HostInfo.UptimeMs).</summary>
        public abstract ulong UptimeMilliseconds();

        /// <summary>Fill version, CPU features, memory and VM count (the server fills UptimeMs).</summary>
        public abstract ErrorCode GetHostInfo(HostInfoResult result);

        /// <summary>Call <see cref="TemplateListWriter.Add"/> for each template; stop when it returns false.</summary>
        public abstract ErrorCode ListTemplates(TemplateListWriter list);

        /// <summary>
        /// Create a VM from a template. The server has checked that both names are 1..64 bytes of UTF-8
        /// without control characters; MemoryMiB or Vcpus of 0 mean "the template's". Keep the name with
        /// request.Name.ToNewString() (allocation at VM creation is fine).
        /// </summary>
        public abstract ErrorCode CreateVm(CreateVmRequest request, out uint vmId);

        public abstract ErrorCode StartVm(uint vmId);

        /// <summary>
        /// Stop a VM: graceful (ask the guest, give it <paramref name="gracefulTimeoutMs"/>, then force) or
        /// forced. May return Ok once the stop is under way; GetVm shows Stopping until it is done.
        /// </summary>
        public abstract ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs);

        public abstract ErrorCode PauseVm(uint vmId);

        public abstract ErrorCode ResumeVm(uint vmId);

        public abstract ErrorCode RemoveVm(uint vmId);

        /// <summary>
        /// Call <see cref="VmListWriter.Add"/> for each VM with id ≥ <paramref name="fromId"/>, in ascending id
        /// order (VM ids start at 1); stop when Add returns false (the response is full; the client asks for
        /// the next page from that id).
        /// </summary>
        public abstract ErrorCode ListVms(uint fromId, VmListWriter list);

        /// <summary>Fill every field of <paramref name="result"/> (it was cleared), counters included.</summary>
        public abstract ErrorCode GetVm(uint vmId, VmDetails result);

        /// <summary>
        /// Copy at most <paramref name="maxBytes"/> console output bytes starting at stream offset
        /// <paramref name="fromOffset"/> into result.Data, set Count and NextOffset (offset after the last byte
        /// returned). If fromOffset is older than what is still buffered, start at the oldest buffered byte
        /// and set Dropped. If fromOffset is beyond the end, return no bytes and NextOffset = the end.
        /// </summary>
        public abstract ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result);

        /// <summary>Queue data[offset..+count) as console input; <paramref name="accepted"/> = bytes taken.</summary>
        public abstract ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted);

        /// <summary>Fill the VM's counters (they were cleared).</summary>
        public abstract ErrorCode GetMetrics(uint vmId, VmCounters counters);

        // ---- templates, clones, snapshots, transfers ---------------------------------------------------------
        // Virtual, not abstract: a host that does not implement them answers Unsupported. The server has checked
        // every name (1..64 bytes of clean UTF-8), length and limit before calling; data arrives as
        // byte[] + offset + count inside the request frame (copy what you keep before returning).

        /// <summary>
        /// CreateVms: <paramref name="count"/> VMs from request.Template named request.Name + "-1" .. "-count"
        /// (<see cref="VmNames.Numbered"/>), all or none: on a failure remove the ones made and return the error. Add
        /// each new id to <paramref name="ids"/> in name order. The default calls <see cref="CreateVm"/> per VM and
        /// <see cref="RemoveVm"/> to roll back; override it to make the clones in one go (e.g. from a primed template).
        /// </summary>
        public virtual ErrorCode CreateVms(CreateVmRequest request, uint count, VmIdList ids)
        {
            ids.Clear();
            _batch.Clear();
            _batch.Template.Set(request.Template.Bytes, 0, request.Template.Length);
            _batch.MemoryMiB = request.MemoryMiB;
            _batch.Vcpus = request.Vcpus;
            for (uint i = 1; i <= count; i++)
            {
                uint id = 0;
                ErrorCode code = VmNames.Numbered(request.Name, i, _batch.Name) ? CreateVm(_batch, out id) : ErrorCode.TooLarge;
                if (code == ErrorCode.Ok && !ids.Add(id))
                {
                    RemoveVm(id);
                    code = ErrorCode.TooLarge;
                }
                if (code != ErrorCode.Ok)
                {
                    string detail = TakeErrorDetail();
                    for (int k = ids.Count - 1; k >= 0; k--)
                    {
                        RemoveVm(ids.Get(k));
                    }
                    TakeErrorDetail();
                    ids.Clear();
                    return Fail(code, detail);
                }
            }
            return ErrorCode.Ok;
        }

        /// <summary>
        /// ForkVm: a new VM named <paramref name="newName"/> that is a copy-on-write copy of the PAUSED VM
        /// <paramref name="vmId"/> (memory and vCPU state); the copy is Paused too (ResumeVm runs it). InvalidState if
        /// the source is not paused, AlreadyExists for a taken name.
        /// </summary>
        public virtual ErrorCode ForkVm(uint vmId, Utf8Field newName, out uint newVmId)
        {
            newVmId = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot fork VMs");
        }

        /// <summary>
        /// CheckpointVm: captures the VM's vCPU state and marks its memory copy-on-write, as a snapshot named
        /// <paramref name="name"/> (unique per VM: AlreadyExists). A running VM is paused for the capture and resumed
        /// after it: the VM's state is the same before and after. Snapshot ids are per host, start at 1, never reused.
        /// </summary>
        public virtual ErrorCode CheckpointVm(uint vmId, Utf8Field name, out uint snapshotId)
        {
            snapshotId = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot take snapshots");
        }

        /// <summary>
        /// ListSnapshots: <see cref="SnapshotListWriter.Add"/> for each snapshot of the VM with id ≥ <paramref name="fromId"/>,
        /// in ascending id order; stop when Add returns false (the client asks again from there).
        /// </summary>
        public virtual ErrorCode ListSnapshots(uint vmId, uint fromId, SnapshotListWriter list)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot take snapshots");
        }

        /// <summary>
        /// RestoreSnapshot: memory and registers exactly as captured; the VM is left Paused (a running or created VM is
        /// paused first; a stopped one is InvalidState). NotFound if the snapshot is not one of this VM's.
        /// </summary>
        public virtual ErrorCode RestoreSnapshot(uint vmId, uint snapshotId)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot take snapshots");
        }

        /// <summary>RemoveSnapshot: forgets the snapshot and releases the pages only it held. The VM is not touched.</summary>
        public virtual ErrorCode RemoveSnapshot(uint vmId, uint snapshotId)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot take snapshots");
        }

        /// <summary>
        /// BeginTemplateUpload: starts (or resumes) receiving a template image. An unfinished upload with the same name
        /// and SHA-256 returns its id and how far it got (<paramref name="nextOffset"/>); one with the same name and
        /// another digest is replaced (started over). AlreadyExists if a finished template has the name;
        /// ResourceUnavailable if the image cannot be held.
        /// </summary>
        public virtual ErrorCode BeginTemplateUpload(TemplateUploadRequest request, out uint uploadId, out ulong nextOffset)
        {
            uploadId = 0;
            nextOffset = 0;
            return Fail(ErrorCode.Unsupported, "this host does not take template uploads");
        }

        /// <summary>
        /// UploadTemplateChunk: stores data[off..off+count) at <paramref name="offset"/> if that is the upload's next
        /// offset; a chunk at any other offset (a retransmission, a client that lost track) stores nothing and is still
        /// Ok. Either way <paramref name="nextOffset"/> = the offset the host wants next. TooLarge past the announced size.
        /// </summary>
        public virtual ErrorCode UploadTemplateChunk(uint uploadId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            return Fail(ErrorCode.Unsupported, "this host does not take template uploads");
        }

        /// <summary>
        /// CommitTemplateUpload: InvalidState until every byte arrived; then checks the SHA-256 (ChecksumMismatch: the
        /// upload is discarded) and adds the template (Get-HvTemplate lists it).
        /// </summary>
        public virtual ErrorCode CommitTemplateUpload(uint uploadId)
        {
            return Fail(ErrorCode.Unsupported, "this host does not take template uploads");
        }

        /// <summary>
        /// RemoveTemplate: forgets the template (and any unfinished upload of that name). VMs made from it keep running
        /// (their shared pages stay until the last user is gone), or the host answers InvalidState if it cannot do that.
        /// </summary>
        public virtual ErrorCode RemoveTemplate(Utf8Field name)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot remove templates");
        }

        /// <summary>
        /// BeginExport: freezes an image of the PAUSED VM (opaque bytes: name, state, registers, all memory; self-contained,
        /// with its own integrity check) and gives its size. InvalidState if the VM is not paused. The image stays valid
        /// until <see cref="EndExport"/> even if the VM is resumed.
        /// </summary>
        public virtual ErrorCode BeginExport(uint vmId, out uint exportId, out ulong totalBytes)
        {
            exportId = 0;
            totalBytes = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot export VMs");
        }

        /// <summary>
        /// ReadExport: copies at most <paramref name="maxBytes"/> image bytes from <paramref name="offset"/> into
        /// result.Data (from index 0) and sets result.Count; 0 bytes at or past the end.
        /// </summary>
        public virtual ErrorCode ReadExport(uint exportId, ulong offset, int maxBytes, ExportChunk result)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot export VMs");
        }

        /// <summary>EndExport: releases the export's image. NotFound for an unknown id.</summary>
        public virtual ErrorCode EndExport(uint exportId)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot export VMs");
        }

        /// <summary>
        /// BeginImport: starts receiving a VM image of <paramref name="totalBytes"/> bytes; the VM will be named
        /// <paramref name="name"/>, or the name recorded in the image when it is empty (AlreadyExists when taken, checked
        /// here if the name is given and again at commit).
        /// </summary>
        public virtual ErrorCode BeginImport(Utf8Field name, ulong totalBytes, out uint importId)
        {
            importId = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot import VMs");
        }

        /// <summary>WriteImport: as <see cref="UploadTemplateChunk"/>, for an import.</summary>
        public virtual ErrorCode WriteImport(uint importId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot import VMs");
        }

        /// <summary>
        /// CommitImport: InvalidState until every byte arrived; checks the image (ChecksumMismatch, InvalidArgument for
        /// an image this host cannot read) and creates the VM, Paused, with the image's memory and registers.
        /// The import is finished either way except for InvalidState.
        /// </summary>
        public virtual ErrorCode CommitImport(uint importId, out uint vmId)
        {
            vmId = 0;
            return Fail(ErrorCode.Unsupported, "this host cannot import VMs");
        }

        /// <summary>AbortImport: discards an unfinished import. NotFound for an unknown (or finished) id.</summary>
        public virtual ErrorCode AbortImport(uint importId)
        {
            return Fail(ErrorCode.Unsupported, "this host cannot import VMs");
        }

        /// <summary>Returns <paramref name="code"/> and attaches a short explanation for the client (use a literal).</summary>
        protected ErrorCode Fail(ErrorCode code, string detail)
        {
            _errorDetail = detail;
            return code;
        }

        /// <summary>The detail attached by <see cref="Fail"/> since the last call, then forgets it (server use).</summary>
        public string TakeErrorDetail()
        {
            string detail = _errorDetail;
            _errorDetail = null;
            return detail;
        }
    }

    /// <summary>Where the server's encoded frames go (the UART, a TCP connection, a test buffer).</summary>
    public abstract class ByteSink
    {
        /// <summary>Writes all the bytes; the buffer is reused after the call returns.</summary>
        public abstract void Write(byte[] buffer, int offset, int count);
    }

    public sealed class HostInfoResult
    {
        /// <summary>Hypervisor version string, e.g. "Hv 0.1.0".</summary>
        public string Version;
        /// <summary>Bit mask of <see cref="CpuFeature"/>.</summary>
        public ulong CpuFeatures;
        /// <summary>The same as words, e.g. "vmx ept vpid unrestricted-guest".</summary>
        public string CpuFeatureNames;
        public ulong MemoryTotalBytes;
        public ulong MemoryFreeBytes;
        public ulong UptimeMs;
        public uint VmCount;
        /// <summary>
        /// Appended field: bytes of host memory in pages that more than one VM, snapshot or template maps
        /// (copy-on-write; each page counted once).
        /// </summary>
        public ulong MemorySharedBytes;

        public void Clear()
        {
            Version = null;
            CpuFeatures = 0;
            CpuFeatureNames = null;
            MemoryTotalBytes = 0;
            MemoryFreeBytes = 0;
            UptimeMs = 0;
            VmCount = 0;
            MemorySharedBytes = 0;
        }
    }

    public sealed class CreateVmRequest
    {
        public readonly Utf8Field Template = new Utf8Field(ProtocolInfo.MaxNameBytes);
        public readonly Utf8Field Name = new Utf8Field(ProtocolInfo.MaxNameBytes);
        /// <summary>0 = the template's.</summary>
        public uint MemoryMiB;
        /// <summary>0 = the template's.</summary>
        public uint Vcpus;

        public void Clear()
        {
            Template.Clear();
            Name.Clear();
            MemoryMiB = 0;
            Vcpus = 0;
        }
    }

    /// <summary>Per-VM counters (GetVm, GetMetrics), indexed by <see cref="CounterId"/>.</summary>
    public sealed class VmCounters
    {
        private readonly ulong[] _values = new ulong[(int)CounterId.Count];

        public ulong Get(CounterId id)
        {
            int i = (int)id;
            return i >= 0 && i < _values.Length ? _values[i] : 0;
        }

        public void Set(CounterId id, ulong value)
        {
            int i = (int)id;
            if (i >= 0 && i < _values.Length)
            {
                _values[i] = value;
            }
        }

        public int Count { get { return _values.Length; } }

        public ulong TotalExits { get { return _values[(int)CounterId.TotalExits]; } set { _values[(int)CounterId.TotalExits] = value; } }
        public ulong IoExits { get { return _values[(int)CounterId.IoExits]; } set { _values[(int)CounterId.IoExits] = value; } }
        public ulong EptExits { get { return _values[(int)CounterId.EptExits]; } set { _values[(int)CounterId.EptExits] = value; } }
        public ulong HltExits { get { return _values[(int)CounterId.HltExits]; } set { _values[(int)CounterId.HltExits] = value; } }
        public ulong CpuidExits { get { return _values[(int)CounterId.CpuidExits]; } set { _values[(int)CounterId.CpuidExits] = value; } }
        public ulong MsrExits { get { return _values[(int)CounterId.MsrExits]; } set { _values[(int)CounterId.MsrExits] = value; } }
        public ulong InterruptExits { get { return _values[(int)CounterId.InterruptExits]; } set { _values[(int)CounterId.InterruptExits] = value; } }
        public ulong OtherExits { get { return _values[(int)CounterId.OtherExits]; } set { _values[(int)CounterId.OtherExits] = value; } }
        public ulong ConsoleBytesOut { get { return _values[(int)CounterId.ConsoleBytesOut]; } set { _values[(int)CounterId.ConsoleBytesOut] = value; } }
        public ulong ConsoleBytesIn { get { return _values[(int)CounterId.ConsoleBytesIn]; } set { _values[(int)CounterId.ConsoleBytesIn] = value; } }
        public ulong GuestTsc { get { return _values[(int)CounterId.GuestTsc]; } set { _values[(int)CounterId.GuestTsc] = value; } }
        public ulong RunTimeMs { get { return _values[(int)CounterId.RunTimeMs]; } set { _values[(int)CounterId.RunTimeMs] = value; } }
        public ulong PrivatePages { get { return _values[(int)CounterId.PrivatePages]; } set { _values[(int)CounterId.PrivatePages] = value; } }
        public ulong SharedPages { get { return _values[(int)CounterId.SharedPages]; } set { _values[(int)CounterId.SharedPages] = value; } }

        public void Clear()
        {
            for (int i = 0; i < _values.Length; i++)
            {
                _values[i] = 0;
            }
        }

        /// <summary>Wire form: count varint, then that many varints in <see cref="CounterId"/> order.</summary>
        public void WriteTo(MessageWriter writer)
        {
            writer.WriteVarUInt((ulong)_values.Length);
            for (int i = 0; i < _values.Length; i++)
            {
                writer.WriteVarUInt(_values[i]);
            }
        }
    }

    public sealed class VmDetails
    {
        public uint Id;
        public string Name;
        public VmState State;
        public StopReason StopReason;
        /// <summary>Free text about the stop (e.g. "triple fault at RIP 0x1000"); may be null.</summary>
        public string StopDetail;
        /// <summary>The guest's exit code (test exit device), 0 if none.</summary>
        public int ExitCode;
        public uint MemoryMiB;
        public uint Vcpus;
        public string Template;
        public readonly VmCounters Counters = new VmCounters();

        public void Clear()
        {
            Id = 0;
            Name = null;
            State = VmState.Unknown;
            StopReason = StopReason.None;
            StopDetail = null;
            ExitCode = 0;
            MemoryMiB = 0;
            Vcpus = 0;
            Template = null;
            Counters.Clear();
        }
    }

    public sealed class ConsoleReadResult
    {
        /// <summary>Host copies the bytes here, from index 0 (capacity <see cref="ProtocolInfo.MaxConsoleChunk"/>).</summary>
        public readonly byte[] Data = new byte[ProtocolInfo.MaxConsoleChunk];
        public int Count;
        /// <summary>Stream offset after the last byte returned: the next ReadConsole's fromOffset.</summary>
        public ulong NextOffset;
        /// <summary>Output between fromOffset and the first byte returned was overwritten before it was read.</summary>
        public bool Dropped;

        public void Clear()
        {
            Count = 0;
            NextOffset = 0;
            Dropped = false;
        }
    }

    /// <summary>
    /// Writes the ListVms response entries straight into the outgoing frame (no list is built).
    /// Entry: id varint | name (len + UTF-8) | state u8 | stop reason u8 | memory MiB varint | vCPUs varint.
    /// Entry extension (after next id): private pages varint | shared pages varint.
    /// </summary>
    public sealed class VmListWriter : ListResponseWriter
    {
        private readonly EntryExtensions _extensions = new EntryExtensions();
        private uint _nextId;

        /// <summary>Where the client continues once <see cref="ListResponseWriter.Full"/>.</summary>
        public uint NextId { get { return _nextId; } }

        protected override void OnBegin()
        {
            _nextId = 0;
            _extensions.Begin();
        }

        /// <summary>Appends one VM without memory accounting (its extension block is empty); false when the response is full.</summary>
        public bool Add(uint id, string name, VmState state, StopReason stopReason, uint memoryMiB, uint vcpus)
        {
            return Add(id, name, state, stopReason, memoryMiB, vcpus, false, 0, 0);
        }

        /// <summary>
        /// Appends one VM with its memory accounting (<see cref="CounterId.PrivatePages"/>, <see cref="CounterId.SharedPages"/>);
        /// false when the response is full (stop enumerating).
        /// </summary>
        public bool Add(uint id, string name, VmState state, StopReason stopReason, uint memoryMiB, uint vcpus,
            ulong privatePages, ulong sharedPages)
        {
            return Add(id, name, state, stopReason, memoryMiB, vcpus, true, privatePages, sharedPages);
        }

        private bool Add(uint id, string name, VmState state, StopReason stopReason, uint memoryMiB, uint vcpus,
            bool pages, ulong privatePages, ulong sharedPages)
        {
            if (!BeginEntry())
            {
                return false;
            }
            Writer.WriteVarUInt(id);
            Writer.WriteString(name, ProtocolInfo.MaxNameBytes);
            Writer.WriteByte((byte)state);
            Writer.WriteByte((byte)stopReason);
            Writer.WriteVarUInt(memoryMiB);
            Writer.WriteVarUInt(vcpus);
            MessageWriter ext = _extensions.BeginEntry();
            if (pages)
            {
                ext.WriteVarUInt(privatePages);
                ext.WriteVarUInt(sharedPages);
            }
            _extensions.EndEntry();
            if (!EndEntry(_extensions.PendingBytes))
            {
                _extensions.DropLast();
                _nextId = id;
                return false;
            }
            return true;
        }

        internal void End()
        {
            PatchCount();
            // 0 = no more; otherwise the id to ask for next.
            Writer.WriteVarUInt(Full ? _nextId : 0);
            _extensions.WriteTo(Writer);
        }
    }

    /// <summary>
    /// Writes the ListTemplates response entries into the outgoing frame.
    /// Entry: name | memory MiB varint | vCPUs varint | entry mode (len + UTF-8, e.g. "real", "multiboot", "linux").
    /// Entry extension (after the truncated flag): flags varint (<see cref="TemplateFlags"/>).
    /// </summary>
    public sealed class TemplateListWriter : ListResponseWriter
    {
        private readonly EntryExtensions _extensions = new EntryExtensions();

        protected override void OnBegin()
        {
            _extensions.Begin();
        }

        /// <summary>Appends a template without flags (its extension block is empty); false when the response is full.</summary>
        public bool Add(string name, uint memoryMiB, uint vcpus, string entryMode)
        {
            return Add(name, memoryMiB, vcpus, entryMode, false, 0);
        }

        /// <summary>Appends a template with its <see cref="TemplateFlags"/>; false when the response is full.</summary>
        public bool Add(string name, uint memoryMiB, uint vcpus, string entryMode, ulong flags)
        {
            return Add(name, memoryMiB, vcpus, entryMode, true, flags);
        }

        private bool Add(string name, uint memoryMiB, uint vcpus, string entryMode, bool hasFlags, ulong flags)
        {
            if (!BeginEntry())
            {
                return false;
            }
            Writer.WriteString(name, ProtocolInfo.MaxNameBytes);
            Writer.WriteVarUInt(memoryMiB);
            Writer.WriteVarUInt(vcpus);
            Writer.WriteString(entryMode, ProtocolInfo.MaxNameBytes);
            MessageWriter ext = _extensions.BeginEntry();
            if (hasFlags)
            {
                ext.WriteVarUInt(flags);
            }
            _extensions.EndEntry();
            if (!EndEntry(_extensions.PendingBytes))
            {
                _extensions.DropLast();
                return false;
            }
            return true;
        }

        internal void End()
        {
            PatchCount();
            Writer.WriteBool(Full);
            _extensions.WriteTo(Writer);
        }
    }
}
