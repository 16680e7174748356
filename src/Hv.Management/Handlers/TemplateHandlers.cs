using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>ListTemplates: every template with its size, entry mode and flags (primed, uploaded).</summary>
    internal sealed class ListTemplatesHandler : AdapterHandler
    {
        private readonly ListTemplatesMessage _message = new ListTemplatesMessage();

        public ListTemplatesHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            _message.Begin(response);
            TemplateStore templates = Hypervisor.Templates;
            for (int i = 0; i < templates.Count; i++)
            {
                TemplateImage image = templates.At(i);
                Template t = image.Template;
                ulong flags = (image.IsPrimed ? TemplateFlags.Primed : 0) | (t.Uploaded ? TemplateFlags.Uploaded : 0);
                if (!_message.Add(t.Name, (uint)(t.MemorySize / HypervisorAdapter.MiB), 1, HypervisorAdapter.ModeName(t.Mode), flags)) break;
            }
            return Reply.Ok;
        }
    }

    /// <summary>
    /// BeginTemplateUpload: a new upload, or the unfinished one of the same name and image (it carries on where it
    /// stopped); another image under the name starts over.
    /// </summary>
    internal sealed class BeginTemplateUploadHandler : AdapterHandler
    {
        private readonly BeginTemplateUploadMessage _message = new BeginTemplateUploadMessage();

        public BeginTemplateUploadHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            BeginTemplateUploadMessage m = _message;
            Reply named = Adapter.CheckName(m.Name);
            if (!named.IsOk) return named;
            if (Adapter.FindTemplate(m.Name) != null) return HypervisorAdapter.Fail(ErrorCode.AlreadyExists, "a template with that name exists");
            if (m.TotalBytes == 0 || m.TotalBytes > TemplateUploads.MaxImageBytes)
                return HypervisorAdapter.Fail(ErrorCode.TooLarge, "a template image is 1 byte to 64 MiB");
            ulong memory = (ulong)m.MemoryMiB << 20;
            if (memory == 0 || memory > Hypervisor.MaxMemorySize) return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "memory must be 1 to 1024 MiB");
            TemplateUploads.Upload upload;
            bool fresh;
            Reply begun = Adapter.BeginUpload(m.Name, m.TotalBytes, m.Sha256, false, out upload, out fresh);
            if (!begun.IsOk) return begun;
            if (fresh)
            {
                upload.CommandLine = m.CommandLine.Length == 0 ? null : m.CommandLine.ToNewString();
                upload.Mode = m.EntryMode;
                upload.MemoryBytes = memory;
            }
            m.UploadId = upload.Id;
            m.NextOffset = upload.Received;
            return Reply.Ok;
        }
    }

    /// <summary>UploadTemplateChunk: stores a chunk at the upload's next offset (any other offset stores nothing).</summary>
    internal sealed class UploadTemplateChunkHandler : AdapterHandler
    {
        private readonly UploadTemplateChunkMessage _message = new UploadTemplateChunkMessage();

        public UploadTemplateChunkHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            TemplateUploads.Upload u = Adapter.Uploads.Find(_message.TransferId, Adapter.NowMs);
            if (u == null) return HypervisorAdapter.Fail(ErrorCode.NotFound, "no upload with that id");
            if (_message.Offset == u.Received)
            {
                if (!u.Append(_message.Data, _message.DataOffset, _message.DataCount)) return HypervisorAdapter.Fail(ErrorCode.TooLarge, "more bytes than announced");
            }
            _message.NextOffset = u.Received;
            return Reply.Ok;
        }
    }

    /// <summary>
    /// CommitTemplateUpload: once every byte is there, checks the SHA-256 (hashed as the chunks came) and adds the
    /// template.
    /// </summary>
    internal sealed class CommitTemplateUploadHandler : AdapterHandler
    {
        private readonly CommitTemplateUploadMessage _message = new CommitTemplateUploadMessage();

        public CommitTemplateUploadHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            TemplateUploads.Upload u;
            Reply finished = Adapter.FinishUpload(_message.TransferId, false, out u);
            if (!finished.IsOk) return finished;
            var template = new Template(u.Name, u.Data, u.Mode, u.MemoryBytes, u.CommandLine, uploaded: true);
            HypervisorStatus status = Hypervisor.AddTemplate(template);
            // The template now owns name, image and command line, or (refused) frees them with itself.
            u.Free(withContents: false);
            if (status != HypervisorStatus.Ok) template.Free();
            if (status == HypervisorStatus.LoadFailed)
                return HypervisorAdapter.Fail(ErrorCode.InvalidArgument, "the image cannot boot in that entry mode and memory size");
            return HypervisorAdapter.Translate(status);
        }
    }

    /// <summary>RemoveTemplate: forgets a template and any unfinished upload of the name; VMs made from it keep running.</summary>
    internal sealed class RemoveTemplateHandler : AdapterHandler
    {
        private readonly NameRequest _message = new NameRequest(Opcode.RemoveTemplate);

        public RemoveTemplateHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            Adapter.Uploads.DropNamed(_message.Name);
            TemplateImage image = Adapter.FindTemplate(_message.Name);
            return HypervisorAdapter.Translate(image == null ? HypervisorStatus.NotFound : Hypervisor.RemoveTemplate(image.Template.Name));
        }
    }
}
