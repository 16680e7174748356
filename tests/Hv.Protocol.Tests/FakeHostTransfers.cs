using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// The fake host's clones, snapshots, template uploads, exports and imports: a small but faithful model of what
    /// PROTOCOL.md asks of a host, so the client and the cmdlets can be tested before (and beside) the hypervisor's.
    /// </summary>
    public sealed partial class FakeHost
    {
        public sealed class Snapshot
        {
            public uint Id;
            public uint VmId;
            public string Name;
            public ulong CreatedMs;
            public byte[] Memory;
            public ulong Rip;
        }

        public sealed class UploadedTemplate
        {
            public string Name;
            public GuestEntryMode Mode;
            public uint MemoryMiB;
            public string CommandLine;
            public byte[] Image;
        }

        public sealed class Transfer
        {
            public uint Id;
            public string Name;
            public ulong Total;
            public MemoryStream Data = new MemoryStream();
            public byte[] Sha256;
            public GuestEntryMode Mode;
            public uint MemoryMiB;
            public string CommandLine;
            public int Chunks;
        }

        /// <summary>Bytes of fake guest memory per VM (a few transfer chunks by default).</summary>
        public int FakeMemoryBytes = 10000;
        public bool TemplateFlagsSent = true;
        public bool PagesInList = true;
        public ulong MemorySharedBytes = 3 << 20;
        public readonly List<Snapshot> Snapshots = new List<Snapshot>();
        public readonly List<UploadedTemplate> Uploaded = new List<UploadedTemplate>();
        public readonly Dictionary<uint, Transfer> Uploads = new Dictionary<uint, Transfer>();
        public readonly Dictionary<uint, byte[]> Exports = new Dictionary<uint, byte[]>();
        public readonly Dictionary<uint, Transfer> Imports = new Dictionary<uint, Transfer>();
        public uint NextSnapshotId = 1;
        public uint NextTransferId = 1;
        /// <summary>Called before each chunk is stored (tests count, drop the line, or throw InvalidOperationException: ResourceUnavailable).</summary>
        public Action<Transfer, ulong> OnChunk;
        /// <summary>A CreateVms override that makes the clones itself (false: the HostControl default loop).</summary>
        public bool OwnCreateVms;

        private static readonly byte[] Magic = Encoding.ASCII.GetBytes("HVFAKEV1");

        public bool HasTemplate(Utf8Field name)
        {
            return TemplateNames.Any(name.EqualsString) || Uploaded.Any(t => name.EqualsString(t.Name));
        }

        private byte[] MemoryOf(Vm vm)
        {
            if (vm.Memory == null)
            {
                vm.Memory = new byte[FakeMemoryBytes];
                new Random((int)vm.Id).NextBytes(vm.Memory);
            }
            return vm.Memory;
        }

        public override ErrorCode CreateVms(CreateVmRequest request, uint count, VmIdList ids)
        {
            if (!OwnCreateVms)
            {
                return base.CreateVms(request, count, ids);
            }
            LastOperation = "CreateVms";
            return Fail(ErrorCode.ResourceUnavailable, "own CreateVms: no room");
        }

        public override ErrorCode ForkVm(uint vmId, Utf8Field newName, out uint newVmId)
        {
            newVmId = 0;
            LastOperation = "ForkVm";
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            if (vm.State != VmState.Paused)
            {
                return Fail(ErrorCode.InvalidState, "fork a paused VM");
            }
            if (Vms.Any(v => newName.EqualsString(v.Name)))
            {
                return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
            }
            Executed++;
            var copy = Add(newName.ToNewString(), VmState.Paused, vm.MemoryMiB, vm.Template);
            copy.Memory = (byte[])MemoryOf(vm).Clone();
            copy.Rip = vm.Rip;
            copy.Counters[(int)CounterId.SharedPages] = (ulong)copy.Memory.Length / 4096;
            newVmId = copy.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode CheckpointVm(uint vmId, Utf8Field name, out uint snapshotId)
        {
            snapshotId = 0;
            LastOperation = "CheckpointVm";
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            if (Snapshots.Any(s => s.VmId == vmId && name.EqualsString(s.Name)))
            {
                return Fail(ErrorCode.AlreadyExists, "the VM has a snapshot with that name");
            }
            Executed++;
            var snap = new Snapshot
            {
                Id = NextSnapshotId++, VmId = vmId, Name = name.ToNewString(), CreatedMs = Uptime,
                Memory = (byte[])MemoryOf(vm).Clone(), Rip = vm.Rip,
            };
            Snapshots.Add(snap);
            snapshotId = snap.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode ListSnapshots(uint vmId, uint fromId, SnapshotListWriter list)
        {
            if (Find(vmId) == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            foreach (var s in Snapshots.Where(s => s.VmId == vmId && s.Id >= fromId).OrderBy(s => s.Id))
            {
                if (!list.Add(s.Id, s.Name, s.CreatedMs, 1, (ulong)s.Memory.Length / 4096))
                {
                    break;
                }
            }
            return ErrorCode.Ok;
        }

        private Snapshot FindSnapshot(uint vmId, uint snapshotId)
            => Snapshots.FirstOrDefault(s => s.VmId == vmId && s.Id == snapshotId);

        public override ErrorCode RestoreSnapshot(uint vmId, uint snapshotId)
        {
            LastOperation = "RestoreSnapshot";
            var vm = Find(vmId);
            var snap = FindSnapshot(vmId, snapshotId);
            if (vm == null || snap == null)
            {
                return Fail(ErrorCode.NotFound, vm == null ? "no such VM" : "no such snapshot of this VM");
            }
            Executed++;
            vm.Memory = (byte[])snap.Memory.Clone();
            vm.Rip = snap.Rip;
            vm.State = VmState.Paused;
            vm.Reason = StopReason.None;
            return ErrorCode.Ok;
        }

        public override ErrorCode RemoveSnapshot(uint vmId, uint snapshotId)
        {
            LastOperation = "RemoveSnapshot";
            var snap = FindSnapshot(vmId, snapshotId);
            if (snap == null)
            {
                return Fail(ErrorCode.NotFound, "no such snapshot of this VM");
            }
            Executed++;
            Snapshots.Remove(snap);
            return ErrorCode.Ok;
        }

        // ---- templates ------------------------------------------------------------------------------------

        public override ErrorCode BeginTemplateUpload(TemplateUploadRequest request, out uint uploadId, out ulong nextOffset)
        {
            uploadId = 0;
            nextOffset = 0;
            LastOperation = "BeginTemplateUpload";
            string name = request.Name.ToNewString();
            if (HasTemplate(request.Name))
            {
                return Fail(ErrorCode.AlreadyExists, "a template with that name exists");
            }
            var open = Uploads.Values.FirstOrDefault(u => u.Name == name);
            if (open != null && open.Sha256.SequenceEqual(request.Sha256) && open.Total == request.TotalBytes)
            {
                uploadId = open.Id;
                nextOffset = (ulong)open.Data.Length;
                return ErrorCode.Ok;
            }
            if (open != null)
            {
                Uploads.Remove(open.Id);
            }
            Executed++;
            var u = new Transfer
            {
                Id = NextTransferId++, Name = name, Total = request.TotalBytes, Sha256 = (byte[])request.Sha256.Clone(),
                Mode = request.EntryMode, MemoryMiB = request.MemoryMiB, CommandLine = request.CommandLine.ToNewString(),
            };
            Uploads[u.Id] = u;
            uploadId = u.Id;
            return ErrorCode.Ok;
        }

        private ErrorCode WriteChunk(Transfer t, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = (ulong)t.Data.Length;
            if (offset != nextOffset)
            {
                return ErrorCode.Ok; // a retransmission or a lost client: store nothing, say where we are
            }
            if (offset + (ulong)count > t.Total)
            {
                return Fail(ErrorCode.TooLarge, "past the announced size");
            }
            try
            {
                OnChunk?.Invoke(t, offset);
            }
            catch (InvalidOperationException e)
            {
                return Fail(ErrorCode.ResourceUnavailable, e.Message == "disk full" ? "disk full" : "refused by the test");
            }
            Executed++;
            t.Chunks++;
            t.Data.Write(data, off, count);
            nextOffset = (ulong)t.Data.Length;
            return ErrorCode.Ok;
        }

        public override ErrorCode UploadTemplateChunk(uint uploadId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            LastOperation = "UploadTemplateChunk";
            if (!Uploads.TryGetValue(uploadId, out var u))
            {
                return Fail(ErrorCode.NotFound, "no such upload");
            }
            return WriteChunk(u, offset, data, off, count, out nextOffset);
        }

        public override ErrorCode CommitTemplateUpload(uint uploadId)
        {
            LastOperation = "CommitTemplateUpload";
            if (!Uploads.TryGetValue(uploadId, out var u))
            {
                return Fail(ErrorCode.NotFound, "no such upload");
            }
            if ((ulong)u.Data.Length != u.Total)
            {
                return Fail(ErrorCode.InvalidState, "not all bytes have arrived");
            }
            Uploads.Remove(uploadId);
            byte[] image = u.Data.ToArray();
            if (!SHA256.HashData(image).SequenceEqual(u.Sha256))
            {
                return Fail(ErrorCode.ChecksumMismatch, "SHA-256 mismatch: upload discarded");
            }
            Executed++;
            Uploaded.Add(new UploadedTemplate { Name = u.Name, Mode = u.Mode, MemoryMiB = u.MemoryMiB == 0 ? 1 : u.MemoryMiB, CommandLine = u.CommandLine, Image = image });
            return ErrorCode.Ok;
        }

        public override ErrorCode RemoveTemplate(Utf8Field name)
        {
            LastOperation = "RemoveTemplate";
            string n = name.ToNewString();
            int removed = Uploaded.RemoveAll(t => t.Name == n);
            foreach (var u in Uploads.Values.Where(u => u.Name == n).ToList())
            {
                Uploads.Remove(u.Id);
                removed++;
            }
            if (TemplateNames.Contains(n))
            {
                TemplateNames = TemplateNames.Where(t => t != n).ToArray();
                removed++;
            }
            if (removed == 0)
            {
                return Fail(ErrorCode.NotFound, "no such template");
            }
            Executed++;
            return ErrorCode.Ok;
        }

        // ---- export / import ------------------------------------------------------------------------------

        /// <summary>The fake image: magic | name | template | memory MiB | rip | memory | SHA-256 of all before it.</summary>
        public byte[] ImageOf(Vm vm)
        {
            var ms = new MemoryStream();
            var w = new BinaryWriter(ms);
            w.Write(Magic);
            w.Write(vm.Name);
            w.Write(vm.Template ?? "");
            w.Write(vm.MemoryMiB);
            w.Write(vm.Rip);
            byte[] memory = MemoryOf(vm);
            w.Write(memory.Length);
            w.Write(memory);
            w.Flush();
            byte[] body = ms.ToArray();
            return body.Concat(SHA256.HashData(body)).ToArray();
        }

        public override ErrorCode BeginExport(uint vmId, out uint exportId, out ulong totalBytes)
        {
            exportId = 0;
            totalBytes = 0;
            LastOperation = "BeginExport";
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            if (vm.State != VmState.Paused)
            {
                return Fail(ErrorCode.InvalidState, "export a paused VM");
            }
            byte[] image = ImageOf(vm);
            exportId = NextTransferId++;
            Exports[exportId] = image;
            totalBytes = (ulong)image.Length;
            return ErrorCode.Ok;
        }

        public override ErrorCode ReadExport(uint exportId, ulong offset, int maxBytes, ExportChunk result)
        {
            if (!Exports.TryGetValue(exportId, out var image))
            {
                return Fail(ErrorCode.NotFound, "no such export");
            }
            int n = offset >= (ulong)image.Length ? 0 : (int)Math.Min((ulong)maxBytes, (ulong)image.Length - offset);
            Buffer.BlockCopy(image, (int)offset, result.Data, 0, n);
            result.Count = n;
            return ErrorCode.Ok;
        }

        public override ErrorCode EndExport(uint exportId)
        {
            return Exports.Remove(exportId) ? ErrorCode.Ok : Fail(ErrorCode.NotFound, "no such export");
        }

        public override ErrorCode BeginImport(Utf8Field name, ulong totalBytes, out uint importId)
        {
            importId = 0;
            LastOperation = "BeginImport";
            if (name.Length > 0 && Vms.Any(v => name.EqualsString(v.Name)))
            {
                return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
            }
            Executed++;
            var t = new Transfer { Id = NextTransferId++, Name = name.ToNewString(), Total = totalBytes };
            Imports[t.Id] = t;
            importId = t.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode WriteImport(uint importId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
        {
            nextOffset = 0;
            LastOperation = "WriteImport";
            if (!Imports.TryGetValue(importId, out var t))
            {
                return Fail(ErrorCode.NotFound, "no such import");
            }
            return WriteChunk(t, offset, data, off, count, out nextOffset);
        }

        public override ErrorCode CommitImport(uint importId, out uint vmId)
        {
            vmId = 0;
            LastOperation = "CommitImport";
            if (!Imports.TryGetValue(importId, out var t))
            {
                return Fail(ErrorCode.NotFound, "no such import");
            }
            if ((ulong)t.Data.Length != t.Total)
            {
                return Fail(ErrorCode.InvalidState, "not all bytes have arrived");
            }
            Imports.Remove(importId);
            byte[] image = t.Data.ToArray();
            if (image.Length < Magic.Length + 32 || !image.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            {
                return Fail(ErrorCode.InvalidArgument, "not an Hv VM image");
            }
            byte[] body = image.AsSpan(0, image.Length - 32).ToArray();
            if (!SHA256.HashData(body).SequenceEqual(image.AsSpan(image.Length - 32).ToArray()))
            {
                return Fail(ErrorCode.ChecksumMismatch, "the image is damaged");
            }
            var r = new BinaryReader(new MemoryStream(body, Magic.Length, body.Length - Magic.Length));
            string name = r.ReadString();
            string template = r.ReadString();
            uint memoryMiB = r.ReadUInt32();
            ulong rip = r.ReadUInt64();
            byte[] memory = r.ReadBytes(r.ReadInt32());
            if (t.Name.Length > 0)
            {
                name = t.Name;
            }
            if (Vms.Any(v => v.Name == name))
            {
                return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
            }
            Executed++;
            var vm = Add(name, VmState.Paused, memoryMiB, template);
            vm.Memory = memory;
            vm.Rip = rip;
            vmId = vm.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode AbortImport(uint importId)
        {
            LastOperation = "AbortImport";
            return Imports.Remove(importId) ? ErrorCode.Ok : Fail(ErrorCode.NotFound, "no such import");
        }
    }
}
