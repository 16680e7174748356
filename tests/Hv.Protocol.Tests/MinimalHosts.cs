using System.Collections.Generic;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    /// <summary>Hosts that implement only what HostControl requires (shared with the module tests).</summary>
    public static class MinimalHosts
    {
        /// <summary>Implements only the abstract operations; allocates nothing per request.</summary>
        public sealed class BareHost : HostControl
        {
            public readonly List<string> Created = new List<string>();
            public bool Record = true;
            public byte[] Image = new byte[ProtocolInfo.MaxTransferChunk * 2];
            public uint Next = 1;
            public override ulong UptimeMilliseconds() => 1;
            public override ErrorCode GetHostInfo(HostInfoResult result) => ErrorCode.Ok;
            public override ErrorCode ListTemplates(TemplateListWriter list)
            {
                list.Add("t", 1, 1, "real");
                return ErrorCode.Ok;
            }
            public override ErrorCode CreateVm(CreateVmRequest request, out uint vmId)
            {
                if (Record)
                {
                    Created.Add(request.Name.ToNewString());
                }
                vmId = Next++;
                return ErrorCode.Ok;
            }
            public override ErrorCode StartVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs) => ErrorCode.Ok;
            public override ErrorCode PauseVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode ResumeVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode RemoveVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode ListVms(uint fromId, VmListWriter list)
            {
                if (fromId <= 1)
                {
                    list.Add(1, "v", VmState.Paused, StopReason.None, 1, 1);
                }
                return ErrorCode.Ok;
            }
            public override ErrorCode GetVm(uint vmId, VmDetails result)
            {
                result.Id = vmId;
                result.Name = "v";
                result.State = VmState.Paused;
                return ErrorCode.Ok;
            }
            public override ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result) => ErrorCode.Ok;
            public override ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted)
            {
                accepted = count;
                return ErrorCode.Ok;
            }
            public override ErrorCode GetMetrics(uint vmId, VmCounters counters) => ErrorCode.Ok;
        }

        /// <summary>A host whose transfer operations copy into and out of buffers it owns (as the kernel's must).</summary>
        public sealed class NoAllocHost : HostControl
        {
            private readonly BareHost _bare = new BareHost { Record = false };
            public readonly byte[] Image = new byte[20_000];
            public ulong Received;
            public override ulong UptimeMilliseconds() => 5;
            public override ErrorCode GetHostInfo(HostInfoResult result) => ErrorCode.Ok;
            public override ErrorCode ListTemplates(TemplateListWriter list) => list.Add("tpl", 1, 1, "real", TemplateFlags.Primed) ? ErrorCode.Ok : ErrorCode.Ok;
            public override ErrorCode CreateVm(CreateVmRequest request, out uint vmId) => _bare.CreateVm(request, out vmId);
            public override ErrorCode StartVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs) => ErrorCode.Ok;
            public override ErrorCode PauseVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode ResumeVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode RemoveVm(uint vmId) => ErrorCode.Ok;
            public override ErrorCode ListVms(uint fromId, VmListWriter list)
            {
                list.Add(1, "vm", VmState.Paused, StopReason.None, 1, 1, 10, 20);
                return ErrorCode.Ok;
            }
            public override ErrorCode GetVm(uint vmId, VmDetails result) => ErrorCode.Ok;
            public override ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result) => ErrorCode.Ok;
            public override ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted)
            {
                accepted = count;
                return ErrorCode.Ok;
            }
            public override ErrorCode GetMetrics(uint vmId, VmCounters counters) => ErrorCode.Ok;
            public override ErrorCode ListSnapshots(uint vmId, uint fromId, SnapshotListWriter list)
            {
                list.Add(1, "snap", 2, 3, 4);
                return ErrorCode.Ok;
            }
            public override ErrorCode UploadTemplateChunk(uint uploadId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
            {
                for (int i = 0; i < count && i < Image.Length; i++)
                {
                    Image[i] = data[off + i];
                }
                Received += (ulong)count;
                nextOffset = offset + (ulong)count;
                return ErrorCode.Ok;
            }
            public override ErrorCode WriteImport(uint importId, ulong offset, byte[] data, int off, int count, out ulong nextOffset)
                => UploadTemplateChunk(importId, offset, data, off, count, out nextOffset);
            public override ErrorCode ReadExport(uint exportId, ulong offset, int maxBytes, ExportChunk result)
            {
                for (int i = 0; i < maxBytes; i++)
                {
                    result.Data[i] = Image[i];
                }
                result.Count = maxBytes;
                return ErrorCode.Ok;
            }
        }
    }
}
