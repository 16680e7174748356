using System;
using System.Collections.Generic;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Client
{
    /// <summary>One method per management message (the message types in Hv.Protocol.Messages define the bodies).</summary>
    public sealed partial class HvClient
    {
        public HostInfo GetHostInfo(int timeoutMs = 0)
        {
            HostInfo info = Call(new HostInfoMessage(), timeoutMs).Info;
            info.ProtocolVersion = ServerProtocolVersion;
            return info;
        }

        public TemplateInfo[] ListTemplates(int timeoutMs = 0)
        {
            return Call(new ListTemplatesMessage(), timeoutMs).Templates;
        }

        /// <summary>Creates a VM; <paramref name="memoryMiB"/> / <paramref name="vcpus"/> of 0 take the template's. Returns its id.</summary>
        public uint CreateVm(string template, string name, uint memoryMiB = 0, uint vcpus = 0, int timeoutMs = 0)
        {
            var m = new CreateVmMessage { MemoryMiB = memoryMiB, Vcpus = vcpus };
            SetName(m.Template, template, nameof(template));
            SetName(m.Name, name, nameof(name));
            return Call(m, timeoutMs).VmId;
        }

        /// <summary>
        /// Creates <paramref name="count"/> VMs named <paramref name="baseName"/>-1 .. -count from a template in one
        /// request, all or none. Returns their ids in name order.
        /// </summary>
        public uint[] CreateVms(string template, string baseName, int count, uint memoryMiB = 0, uint vcpus = 0, int timeoutMs = 0)
        {
            var m = new CreateVmsMessage { MemoryMiB = memoryMiB, Vcpus = vcpus };
            SetName(m.Template, template, nameof(template));
            SetName(m.BaseName, baseName, nameof(baseName));
            if (count < 1 || count > ProtocolInfo.MaxVmsPerCreate)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "count is 1.." + ProtocolInfo.MaxVmsPerCreate + ".");
            }
            if (m.BaseName.Length + VmNames.SuffixBytes((uint)count) > ProtocolInfo.MaxNameBytes)
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.CreateVms,
                    "The name '" + baseName + "-" + count + "' is longer than " + ProtocolInfo.MaxNameBytes + " bytes of UTF-8.");
            }
            m.Count = (uint)count;
            Call(m, timeoutMs);
            uint[] ids = new uint[count];
            Array.Copy(m.VmIds, ids, count);
            return ids;
        }

        public void StartVm(uint id, int timeoutMs = 0) => Call(new StartVmMessage { VmId = id }, timeoutMs);

        /// <summary>
        /// Stops a VM: gracefully with up to <paramref name="gracefulTimeoutMs"/> for the guest, or at once
        /// with <paramref name="force"/>. The call's own timeout is extended by the graceful timeout.
        /// </summary>
        public void StopVm(uint id, bool force = false, uint gracefulTimeoutMs = 0, int timeoutMs = 0)
        {
            long extended = (long)(timeoutMs > 0 ? timeoutMs : DefaultTimeoutMs) + gracefulTimeoutMs;
            Call(new StopVmMessage { VmId = id, Force = force, GracefulTimeoutMs = gracefulTimeoutMs },
                 extended > int.MaxValue ? int.MaxValue : (int)extended);
        }

        public void PauseVm(uint id, int timeoutMs = 0) => Call(new PauseVmMessage { VmId = id }, timeoutMs);

        public void ResumeVm(uint id, int timeoutMs = 0) => Call(new ResumeVmMessage { VmId = id }, timeoutMs);

        public void RemoveVm(uint id, int timeoutMs = 0) => Call(new RemoveVmMessage { VmId = id }, timeoutMs);

        /// <summary>All VMs (summary fields only), in id order. Large lists take several round trips.</summary>
        public VmInfo[] ListVms(int timeoutMs = 0)
        {
            var all = new List<VmInfo>();
            for (uint from = 0; ;)
            {
                ListVmsMessage page = Call(new ListVmsMessage { FromId = from }, timeoutMs);
                all.AddRange(page.Vms);
                if (page.NextId == 0)
                {
                    return all.ToArray();
                }
                from = NextPage(Opcode.ListVms, from, page.NextId, page.Vms.Length, all.Count);
            }
        }

        public VmInfo GetVm(uint id, int timeoutMs = 0) => Call(new GetVmMessage { VmId = id }, timeoutMs).Vm;

        public VmMetrics GetMetrics(uint id, int timeoutMs = 0) => Call(new GetMetricsMessage { VmId = id }, timeoutMs).Metrics;

        /// <summary>The VM's disk drive (size, host memory it holds, counters); Present is false for a VM without one.</summary>
        public GetHardDiskDriveMessage GetHardDiskDrive(uint id, int timeoutMs = 0) => Call(new GetHardDiskDriveMessage { VmId = id }, timeoutMs);

        /// <summary>A blank raw disk of <paramref name="sizeBytes"/> (whole 512-byte sectors) in the host's store.</summary>
        public void CreateDisk(string name, ulong sizeBytes, int timeoutMs = 0)
        {
            var m = new CreateDiskMessage { SizeBytes = sizeBytes };
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }

        /// <summary>Puts a copy-on-write fork of the host disk <paramref name="diskName"/> into the drive of a VM that is off.</summary>
        public void AddHardDiskDrive(uint id, string diskName, int timeoutMs = 0)
        {
            var m = new AddHardDiskDriveMessage { VmId = id };
            SetName(m.DiskName, diskName, nameof(diskName));
            Call(m, timeoutMs);
        }

        /// <summary>Starts or resumes a raw disk upload (see <see cref="UploadDisk"/>); chunks go as template chunks.</summary>
        public TransferStart BeginDiskUpload(string name, ulong totalBytes, byte[] sha256, int timeoutMs = 0)
        {
            var m = new BeginDiskUploadMessage { TotalBytes = totalBytes };
            SetName(m.Name, name, nameof(name));
            if (sha256 == null || sha256.Length != ProtocolInfo.Sha256Bytes)
            {
                throw new ArgumentException("The SHA-256 is " + ProtocolInfo.Sha256Bytes + " bytes.", nameof(sha256));
            }
            CheckSize(totalBytes, nameof(totalBytes));
            Array.Copy(sha256, m.Sha256, sha256.Length);
            Call(m, timeoutMs);
            return new TransferStart { Id = m.UploadId, NextOffset = m.NextOffset, TotalBytes = totalBytes };
        }

        /// <summary>The host checks the SHA-256 (ChecksumMismatch discards the upload) and adds the disk to its store.</summary>
        public void CommitDiskUpload(uint uploadId) => Call(new CommitDiskUploadMessage { TransferId = uploadId }, 0);

        /// <summary>Empties the drive of a VM that is off (what it held is released).</summary>
        public void RemoveHardDiskDrive(uint id, int timeoutMs = 0) => Call(new RemoveHardDiskDriveMessage { VmId = id }, timeoutMs);

        /// <summary>The host's disk images with their size and the memory only each holds.</summary>
        public DiskInfo[] ListDisks(int timeoutMs = 0) => Call(new ListDisksMessage(), timeoutMs).Disks;

        /// <summary>Removes a host disk image (NotFound for an unknown name); forks in VMs' drives stay theirs.</summary>
        public void RemoveDisk(string name, int timeoutMs = 0)
        {
            var m = new NameRequest(Opcode.RemoveDisk);
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }

        /// <summary>
        /// Console output from stream offset <paramref name="fromOffset"/>, at most <paramref name="maxBytes"/>
        /// (≤ <see cref="ProtocolInfo.MaxConsoleChunk"/>). Pass the result's NextOffset to the next call.
        /// </summary>
        public ConsoleChunk ReadConsole(uint id, ulong fromOffset, int maxBytes = ProtocolInfo.MaxConsoleChunk, int timeoutMs = 0)
        {
            if (maxBytes <= 0 || maxBytes > ProtocolInfo.MaxConsoleChunk)
            {
                maxBytes = ProtocolInfo.MaxConsoleChunk;
            }
            ReadConsoleMessage m = Call(new ReadConsoleMessage { VmId = id, FromOffset = fromOffset, MaxBytes = maxBytes }, timeoutMs);
            byte[] data = new byte[m.Count];
            Array.Copy(m.Data, data, m.Count);
            return new ConsoleChunk { Data = data, NextOffset = m.NextOffset, Dropped = m.Dropped };
        }

        /// <summary>
        /// Sends console input (split into chunks of <see cref="ProtocolInfo.MaxConsoleChunk"/>). Returns the
        /// bytes the guest's input buffer accepted; fewer than given means it was full.
        /// </summary>
        public int WriteConsole(uint id, byte[] data, int timeoutMs = 0)
        {
            if (data == null)
            {
                throw new ArgumentNullException(nameof(data));
            }
            int total = 0;
            do
            {
                int count = Math.Min(ProtocolInfo.MaxConsoleChunk, data.Length - total);
                int accepted = Call(new WriteConsoleMessage { VmId = id, Data = data, DataOffset = total, DataCount = count }, timeoutMs).Accepted;
                total += accepted;
                if (accepted < count)
                {
                    break;
                }
            }
            while (total < data.Length);
            return total;
        }

        /// <summary>
        /// Changes a VM's settings, all or none; a null argument leaves that setting as it is. Memory changes only while
        /// the VM is off (it takes effect at its next start); the vCPU count can only be 1; weight is 1..10000, cap
        /// 0..100 percent (0 = no cap); notes of "" remove them.
        /// </summary>
        public void SetVm(uint id, uint? memoryMiB = null, uint? vcpus = null, uint? cpuWeight = null, uint? cpuCapPercent = null,
                          string newName = null, string notes = null, int timeoutMs = 0)
        {
            var m = new SetVmMessage { VmId = id };
            if (memoryMiB.HasValue) { m.Fields |= SetVmMessage.MemoryField; m.MemoryMiB = memoryMiB.Value; }
            if (vcpus.HasValue) { m.Fields |= SetVmMessage.VcpusField; m.Vcpus = vcpus.Value; }
            if (cpuWeight.HasValue) { m.Fields |= SetVmMessage.WeightField; m.CpuWeight = cpuWeight.Value; }
            if (cpuCapPercent.HasValue) { m.Fields |= SetVmMessage.CapField; m.CpuCapPercent = cpuCapPercent.Value; }
            if (newName != null) { m.Fields |= SetVmMessage.NameField; SetName(m.Name, newName, nameof(newName)); }
            if (notes != null)
            {
                m.Fields |= SetVmMessage.NotesField;
                if (!m.Notes.Set(notes))
                    throw new HvProtocolException(ErrorCode.TooLarge, Opcode.SetVm, "The notes are longer than " + ProtocolInfo.MaxTextBytes + " bytes of UTF-8.");
            }
            Call(m, timeoutMs);
        }

        /// <summary>A copy-on-write copy of a paused VM, named <paramref name="newName"/> (Paused too). Returns its id.</summary>
        public uint ForkVm(uint id, string newName, int timeoutMs = 0)
        {
            var m = new ForkVmMessage { VmId = id };
            SetName(m.Name, newName, nameof(newName));
            return Call(m, timeoutMs).NewId;
        }

        /// <summary>Takes a snapshot named <paramref name="name"/> (unique per VM). Returns its id.</summary>
        public uint CheckpointVm(uint id, string name, int timeoutMs = 0)
        {
            var m = new CheckpointVmMessage { VmId = id };
            SetName(m.Name, name, nameof(name));
            return Call(m, timeoutMs).NewId;
        }

        /// <summary>The VM's snapshots in id (= creation) order. Many snapshots take several round trips.</summary>
        public SnapshotInfo[] ListSnapshots(uint vmId, int timeoutMs = 0)
        {
            var all = new List<SnapshotInfo>();
            for (uint from = 0; ;)
            {
                ListSnapshotsMessage page = Call(new ListSnapshotsMessage { VmId = vmId, FromId = from }, timeoutMs);
                all.AddRange(page.Snapshots);
                if (page.NextId == 0)
                {
                    return all.ToArray();
                }
                from = NextPage(Opcode.ListSnapshots, from, page.NextId, page.Snapshots.Length, all.Count);
            }
        }

        /// <summary>Restores memory and registers exactly as captured; the VM is left Paused.</summary>
        public void RestoreSnapshot(uint vmId, uint snapshotId, int timeoutMs = 0)
            => Call(new RestoreSnapshotMessage { VmId = vmId, SnapshotId = snapshotId }, timeoutMs);

        public void RemoveSnapshot(uint vmId, uint snapshotId, int timeoutMs = 0)
            => Call(new RemoveSnapshotMessage { VmId = vmId, SnapshotId = snapshotId }, timeoutMs);

        /// <summary>
        /// Starts or resumes a template upload: an unfinished upload of the same name and SHA-256 on the host comes
        /// back with its id and the offset to continue from.
        /// </summary>
        public TransferStart BeginTemplateUpload(string name, GuestEntryMode mode, uint memoryMiB, ulong totalBytes, byte[] sha256,
            string commandLine = null, int timeoutMs = 0)
        {
            var m = new BeginTemplateUploadMessage { EntryMode = mode, MemoryMiB = memoryMiB, TotalBytes = totalBytes };
            SetName(m.Name, name, nameof(name));
            if (sha256 == null || sha256.Length != ProtocolInfo.Sha256Bytes)
            {
                throw new ArgumentException("The SHA-256 is " + ProtocolInfo.Sha256Bytes + " bytes.", nameof(sha256));
            }
            CheckSize(totalBytes, nameof(totalBytes));
            if (!m.CommandLine.Set(commandLine ?? ""))
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.BeginTemplateUpload,
                    "The command line is longer than " + ProtocolInfo.MaxCommandLineBytes + " bytes of UTF-8.");
            }
            Array.Copy(sha256, m.Sha256, sha256.Length);
            Call(m, timeoutMs);
            return new TransferStart { Id = m.UploadId, NextOffset = m.NextOffset, TotalBytes = totalBytes };
        }

        /// <summary>Sends data[offset..+count) (≤ <see cref="ProtocolInfo.MaxTransferChunk"/>) at <paramref name="at"/>; returns the host's next offset.</summary>
        public ulong UploadTemplateChunk(uint uploadId, ulong at, byte[] data, int offset, int count, int timeoutMs = 0)
            => SendChunk(new UploadTemplateChunkMessage(), uploadId, at, data, offset, count, timeoutMs);

        /// <summary>The host checks the SHA-256 (ChecksumMismatch discards the upload) and adds the template.</summary>
        public void CommitTemplateUpload(uint uploadId, int timeoutMs = 0)
            => Call(new CommitTemplateUploadMessage { TransferId = uploadId }, timeoutMs);

        /// <summary>Removes a template (and any unfinished upload of that name).</summary>
        public void RemoveTemplate(string name, int timeoutMs = 0)
        {
            var m = new NameRequest(Opcode.RemoveTemplate);
            SetName(m.Name, name, nameof(name));
            Call(m, timeoutMs);
        }

        /// <summary>
        /// Freezes an image of a paused VM on the host and waits while the host prepares it, asking GetExport (the host
        /// prepares it in bounded steps, serving other requests and running guests meanwhile); <paramref name="preparing"/>
        /// hears each answer's (done pages, work pages). Returns (export id, total bytes) in a TransferStart. A failure
        /// while waiting ends the export.
        /// </summary>
        public TransferStart BeginExport(uint vmId, int timeoutMs = 0, Action<ulong, ulong> preparing = null)
        {
            BeginExportMessage m = Call(new BeginExportMessage { VmId = vmId }, timeoutMs);
            var export = new TransferStart { Id = m.ExportId, NextOffset = 0, TotalBytes = m.TotalBytes };
            try
            {
                while (export.TotalBytes == 0)
                {
                    ExportPreparation p = GetExport(export.Id, timeoutMs);
                    export.TotalBytes = p.TotalBytes;
                    preparing?.Invoke(p.DonePages, p.WorkPages);
                }
            }
            catch
            {
                EndQuietly(() => EndExport(export.Id));
                throw;
            }
            return export;
        }

        /// <summary>How far the host has prepared an export's image (TotalBytes 0 until it is ready).</summary>
        public ExportPreparation GetExport(uint exportId, int timeoutMs = 0)
        {
            GetExportMessage m = Call(new GetExportMessage { ExportId = exportId }, timeoutMs);
            return new ExportPreparation { TotalBytes = m.TotalBytes, DonePages = m.DonePages, WorkPages = m.WorkPages };
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
            ReadExportMessage m = Call(new ReadExportMessage { ExportId = exportId, Offset = at, MaxBytes = count }, timeoutMs);
            Array.Copy(m.Data, 0, buffer, offset, m.Count);
            return m.Count;
        }

        public void EndExport(uint exportId, int timeoutMs = 0) => Call(new EndExportMessage { TransferId = exportId }, timeoutMs);

        /// <summary>Starts receiving a VM image; <paramref name="name"/> null or empty = the name recorded in the image.</summary>
        public uint BeginImport(string name, ulong totalBytes, int timeoutMs = 0)
        {
            var m = new BeginImportMessage { TotalBytes = totalBytes };
            if (!string.IsNullOrEmpty(name))
            {
                SetName(m.Name, name, nameof(name));
            }
            CheckSize(totalBytes, nameof(totalBytes));
            return Call(m, timeoutMs).ImportId;
        }

        public ulong WriteImport(uint importId, ulong at, byte[] data, int offset, int count, int timeoutMs = 0)
            => SendChunk(new WriteImportMessage(), importId, at, data, offset, count, timeoutMs);

        /// <summary>The host checks the image and creates the VM (Paused). Returns its id.</summary>
        public uint CommitImport(uint importId, int timeoutMs = 0) => Call(new CommitImportMessage { ImportId = importId }, timeoutMs).VmId;

        public void AbortImport(uint importId, int timeoutMs = 0) => Call(new AbortImportMessage { TransferId = importId }, timeoutMs);

        // ---- checks and shared steps ----------------------------------------------------------------------

        /// <summary>A name field for a request: not empty, at most <see cref="ProtocolInfo.MaxNameBytes"/> of UTF-8.</summary>
        private static void SetName(Utf8Field field, string value, string parameter)
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException("A name must not be empty.", parameter);
            }
            if (!field.Set(value))
            {
                throw new HvProtocolException(ErrorCode.TooLarge, Opcode.None,
                    "The " + parameter + " '" + value + "' is longer than " + ProtocolInfo.MaxNameBytes + " bytes of UTF-8.");
            }
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

        private ulong SendChunk(ChunkRequest m, uint id, ulong at, byte[] data, int offset, int count, int timeoutMs)
        {
            if (data == null)
            {
                throw new ArgumentNullException(nameof(data));
            }
            if (count < 0 || count > ProtocolInfo.MaxTransferChunk || offset < 0 || offset + count > data.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "A chunk is 0.." + ProtocolInfo.MaxTransferChunk + " bytes.");
            }
            m.TransferId = id;
            m.Offset = at;
            m.Data = data;
            m.DataOffset = offset;
            m.DataCount = count;
            return Call(m, timeoutMs).NextOffset;
        }

        /// <summary>Where a paged list continues; a host whose list does not advance, or never ends, is an error.</summary>
        private static uint NextPage(Opcode op, uint from, uint next, int added, int total)
        {
            if (added == 0 && next <= from)
            {
                throw new HvProtocolException(ErrorCode.Internal, op, op + " failed: the host's list did not advance (page from id " + from + ").");
            }
            if (total > 100_000_000)
            {
                throw new HvProtocolException(ErrorCode.Internal, op, op + " failed: too many pages.");
            }
            return next;
        }
    }
}
