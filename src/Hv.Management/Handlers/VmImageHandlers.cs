using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>
    /// BeginExport: freezes an image of a paused VM (a fork of its memory and its state) until EndExport. The answer comes
    /// before the image is prepared (total bytes 0): the host loop prepares it in bounded steps, GetExport reports it.
    /// </summary>
    internal sealed class BeginExportHandler : AdapterHandler
    {
        private readonly BeginExportMessage _message = new BeginExportMessage();

        public BeginExportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Adapter.ReclaimAbandoned();
            if (Adapter.Exports.IsFull) return HypervisorAdapter.Fail(ErrorCode.Busy, "too many exports in progress");
            VmImageWriter writer;
            HypervisorStatus status = Hypervisor.Export(_message.VmId, out writer);
            if (status == HypervisorStatus.InvalidState) return HypervisorAdapter.Fail(ErrorCode.InvalidState, "only a paused VM can be exported");
            if (status != HypervisorStatus.Ok) return HypervisorAdapter.Translate(status);
            _message.ExportId = Adapter.NextTransferId();
            writer.Advance(HypervisorAdapter.PreparationStepPages);
            _message.TotalBytes = writer.TotalBytes;
            Adapter.Exports.Add(_message.ExportId, writer, Adapter.NowMs);
            return Reply.Ok;
        }
    }

    /// <summary>
    /// GetExport: the export's size once its image is ready, and how far the preparation got. Each ask also does one
    /// bounded step of it, so an export finishes even on a host that runs no loop between requests.
    /// </summary>
    internal sealed class GetExportHandler : AdapterHandler
    {
        private readonly GetExportMessage _message = new GetExportMessage();

        public GetExportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VmImageWriter writer = Adapter.Exports.Find(_message.ExportId, Adapter.NowMs);
            if (writer == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no export with that id");
            writer.Advance(HypervisorAdapter.PreparationStepPages);
            _message.TotalBytes = writer.TotalBytes;
            _message.DonePages = writer.DonePages;
            _message.WorkPages = writer.WorkPages;
            return Reply.Ok;
        }
    }

    /// <summary>ReadExport: image bytes at any offset (none at or past the end).</summary>
    internal sealed class ReadExportHandler : AdapterHandler
    {
        private readonly ReadExportMessage _message = new ReadExportMessage();

        public ReadExportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VmImageWriter writer = Adapter.Exports.Find(_message.ExportId, Adapter.NowMs);
            if (writer == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no export with that id");
            if (!writer.IsReady) return HypervisorAdapter.Fail(ErrorCode.Busy, "the export's image is still being prepared (GetExport says when it is ready)");
            _message.Count = writer.Read(_message.Offset, _message.Data, 0, _message.MaxBytes);
            return Reply.Ok;
        }
    }

    /// <summary>EndExport: releases the export's image.</summary>
    internal sealed class EndExportHandler : AdapterHandler
    {
        private readonly EndExportMessage _message = new EndExportMessage();

        public EndExportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return Adapter.Exports.End(_message.TransferId) ? Reply.Ok : HypervisorAdapter.Fail(ErrorCode.NotFound, "no export with that id");
        }
    }

    /// <summary>BeginImport: starts rebuilding a VM from an image that arrives in chunks.</summary>
    internal sealed class BeginImportHandler : AdapterHandler
    {
        private readonly BeginImportMessage _message = new BeginImportMessage();

        public BeginImportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Reply named = _message.Name.Length == 0 ? Reply.Ok : Adapter.CheckName(_message.Name);
            if (!named.IsOk) return named;
            for (int i = 0; _message.Name.Length > 0 && i < Hypervisor.Vms.Count; i++)
                if (_message.Name.EqualsString(Hypervisor.Vms.At(i).Name)) return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
            // Memory and a disk, each at most MaxMemorySize, their bitmaps and the header.
            if (_message.TotalBytes > 2 * Hypervisor.MaxMemorySize + HypervisorAdapter.MiB) return HypervisorAdapter.Fail(ErrorCode.TooLarge, "larger than any VM image");
            // Its written pages (memory and disk) become host pages: an image larger than the free memory cannot land.
            if (_message.TotalBytes > Adapter.Facts.MemoryFreeBytes())
                return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "not enough free host memory for an image that size now");
            Adapter.ReclaimAbandoned();
            if (Adapter.Imports.IsFull) return HypervisorAdapter.Fail(ErrorCode.Busy, "too many imports in progress");
            var import = new VmImports.Import();
            import.LastUsedMs = Adapter.NowMs;
            import.Id = Adapter.NextTransferId();
            import.Name = _message.Name.Length == 0 ? null : _message.Name.ToNewString();
            import.Reader = new VmImageReader(Adapter.Pages, Hypervisor.Sharing, _message.TotalBytes);
            Adapter.Imports.Add(import);
            _message.ImportId = import.Id;
            return Reply.Ok;
        }
    }

    /// <summary>WriteImport: image bytes at the import's next offset (any other offset stores nothing).</summary>
    internal sealed class WriteImportHandler : AdapterHandler
    {
        private readonly WriteImportMessage _message = new WriteImportMessage();

        public WriteImportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VmImports.Import import = Adapter.Imports.Find(_message.TransferId, Adapter.NowMs);
            if (import == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no import with that id");
            VmImageReader reader = import.Reader;
            if (_message.Offset == reader.NextOffset)
            {
                VmImageStatus status = reader.Write(_message.Offset, _message.Data, _message.DataOffset, _message.DataCount);
                if (status != VmImageStatus.Ok)
                {
                    Adapter.Imports.Take(import);
                    import.Free(withName: true);
                    return ImageError(status);
                }
            }
            _message.NextOffset = reader.NextOffset;
            return Reply.Ok;
        }

        /// <summary>Why an image was refused, as the protocol reports it.</summary>
        internal static Reply ImageError(VmImageStatus status)
        {
            switch (status)
            {
                case VmImageStatus.ChecksumMismatch: return HypervisorAdapter.Fail(ErrorCode.ChecksumMismatch, "the VM image is damaged (SHA-256 mismatch)");
                case VmImageStatus.OutOfMemory: return HypervisorAdapter.Fail(ErrorCode.ResourceUnavailable, "not enough free host memory for the VM");
                case VmImageStatus.WrongLength: return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "the VM image has the wrong length");
                default: return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "not a VM image this host can read");
            }
        }
    }

    /// <summary>CommitImport: checks the whole image and creates the VM, Paused; the import ends either way.</summary>
    internal sealed class CommitImportHandler : AdapterHandler
    {
        private readonly CommitImportMessage _message = new CommitImportMessage();

        public CommitImportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VmImports.Import import = Adapter.Imports.Find(_message.ImportId, Adapter.NowMs);
            if (import == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no import with that id");
            Adapter.Imports.Take(import);
            VmImageStatus checkedImage = import.Reader.Finish();
            if (checkedImage != VmImageStatus.Ok)
            {
                import.Free(withName: true);
                return WriteImportHandler.ImageError(checkedImage);
            }
            string name = import.Name ?? Owned.Copy(import.Reader.Name);
            VirtualMachine vm;
            HypervisorStatus status = Hypervisor.Import(import.Reader, name, out vm);
            // The VM took the name and the memory, or (refused) the import frees them.
            if (status != HypervisorStatus.Ok) Owned.Free(name);
            import.Name = null;
            import.Free(withName: false);
            if (status != HypervisorStatus.Ok) return HypervisorAdapter.Translate(status);
            _message.VmId = vm.Id;
            return Reply.Ok;
        }
    }

    /// <summary>AbortImport: discards an unfinished import.</summary>
    internal sealed class AbortImportHandler : AdapterHandler
    {
        private readonly AbortImportMessage _message = new AbortImportMessage();

        public AbortImportHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VmImports.Import import = Adapter.Imports.Find(_message.TransferId, Adapter.NowMs);
            if (import == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no import with that id");
            Adapter.Imports.Take(import);
            import.Free(withName: true);
            return Reply.Ok;
        }
    }
}
