using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>The resumable transfers: template upload, VM export and import, each over many requests that survive a dropped line.</summary>
    public sealed partial class HvClient
    {
        /// <summary>How many connection failures in a row a transfer survives (reconnecting and resuming) before it gives up.</summary>
        public int TransferRetries { get; set; } = 3;

        // ---- templates ------------------------------------------------------------------------------------

        /// <summary>SHA-256 of the rest of a stream (the stream is left at its end).</summary>
        public static byte[] ComputeSha256(Stream data)
        {
            using (SHA256 sha = SHA256.Create())
            {
                return sha.ComputeHash(data);
            }
        }

        /// <summary>
        /// Uploads a template image from a seekable stream: SHA-256 first (unless given), then BeginTemplateUpload — which
        /// resumes an earlier unfinished upload of the same name and image — then chunks of
        /// <see cref="ProtocolInfo.MaxTransferChunk"/> bytes, <see cref="TransferWindow"/> of them in flight, then the commit. A connection failure reconnects and resumes
        /// from the host's offset, up to <see cref="TransferRetries"/> times in a row; when it gives up the message says
        /// how far it got (running the same upload again continues from there).
        /// </summary>
        /// <param name="progress">Called after each window with (bytes the host has, total bytes).</param>
        public TemplateUploadResult UploadTemplate(string name, GuestEntryMode mode, uint memoryMiB, string commandLine, Stream image,
            byte[] sha256 = null, Action<ulong, ulong> progress = null, CancellationToken cancel = default(CancellationToken))
        {
            if (image == null)
            {
                throw new ArgumentNullException(nameof(image));
            }
            if (!image.CanSeek)
            {
                throw new ArgumentException("The image stream must be seekable (to resume).", nameof(image));
            }
            if (mode == GuestEntryMode.Linux)
            {
                throw new ArgumentException("A Linux template needs its initrd beside the kernel, so it ships in the ISO "
                    + "(guests/guests.cfg); an upload takes a Real, Long or Multiboot image.", nameof(mode));
            }
            return UploadImage("template '" + name + "'", name, image, sha256,
                (total, digest) => BeginTemplateUpload(name, mode, memoryMiB, total, digest, commandLine), id => CommitTemplateUpload(id),
                progress, cancel);
        }

        /// <summary>
        /// Uploads a raw disk image (whole 512-byte sectors, at most 64 MiB) into the host's disk store under
        /// <paramref name="name"/>, exactly as <see cref="UploadTemplate"/> does a template: checksummed, resumable, the
        /// same chunks; the host keeps only its non-zero 4 KiB pages.
        /// </summary>
        public TemplateUploadResult UploadDisk(string name, Stream image, byte[] sha256 = null, Action<ulong, ulong> progress = null,
            CancellationToken cancel = default(CancellationToken))
        {
            if (image == null)
            {
                throw new ArgumentNullException(nameof(image));
            }
            if (!image.CanSeek)
            {
                throw new ArgumentException("The image stream must be seekable (to resume).", nameof(image));
            }
            if (image.Length == 0 || image.Length % 512 != 0)
            {
                throw new ArgumentException("A raw disk image is whole 512-byte sectors.", nameof(image));
            }
            return UploadImage("disk '" + name + "'", name, image, sha256, (total, digest) => BeginDiskUpload(name, total, digest),
                CommitDiskUpload, progress, cancel);
        }

        // The one upload loop of templates and disks: begin (or resume), windows of chunks, reconnect and resume on a
        // connection failure, commit.
        private TemplateUploadResult UploadImage(string what, string name, Stream image, byte[] sha256,
            Func<ulong, byte[], TransferStart> beginUpload, Action<uint> commit, Action<ulong, ulong> progress, CancellationToken cancel)
        {
            ulong total = (ulong)image.Length;
            if (sha256 == null)
            {
                image.Position = 0;
                sha256 = ComputeSha256(image);
            }
            TemplateUploadResult result = new TemplateUploadResult { Name = name, TotalBytes = total, Sha256 = sha256 };
            byte[] buffer = new byte[WindowBytes];
            UploadTemplateChunkMessage[] window = WindowOf<UploadTemplateChunkMessage>();
            ulong sent = 0;
            uint id = 0;
            ulong next = 0;
            bool begin = true;
            bool first = true;
            int failures = 0;
            int stalls = 0;
            while (begin || next < total)
            {
                cancel.ThrowIfCancellationRequested();
                try
                {
                    if (begin)
                    {
                        TransferStart start = beginUpload(total, sha256);
                        begin = false;
                        id = start.Id;
                        next = start.NextOffset;
                        if (first)
                        {
                            result.ResumedFrom = next;
                            first = false;
                        }
                        progress?.Invoke(next, total);
                        continue;
                    }
                    int n = ReadAt(image, next, buffer, (int)Math.Min((ulong)buffer.Length, total - next));
                    ulong after = SendWindow(window, id, next, buffer, 0, n, ref sent);
                    next = Advance(Opcode.UploadTemplateChunk, next, after, total, ref stalls);
                    failures = 0;
                    progress?.Invoke(next, total);
                }
                catch (HvConnectionException e)
                {
                    if (first)
                    {
                        throw; // nothing started: not a transfer problem
                    }
                    result.Retries++;
                    if (++failures > TransferRetries)
                    {
                        throw GaveUp("Upload of " + what, next, total, e, "run the same upload again to continue from there");
                    }
                    Recover(failures, cancel);
                    begin = true; // ask the host how far it got
                }
            }
            result.BytesSent = sent;
            commit(id);
            return result;
        }

        // ---- export / import ------------------------------------------------------------------------------

        /// <summary>
        /// Streams the image of a paused VM into <paramref name="output"/>: BeginExport, ReadExport in chunks (a connection
        /// failure reconnects and reads the same chunk again), EndExport (always). Returns the image's size.
        /// </summary>
        public ulong ExportVm(uint vmId, Stream output, Action<ulong, ulong> progress = null, CancellationToken cancel = default(CancellationToken))
        {
            if (output == null)
            {
                throw new ArgumentNullException(nameof(output));
            }
            TransferStart export = BeginExport(vmId);
            try
            {
                CopyExport(export, (buffer, count) => output.Write(buffer, 0, count), progress, cancel);
            }
            finally
            {
                EndQuietly(() => EndExport(export.Id));
            }
            return export.TotalBytes;
        }

        /// <summary>
        /// Reads every byte of an export, handing each chunk to <paramref name="sink"/> in order; connection failures are
        /// retried (ReadExport is idempotent). Does not end the export.
        /// </summary>
        public void CopyExport(TransferStart export, Action<byte[], int> sink, Action<ulong, ulong> progress = null,
            CancellationToken cancel = default(CancellationToken))
        {
            ReadExportMessage[] window = WindowOf<ReadExportMessage>();
            ulong at = 0;
            int failures = 0;
            progress?.Invoke(0, export.TotalBytes);
            while (at < export.TotalBytes)
            {
                cancel.ThrowIfCancellationRequested();
                int count;
                try
                {
                    count = ReadWindow(window, export.Id, at, export.TotalBytes);
                }
                catch (HvConnectionException e)
                {
                    if (++failures > TransferRetries)
                    {
                        throw GaveUp("Export", at, export.TotalBytes, e, "export the VM again");
                    }
                    Recover(failures, cancel);
                    continue;
                }
                failures = 0;
                // In order while the answers join up (a short answer makes the next window start after it).
                for (int i = 0; i < count && window[i].Offset == at; i++)
                {
                    if (window[i].Count == 0)
                    {
                        throw new HvProtocolException(ErrorCode.Internal, Opcode.ReadExport,
                            "ReadExport failed: the host's image ended at byte " + at + " of " + export.TotalBytes + ".");
                    }
                    sink(window[i].Data, window[i].Count);
                    at += (ulong)window[i].Count;
                }
                progress?.Invoke(at, export.TotalBytes);
            }
        }

        /// <summary>
        /// Uploads a VM image (<paramref name="length"/> bytes from <paramref name="input"/>) and commits it: the new VM
        /// is Paused. Chunks lost to a connection failure are sent again. Any failure before the commit aborts the import
        /// on the host. Returns the new VM's id.
        /// </summary>
        public uint ImportVm(string name, Stream input, ulong length, Action<ulong, ulong> progress = null, CancellationToken cancel = default(CancellationToken))
        {
            if (input == null)
            {
                throw new ArgumentNullException(nameof(input));
            }
            uint id = BeginImport(name, length);
            ImportWriter writer = new ImportWriter(this, id, length);
            try
            {
                byte[] buffer = new byte[ProtocolInfo.MaxTransferChunk];
                progress?.Invoke(0, length);
                for (ulong read = 0; read < length; )
                {
                    cancel.ThrowIfCancellationRequested();
                    int want = (int)Math.Min((ulong)buffer.Length, length - read);
                    int n = input.CanSeek ? ReadAt(input, read, buffer, want) : ReadFully(input, buffer, want);
                    if (n != want)
                    {
                        throw new IOException("The image is shorter than announced: it ended at byte " + (read + (ulong)n) + " of " + length + ".");
                    }
                    writer.Write(buffer, n);
                    read += (ulong)n;
                    progress?.Invoke(writer.Next, length);
                }
                writer.Flush();
            }
            catch
            {
                EndQuietly(() => AbortImport(id));
                throw;
            }
            return CommitImport(id);
        }

        /// <summary>
        /// Writes an import's bytes in order, as they come (Move-HvVm feeds it from an export): they are gathered into
        /// windows of <see cref="TransferWindow"/> chunks, each window sent pipelined, retried after a connection failure
        /// and resent from the host's offset if the host lost some. Call <see cref="Flush"/> after the last bytes.
        /// </summary>
        public sealed class ImportWriter
        {
            private readonly HvClient _client;
            private readonly byte[] _pending;
            private readonly WriteImportMessage[] _window;
            private int _count;

            public ImportWriter(HvClient client, uint importId, ulong totalBytes)
            {
                _client = client;
                Id = importId;
                TotalBytes = totalBytes;
                _pending = new byte[client.WindowBytes];
                _window = client.WindowOf<WriteImportMessage>();
            }

            public uint Id { get; }
            public ulong TotalBytes { get; }

            /// <summary>Bytes the host has (those gathered but not yet flushed are not counted).</summary>
            public ulong Next { get; private set; }

            /// <summary>Adds data[0..count) (≤ MaxTransferChunk) after the bytes written so far; a full window is sent.</summary>
            public void Write(byte[] data, int count)
            {
                if (count <= 0 || count > ProtocolInfo.MaxTransferChunk)
                {
                    throw new ArgumentOutOfRangeException(nameof(count));
                }
                if (_count + count > _pending.Length)
                {
                    Flush();
                }
                Buffer.BlockCopy(data, 0, _pending, _count, count);
                _count += count;
                if (_count == _pending.Length)
                {
                    Flush();
                }
            }

            /// <summary>Sends the gathered bytes; when it returns the host has every byte written so far.</summary>
            public void Flush()
            {
                ulong at = Next;
                ulong end = at + (ulong)_count;
                int failures = 0;
                int stalls = 0;
                while (Next < end)
                {
                    int skip = (int)(Next - at);
                    ulong after;
                    ulong sent = 0;
                    try
                    {
                        after = _client.SendWindow(_window, Id, Next, _pending, skip, _count - skip, ref sent);
                    }
                    catch (HvConnectionException e)
                    {
                        if (++failures > _client.TransferRetries)
                        {
                            throw GaveUp("Import", Next, TotalBytes, e, "import the VM again");
                        }
                        _client.Recover(failures, CancellationToken.None);
                        continue;
                    }
                    if (after < at || after > end)
                    {
                        // The host lost bytes it had acknowledged, or has bytes it was never sent: nothing sensible to send.
                        throw new HvProtocolException(ErrorCode.Internal, Opcode.WriteImport,
                            "WriteImport failed: the host wants byte " + after + " while this client sent bytes " + at + ".." + end + ".");
                    }
                    failures = 0;
                    Next = Advance(Opcode.WriteImport, Next, after, TotalBytes, ref stalls);
                }
                _count = 0;
            }
        }

        // ---- plumbing -------------------------------------------------------------------------------------

        /// <summary>Checks the host's answer to a chunk; a host that takes nothing several times in a row is an error.</summary>
        internal static ulong Advance(Opcode op, ulong sent, ulong after, ulong total, ref int stalls)
        {
            if (after > total)
            {
                throw Malformed(op);
            }
            if (after <= sent)
            {
                if (++stalls > 3)
                {
                    throw new HvProtocolException(ErrorCode.Internal, op,
                        op + " failed: the host does not take the data at byte " + sent + " (it wants byte " + after + ").");
                }
            }
            else
            {
                stalls = 0;
            }
            return after;
        }

        /// <summary>
        /// After a connection failure: wait a little (longer each time), then reconnect if the transport broke. A failed
        /// reconnect is not fatal here: the next request fails and counts as the next failure.
        /// </summary>
        internal void Recover(int failures, CancellationToken cancel)
        {
            cancel.WaitHandle.WaitOne(Math.Min(2000, 100 * failures * failures));
            cancel.ThrowIfCancellationRequested();
            if (!IsConnected)
            {
                try
                {
                    Reconnect();
                }
                catch (HvConnectionException)
                {
                }
            }
        }

        private static HvConnectionException GaveUp(string what, ulong at, ulong total, HvConnectionException e, string advice)
        {
            return new HvConnectionException(what + " stopped at byte " + at + " of " + total + " after repeated connection failures ("
                + e.Message + "); " + advice + ".", e.IsTimeout, e);
        }

        private static void EndQuietly(Action end)
        {
            try
            {
                end();
            }
            catch (HvException)
            {
                // Best effort: the host forgets abandoned transfers on its own.
            }
            catch (ObjectDisposedException)
            {
            }
        }

        private static int ReadAt(Stream stream, ulong position, byte[] buffer, int count)
        {
            stream.Position = (long)position;
            int n = ReadFully(stream, buffer, count);
            if (n != count)
            {
                throw new IOException("The image is shorter than announced: it ended at byte " + ((long)position + n) + ".");
            }
            return n;
        }

        private static int ReadFully(Stream stream, byte[] buffer, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n = stream.Read(buffer, total, count - total);
                if (n <= 0)
                {
                    break;
                }
                total += n;
            }
            return total;
        }
    }
}
