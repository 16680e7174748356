using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>Clones, snapshots, template uploads, VM export and import (opcodes 15..31).</summary>
    public sealed partial class HvClient
    {
        /// <summary>How many connection failures in a row a transfer survives (reconnecting and resuming) before it gives up.</summary>
        public int TransferRetries { get; set; } = 3;

        // ---- clones ---------------------------------------------------------------------------------------

        /// <summary>
        /// Creates <paramref name="count"/> VMs named <paramref name="baseName"/>-1 .. -count from a template in one
        /// request, all or none. Returns their ids in name order.
        /// </summary>
        public uint[] CreateVms(string template, string baseName, int count, uint memoryMiB = 0, uint vcpus = 0, int timeoutMs = 0)
        {
            CheckName(template, nameof(template));
            CheckName(baseName, nameof(baseName));
            if (count < 1 || count > ProtocolInfo.MaxVmsPerCreate)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "count is 1.." + ProtocolInfo.MaxVmsPerCreate + ".");
            }
            if (Utf8.ByteCount(baseName) + Server.VmNames.SuffixBytes((uint)count) > ProtocolInfo.MaxNameBytes)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.CreateVms,
                    "The name '" + baseName + "-" + count + "' is longer than " + ProtocolInfo.MaxNameBytes + " bytes of UTF-8.");
            }
            return Call(Opcode.CreateVms, timeoutMs, w =>
            {
                w.WriteString(template, ProtocolInfo.MaxNameBytes);
                w.WriteString(baseName, ProtocolInfo.MaxNameBytes);
                w.WriteVarUInt(memoryMiB);
                w.WriteVarUInt(vcpus);
                w.WriteVarUInt((ulong)count);
            }, r =>
            {
                uint n;
                if (!r.ReadVarUInt32(out n) || n != (uint)count)
                {
                    throw Malformed(Opcode.CreateVms);
                }
                uint[] ids = new uint[n];
                for (int i = 0; i < ids.Length; i++)
                {
                    if (!r.ReadVarUInt32(out ids[i]))
                    {
                        throw Malformed(Opcode.CreateVms);
                    }
                }
                return ids;
            });
        }

        /// <summary>A copy-on-write copy of a paused VM, named <paramref name="newName"/> (Paused too). Returns its id.</summary>
        public uint ForkVm(uint id, string newName, int timeoutMs = 0)
        {
            CheckName(newName, nameof(newName));
            return IdAndName(Opcode.ForkVm, id, newName, timeoutMs);
        }

        // ---- snapshots ------------------------------------------------------------------------------------

        /// <summary>Takes a snapshot named <paramref name="name"/> (unique per VM). Returns its id.</summary>
        public uint CheckpointVm(uint id, string name, int timeoutMs = 0)
        {
            CheckName(name, nameof(name));
            return IdAndName(Opcode.CheckpointVm, id, name, timeoutMs);
        }

        /// <summary>The VM's snapshots in id (= creation) order. Many snapshots take several round trips.</summary>
        public SnapshotInfo[] ListSnapshots(uint vmId, int timeoutMs = 0)
        {
            List<SnapshotInfo> all = new List<SnapshotInfo>();
            uint from = 0;
            for (int page = 0; page < 100000; page++)
            {
                uint pageFrom = from;
                uint next = 0;
                int added = Call(Opcode.ListSnapshots, timeoutMs, w =>
                {
                    w.WriteVarUInt(vmId);
                    w.WriteVarUInt(pageFrom);
                }, r =>
                {
                    ulong uptime;
                    ushort count;
                    if (!(r.ReadVarUInt(out uptime) && r.ReadUInt16(out count)))
                    {
                        throw Malformed(Opcode.ListSnapshots);
                    }
                    for (int i = 0; i < count; i++)
                    {
                        uint id;
                        string name;
                        ulong created;
                        ulong priv;
                        ulong shared;
                        if (!(r.ReadVarUInt32(out id) && r.ReadString(ProtocolInfo.MaxNameBytes, out name) && r.ReadVarUInt(out created)
                            && r.ReadVarUInt(out priv) && r.ReadVarUInt(out shared)))
                        {
                            throw Malformed(Opcode.ListSnapshots);
                        }
                        all.Add(new SnapshotInfo
                        {
                            Id = id,
                            VmId = vmId,
                            Name = name,
                            CreatedUptimeMs = created,
                            HostUptimeMs = uptime,
                            PrivatePages = priv,
                            SharedPages = shared,
                        });
                    }
                    if (!r.ReadVarUInt32(out next))
                    {
                        throw Malformed(Opcode.ListSnapshots);
                    }
                    return (int)count;
                });
                if (next == 0)
                {
                    return all.ToArray();
                }
                if (added == 0 && next <= pageFrom)
                {
                    throw new HvProtocolException(ErrorCode.Internal, Opcode.ListSnapshots, "ListSnapshots failed: the host's list did not advance.");
                }
                from = next;
            }
            throw new HvProtocolException(ErrorCode.Internal, Opcode.ListSnapshots, "ListSnapshots failed: too many pages.");
        }

        /// <summary>Restores memory and registers exactly as captured; the VM is left Paused.</summary>
        public void RestoreSnapshot(uint vmId, uint snapshotId, int timeoutMs = 0)
        {
            Call(Opcode.RestoreSnapshot, timeoutMs, w =>
            {
                w.WriteVarUInt(vmId);
                w.WriteVarUInt(snapshotId);
            }, r => 0);
        }

        public void RemoveSnapshot(uint vmId, uint snapshotId, int timeoutMs = 0)
        {
            Call(Opcode.RemoveSnapshot, timeoutMs, w =>
            {
                w.WriteVarUInt(vmId);
                w.WriteVarUInt(snapshotId);
            }, r => 0);
        }

        // ---- templates ------------------------------------------------------------------------------------

        /// <summary>
        /// Starts or resumes a template upload: an unfinished upload of the same name and SHA-256 on the host comes
        /// back with its id and the offset to continue from.
        /// </summary>
        public TransferStart BeginTemplateUpload(string name, GuestEntryMode mode, uint memoryMiB, ulong totalBytes, byte[] sha256,
            string commandLine = null, int timeoutMs = 0)
        {
            CheckName(name, nameof(name));
            if (sha256 == null || sha256.Length != ProtocolInfo.Sha256Bytes)
            {
                throw new ArgumentException("The SHA-256 is " + ProtocolInfo.Sha256Bytes + " bytes.", nameof(sha256));
            }
            CheckSize(totalBytes, nameof(totalBytes));
            if (commandLine != null && Utf8.ByteCount(commandLine) > ProtocolInfo.MaxCommandLineBytes)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.BeginTemplateUpload,
                    "The command line is longer than " + ProtocolInfo.MaxCommandLineBytes + " bytes of UTF-8.");
            }
            return Call(Opcode.BeginTemplateUpload, timeoutMs, w =>
            {
                w.WriteString(name, ProtocolInfo.MaxNameBytes);
                w.WriteByte((byte)mode);
                w.WriteVarUInt(memoryMiB);
                w.WriteVarUInt(totalBytes);
                w.WriteRaw(sha256, 0, sha256.Length);
                w.WriteString(commandLine, ProtocolInfo.MaxCommandLineBytes);
            }, r =>
            {
                uint id;
                ulong next;
                if (!(r.ReadVarUInt32(out id) && r.ReadVarUInt(out next)) || next > totalBytes)
                {
                    throw Malformed(Opcode.BeginTemplateUpload);
                }
                return new TransferStart { Id = id, NextOffset = next, TotalBytes = totalBytes };
            });
        }

        /// <summary>Sends data[offset..+count) (≤ <see cref="ProtocolInfo.MaxTransferChunk"/>) at <paramref name="at"/>; returns the host's next offset.</summary>
        public ulong UploadTemplateChunk(uint uploadId, ulong at, byte[] data, int offset, int count, int timeoutMs = 0)
        {
            return WriteChunk(Opcode.UploadTemplateChunk, uploadId, at, data, offset, count, timeoutMs);
        }

        /// <summary>The host checks the SHA-256 (ChecksumMismatch discards the upload) and adds the template.</summary>
        public void CommitTemplateUpload(uint uploadId, int timeoutMs = 0) => Simple(Opcode.CommitTemplateUpload, uploadId, timeoutMs);

        /// <summary>Removes a template (and any unfinished upload of that name).</summary>
        public void RemoveTemplate(string name, int timeoutMs = 0)
        {
            CheckName(name, nameof(name));
            Call(Opcode.RemoveTemplate, timeoutMs, w => w.WriteString(name, ProtocolInfo.MaxNameBytes), r => 0);
        }

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
        /// <see cref="ProtocolInfo.MaxTransferChunk"/> bytes, then the commit. A connection failure reconnects and resumes
        /// from the host's offset, up to <see cref="TransferRetries"/> times in a row; when it gives up the message says
        /// how far it got (running the same upload again continues from there).
        /// </summary>
        /// <param name="progress">Called after each chunk with (bytes the host has, total bytes).</param>
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
            ulong total = (ulong)image.Length;
            if (sha256 == null)
            {
                image.Position = 0;
                sha256 = ComputeSha256(image);
            }
            TemplateUploadResult result = new TemplateUploadResult { Name = name, TotalBytes = total, Sha256 = sha256 };
            byte[] buffer = new byte[ProtocolInfo.MaxTransferChunk];
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
                        TransferStart start = BeginTemplateUpload(name, mode, memoryMiB, total, sha256, commandLine);
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
                    ulong after = UploadTemplateChunk(id, next, buffer, 0, n);
                    result.BytesSent += (ulong)n;
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
                        throw GaveUp("Upload of template '" + name + "'", next, total, e, "run the same upload again to continue from there");
                    }
                    Recover(failures, cancel);
                    begin = true; // ask the host how far it got
                }
            }
            CommitTemplateUpload(id);
            return result;
        }

        // ---- export / import ------------------------------------------------------------------------------

        /// <summary>Freezes an image of a paused VM on the host. Returns (export id, total bytes) in a TransferStart.</summary>
        public TransferStart BeginExport(uint vmId, int timeoutMs = 0)
        {
            return Call(Opcode.BeginExport, timeoutMs, w => w.WriteVarUInt(vmId), r =>
            {
                uint id;
                ulong total;
                if (!(r.ReadVarUInt32(out id) && r.ReadVarUInt(out total)) || total > ProtocolInfo.MaxTransferBytes)
                {
                    throw Malformed(Opcode.BeginExport);
                }
                return new TransferStart { Id = id, NextOffset = 0, TotalBytes = total };
            });
        }

        /// <summary>Reads at most <paramref name="count"/> (≤ MaxTransferChunk) image bytes at <paramref name="at"/> into buffer[offset..]; 0 at the end.</summary>
        public int ReadExport(uint exportId, ulong at, byte[] buffer, int offset, int count, int timeoutMs = 0)
        {
            if (buffer == null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }
            if (count <= 0 || count > ProtocolInfo.MaxTransferChunk || offset < 0 || offset + count > buffer.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }
            return Call(Opcode.ReadExport, timeoutMs, w =>
            {
                w.WriteVarUInt(exportId);
                w.WriteVarUInt(at);
                w.WriteVarUInt((ulong)count);
            }, r =>
            {
                int start;
                int n;
                if (!r.ReadBlock(count, out start, out n))
                {
                    throw Malformed(Opcode.ReadExport);
                }
                Buffer.BlockCopy(r.Buffer, start, buffer, offset, n);
                return n;
            });
        }

        public void EndExport(uint exportId, int timeoutMs = 0) => Simple(Opcode.EndExport, exportId, timeoutMs);

        /// <summary>Starts receiving a VM image; <paramref name="name"/> null or empty = the name recorded in the image.</summary>
        public uint BeginImport(string name, ulong totalBytes, int timeoutMs = 0)
        {
            if (!string.IsNullOrEmpty(name))
            {
                CheckName(name, nameof(name));
            }
            CheckSize(totalBytes, nameof(totalBytes));
            return Call(Opcode.BeginImport, timeoutMs, w =>
            {
                w.WriteString(name, ProtocolInfo.MaxNameBytes);
                w.WriteVarUInt(totalBytes);
            }, r =>
            {
                uint id;
                if (!r.ReadVarUInt32(out id))
                {
                    throw Malformed(Opcode.BeginImport);
                }
                return id;
            });
        }

        public ulong WriteImport(uint importId, ulong at, byte[] data, int offset, int count, int timeoutMs = 0)
        {
            return WriteChunk(Opcode.WriteImport, importId, at, data, offset, count, timeoutMs);
        }

        /// <summary>The host checks the image and creates the VM (Paused). Returns its id.</summary>
        public uint CommitImport(uint importId, int timeoutMs = 0)
        {
            return Call(Opcode.CommitImport, timeoutMs, w => w.WriteVarUInt(importId), r =>
            {
                uint id;
                if (!r.ReadVarUInt32(out id))
                {
                    throw Malformed(Opcode.CommitImport);
                }
                return id;
            });
        }

        public void AbortImport(uint importId, int timeoutMs = 0) => Simple(Opcode.AbortImport, importId, timeoutMs);

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
            byte[] buffer = new byte[ProtocolInfo.MaxTransferChunk];
            ulong at = 0;
            int failures = 0;
            progress?.Invoke(0, export.TotalBytes);
            while (at < export.TotalBytes)
            {
                cancel.ThrowIfCancellationRequested();
                int want = (int)Math.Min((ulong)buffer.Length, export.TotalBytes - at);
                int n;
                try
                {
                    n = ReadExport(export.Id, at, buffer, 0, want);
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
                if (n == 0)
                {
                    throw new HvProtocolException(ErrorCode.Internal, Opcode.ReadExport,
                        "ReadExport failed: the host's image ended at byte " + at + " of " + export.TotalBytes + ".");
                }
                failures = 0;
                sink(buffer, n);
                at += (ulong)n;
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
                while (writer.Next < length)
                {
                    cancel.ThrowIfCancellationRequested();
                    int want = (int)Math.Min((ulong)buffer.Length, length - writer.Next);
                    int n = input.CanSeek ? ReadAt(input, writer.Next, buffer, want) : ReadFully(input, buffer, want);
                    if (n != want)
                    {
                        throw new IOException("The image is shorter than announced: it ended at byte " + (writer.Next + (ulong)n) + " of " + length + ".");
                    }
                    writer.Write(buffer, n);
                    progress?.Invoke(writer.Next, length);
                }
            }
            catch
            {
                EndQuietly(() => AbortImport(id));
                throw;
            }
            return CommitImport(id);
        }

        /// <summary>
        /// Writes an import's bytes in order, as they come (Move-HvVm feeds it from an export): each chunk is retried
        /// after a connection failure, and resent from the host's offset if the host lost some.
        /// </summary>
        public sealed class ImportWriter
        {
            private readonly HvClient _client;
            private readonly byte[] _pending = new byte[ProtocolInfo.MaxTransferChunk];

            public ImportWriter(HvClient client, uint importId, ulong totalBytes)
            {
                _client = client;
                Id = importId;
                TotalBytes = totalBytes;
            }

            public uint Id { get; }
            public ulong TotalBytes { get; }

            /// <summary>Bytes the host has.</summary>
            public ulong Next { get; private set; }

            /// <summary>Sends data[0..count) (≤ MaxTransferChunk) as the bytes at <see cref="Next"/>.</summary>
            public void Write(byte[] data, int count)
            {
                if (count <= 0 || count > _pending.Length)
                {
                    throw new ArgumentOutOfRangeException(nameof(count));
                }
                ulong at = Next;
                int failures = 0;
                int stalls = 0;
                while (Next < at + (ulong)count)
                {
                    int skip = (int)(Next - at);
                    ulong after;
                    try
                    {
                        after = _client.WriteImport(Id, Next, data, skip, count - skip);
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
                    if (after < at || after > at + (ulong)count)
                    {
                        // The host lost bytes it had acknowledged, or has bytes it was never sent: nothing sensible to send.
                        throw new HvProtocolException(ErrorCode.Internal, Opcode.WriteImport,
                            "WriteImport failed: the host wants byte " + after + " while this client sent bytes " + at + ".." + (at + (ulong)count) + ".");
                    }
                    failures = 0;
                    Next = AdvanceTo(Opcode.WriteImport, Next, after, TotalBytes, ref stalls);
                }
            }
        }

        // ---- plumbing -------------------------------------------------------------------------------------

        private uint IdAndName(Opcode op, uint id, string name, int timeoutMs)
        {
            return Call(op, timeoutMs, w =>
            {
                w.WriteVarUInt(id);
                w.WriteString(name, ProtocolInfo.MaxNameBytes);
            }, r =>
            {
                uint result;
                if (!r.ReadVarUInt32(out result))
                {
                    throw Malformed(op);
                }
                return result;
            });
        }

        private ulong WriteChunk(Opcode op, uint id, ulong at, byte[] data, int offset, int count, int timeoutMs)
        {
            if (data == null)
            {
                throw new ArgumentNullException(nameof(data));
            }
            if (count < 0 || count > ProtocolInfo.MaxTransferChunk || offset < 0 || offset + count > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "A chunk is 0.." + ProtocolInfo.MaxTransferChunk + " bytes.");
            }
            return Call(op, timeoutMs, w =>
            {
                w.WriteVarUInt(id);
                w.WriteVarUInt(at);
                w.WriteBlock(data, offset, count);
            }, r =>
            {
                ulong next;
                if (!r.ReadVarUInt(out next))
                {
                    throw Malformed(op);
                }
                return next;
            });
        }

        private static void CheckSize(ulong totalBytes, string parameter)
        {
            if (totalBytes == 0)
            {
                throw new ArgumentException("Nothing to transfer: the size is 0.", parameter);
            }
            if (totalBytes > ProtocolInfo.MaxTransferBytes)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.None,
                    "The image is " + totalBytes + " bytes; the protocol's limit is " + ProtocolInfo.MaxTransferBytes + ".");
            }
        }

        /// <summary>Checks the host's answer to a chunk; a host that takes nothing several times in a row is an error.</summary>
        private static ulong Advance(Opcode op, ulong sent, ulong after, ulong total, ref int stalls)
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

        private static ulong AdvanceTo(Opcode op, ulong sent, ulong after, ulong total, ref int stalls) => Advance(op, sent, after, total, ref stalls);

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
