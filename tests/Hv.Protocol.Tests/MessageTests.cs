using System.Linq;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    /// <summary>
    /// The message bodies on their own: what an older host sends (fields appended since, missing) and how a full list
    /// response is cut (PROTOCOL.md, "Extensibility" and "Entry extensions").
    /// </summary>
    public class MessageTests
    {
        private static MessageReader Reader(MessageWriter w) => new MessageReader(w.Buffer, 0, w.Length);

        private static MessageWriter Writer(int capacity = ProtocolInfo.MaxContentBytes)
        {
            var w = new MessageWriter();
            w.Reset(new byte[capacity], 0, capacity);
            return w;
        }

        [Fact]
        public void HostInfo_FromAnOlderHost_HasNoSharedMemoryFigure()
        {
            var w = Writer();
            w.WriteString("old", 255); w.WriteVarUInt(3); w.WriteString("vmx ept", 255);
            w.WriteVarUInt(8UL << 30); w.WriteVarUInt(6UL << 30); w.WriteVarUInt(123456); w.WriteVarUInt(2);
            var old = new HostInfoMessage();
            Assert.True(old.TryReadResponse(Reader(w)));
            Assert.Equal(("old", 3UL, "vmx ept", 8UL << 30, 6UL << 30, 123456UL, 2u),
                         (old.Info.Version, old.Info.CpuFeatures, old.Info.CpuFeatureNames, old.Info.MemoryTotalBytes,
                          old.Info.MemoryFreeBytes, old.Info.UptimeMs, old.Info.VmCount));
            Assert.False(old.Info.HasMemorySharedBytes);

            w.WriteVarUInt(3UL << 20);
            var current = new HostInfoMessage();
            Assert.True(current.TryReadResponse(Reader(w)));
            Assert.True(current.Info.HasMemorySharedBytes);
            Assert.Equal(3UL << 20, current.Info.MemorySharedBytes);
        }

        [Fact]
        public void ListVms_FromAnOlderHost_PagesUnknown_AndEmptyBlocksMeanUnknownToo()
        {
            // count | entry | next id, and nothing after: a host from before the entry extension.
            var w = Writer();
            w.WriteUInt16(1); w.WriteVarUInt(7); w.WriteString("vm", 64); w.WriteByte((byte)VmState.Running);
            w.WriteByte((byte)StopReason.None); w.WriteVarUInt(64); w.WriteVarUInt(1); w.WriteVarUInt(0);
            var old = new ListVmsMessage();
            Assert.True(old.TryReadResponse(Reader(w)));
            var vm = Assert.Single(old.Vms);
            Assert.Equal((7u, "vm", VmState.Running, 64u, 1u), (vm.Id, vm.Name, vm.State, vm.MemoryMiB, vm.Vcpus));
            Assert.True(vm.IsSummary);
            Assert.False(vm.HasPages);

            // An empty block for the entry: the host did not say.
            w.WriteVarUInt(1); w.WriteVarUInt(0);
            var empty = new ListVmsMessage();
            Assert.True(empty.TryReadResponse(Reader(w)));
            Assert.False(Assert.Single(empty.Vms).HasPages);

            // A trailer whose count is not the list's is malformed.
            var bad = Writer();
            bad.WriteUInt16(0); bad.WriteVarUInt(0); bad.WriteVarUInt(2);
            Assert.False(new ListVmsMessage().TryReadResponse(Reader(bad)));
        }

        [Fact]
        public void ListTemplates_FromAnOlderHost_FlagsUnknown()
        {
            var w = Writer();
            w.WriteUInt16(1); w.WriteString("t", 64); w.WriteVarUInt(64); w.WriteVarUInt(1); w.WriteString("real", 64);
            var old = new ListTemplatesMessage();
            Assert.True(old.TryReadResponse(Reader(w)));              // no truncated flag, no trailer
            Assert.False(Assert.Single(old.Templates).HasFlags);
        }

        [Fact]
        public void ListTemplates_FullResponse_KeepsTheExtensionConsistent()
        {
            var w = Writer();
            w.WriteByte(0); // the status byte the server writes first
            var server = new ListTemplatesMessage();
            server.Begin(w);
            int added = 0;
            while (server.Add(new string('t', 60) + added.ToString("D4"), 64, 1, "real", TemplateFlags.Uploaded)) added++;
            server.WriteResponse(w);
            Assert.False(w.Overflow);
            Assert.InRange(added, 50, 299);

            var client = new ListTemplatesMessage();
            Assert.True(client.TryReadResponse(new MessageReader(w.Buffer, 1, w.Length - 1)));
            Assert.Equal(added, client.Templates.Length);
            Assert.All(client.Templates, t => Assert.Equal((true, TemplateFlags.Uploaded), (t.HasFlags, t.Flags)));
            Assert.Equal(new string('t', 60) + (added - 1).ToString("D4"), client.Templates.Last().Name);
        }

        [Fact]
        public void ListSnapshots_AFullPage_SaysWhereTheNextOneStarts()
        {
            var w = Writer(1000);
            var server = new ListSnapshotsMessage { HostUptimeMs = 99 };
            server.Begin(w);
            uint id = 1;
            while (server.Add(id, new string('s', 56) + id.ToString("D4"), 10, 1, 2)) id++;
            server.WriteResponse(w);
            Assert.False(w.Overflow);
            Assert.True(id > 5);

            var client = new ListSnapshotsMessage { VmId = 3 };
            Assert.True(client.TryReadResponse(Reader(w)));
            Assert.Equal(id, client.NextId);                             // the first that did not fit
            Assert.Equal(Enumerable.Range(1, (int)id - 1).Select(i => (uint)i), client.Snapshots.Select(s => s.Id));
            Assert.All(client.Snapshots, s => Assert.Equal((3u, 99UL, 89UL), (s.VmId, s.HostUptimeMs, s.AgeMs)));
        }

        [Fact]
        public void ListDisks_AFullPage_IsTruncated_AndTheEntriesReadBack()
        {
            var w = Writer(600);
            var server = new ListDisksMessage();
            server.Begin(w);
            int added = 0;
            while (server.Add(new string('d', 60) + added.ToString("D4"), 512UL << added % 20, 4096UL * (ulong)added)) added++;
            server.WriteResponse(w);
            Assert.False(w.Overflow);
            Assert.True(added > 3);

            var client = new ListDisksMessage();
            Assert.True(client.TryReadResponse(Reader(w)));
            Assert.True(client.Truncated);
            Assert.Equal(added, client.Disks.Length);
            Assert.Equal((new string('d', 60) + "0002", 2048UL, 8192UL), (client.Disks[2].Name, client.Disks[2].SizeBytes, client.Disks[2].AllocatedBytes));

            var remove = new NameRequest(Opcode.RemoveDisk);
            remove.Name.Set("scratch");
            w = Writer();
            remove.WriteRequest(w);
            var read = new NameRequest(Opcode.RemoveDisk);
            Assert.Equal(ErrorCode.Ok, read.TryReadRequest(Reader(w)));
            Assert.Equal("scratch", read.Name.ToNewString());
        }

        [Fact]
        public void Requests_ReadBackAsWritten()
        {
            var create = new CreateVmMessage { MemoryMiB = 512, Vcpus = 1 };
            create.Template.Set("linux");
            create.Name.Set("wébserver-1");
            var w = Writer();
            create.WriteRequest(w);
            var read = new CreateVmMessage();
            Assert.Equal(ErrorCode.Ok, read.TryReadRequest(Reader(w)));
            Assert.Equal(("linux", "wébserver-1", 512u, 1u), (read.Template.ToNewString(), read.Name.ToNewString(), read.MemoryMiB, read.Vcpus));

            var stop = new StopVmMessage { VmId = 9, Force = true, GracefulTimeoutMs = 2500 };
            w = Writer();
            stop.WriteRequest(w);
            Assert.Equal(new byte[] { 9, 1, 0xC4, 0x13 }, w.Buffer.Take(w.Length));  // id | flags | 2500 as LEB128
            var stopRead = new StopVmMessage();
            Assert.Equal(ErrorCode.Ok, stopRead.TryReadRequest(Reader(w)));
            Assert.Equal((9u, true, 2500u), (stopRead.VmId, stopRead.Force, stopRead.GracefulTimeoutMs));
        }

        [Fact]
        public void SetVm_CarriesOnlyTheFieldsItSetsAndRefusesUnknownBitsAndBadText()
        {
            var set = new SetVmMessage { VmId = 5, Fields = SetVmMessage.WeightField | SetVmMessage.NotesField, CpuWeight = 300 };
            set.Notes.Set("db, büsy");
            var w = Writer();
            set.WriteRequest(w);
            Assert.Equal(new byte[] { 5, 4 | 32, 0xAC, 0x02 }, w.Buffer.Take(4)); // id | fields | 300 as LEB128 | notes
            var read = new SetVmMessage();
            Assert.Equal(ErrorCode.Ok, read.TryReadRequest(Reader(w)));
            Assert.True(read.Has(SetVmMessage.WeightField) && read.Has(SetVmMessage.NotesField) && !read.Has(SetVmMessage.CapField));
            Assert.Equal((5u, 300u, "db, büsy"), (read.VmId, read.CpuWeight, read.Notes.ToNewString()));

            w = Writer();
            w.WriteVarUInt(5); w.WriteByte(64);
            Assert.Equal(ErrorCode.InvalidArgument, new SetVmMessage().TryReadRequest(Reader(w)));
            w = Writer();
            w.WriteVarUInt(5); w.WriteByte(SetVmMessage.NotesField); w.WriteVarUInt(2); w.WriteByte((byte)'a'); w.WriteByte(10);
            Assert.Equal(ErrorCode.InvalidArgument, new SetVmMessage().TryReadRequest(Reader(w)));
            w = Writer();
            w.WriteVarUInt(5); w.WriteByte(SetVmMessage.MemoryField | SetVmMessage.CapField); w.WriteVarUInt(64);
            Assert.Equal(ErrorCode.InvalidArgument, new SetVmMessage().TryReadRequest(Reader(w))); // the cap is missing
        }

        [Fact]
        public void GetVm_FromAnOlderHost_HasNoCpuShare()
        {
            var current = new GetVmMessage();
            current.Vm.Id = 3; current.Vm.Name = "a"; current.Vm.CpuWeight = 300; current.Vm.CpuCapPercent = 25; current.Vm.Notes = "n";
            var w = Writer();
            current.WriteResponse(w);
            var read = new GetVmMessage();
            Assert.True(read.TryReadResponse(Reader(w)));
            Assert.Equal((true, 300u, 25u, "n"), (read.Vm.HasCpuShare, read.Vm.CpuWeight, read.Vm.CpuCapPercent, read.Vm.Notes));
            // An older host's response ends after the counters: 5 bytes shorter here (weight 2, cap 1, notes 2).
            var old = new GetVmMessage();
            Assert.True(old.TryReadResponse(new MessageReader(w.Buffer, 0, w.Length - 5)));
            Assert.False(old.Vm.HasCpuShare);
        }
    }
}
