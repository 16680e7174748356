using System;
using System.Collections.Generic;
using System.Threading;
using Hv.Protocol.Client;
using Hv.Crypto;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    /// <summary>An in-memory host: a VM table and a console per VM. Operations that execute bump Executed.</summary>
    public sealed partial class FakeHost : HostControl
    {
        public sealed class Vm
        {
            public uint Id;
            public string Name;
            public string Template;
            public VmState State = VmState.Created;
            public StopReason Reason;
            public string StopDetail;
            public int ExitCode;
            public uint MemoryMiB;
            public uint Vcpus;
            public ulong[] Counters = new ulong[(int)CounterId.Count];
            public byte[] Output = new byte[0];
            public ulong OldestAvailable;
            public List<byte> Input = new List<byte>();
            public int InputCapacity = 1 << 20;
            /// <summary>The fake guest's memory and one register, for snapshots, forks and export (made on first use).</summary>
            public byte[] Memory;
            public ulong Rip;
        }

        public readonly List<Vm> Vms = new List<Vm>();
        public int Executed;
        public string LastOperation;
        public ulong Uptime = 123456;
        public uint NextId = 1;
        public string[] TemplateNames = { "flat", "multiboot-test", "linux" };

        public Vm Add(string name, VmState state = VmState.Running, uint memoryMiB = 256, string template = "flat")
        {
            var vm = new Vm { Id = NextId++, Name = name, Template = template, State = state, MemoryMiB = memoryMiB, Vcpus = 1 };
            Vms.Add(vm);
            return vm;
        }

        public Vm Find(uint id)
        {
            for (int i = 0; i < Vms.Count; i++)
            {
                if (Vms[i].Id == id)
                {
                    return Vms[i];
                }
            }
            return null;
        }

        public override ulong UptimeMilliseconds() => Uptime;

        public override ErrorCode GetHostInfo(HostInfoResult result)
        {
            result.Version = "Hv 0.1.0";
            result.CpuFeatures = CpuFeature.Vmx | CpuFeature.Ept | CpuFeature.UnrestrictedGuest;
            result.CpuFeatureNames = "vmx ept unrestricted-guest";
            result.MemoryTotalBytes = 8UL << 30;
            result.MemoryFreeBytes = 6UL << 30;
            result.VmCount = (uint)Vms.Count;
            result.MemorySharedBytes = MemorySharedBytes;
            return ErrorCode.Ok;
        }

        public override ErrorCode ListTemplates(TemplateListWriter list)
        {
            for (int i = 0; i < TemplateNames.Length; i++)
            {
                string mode = i == 2 ? "linux" : i == 1 ? "multiboot" : "flat";
                bool added = !TemplateFlagsSent
                    ? list.Add(TemplateNames[i], (uint)(64 << i), (uint)(i + 1), mode)
                    : list.Add(TemplateNames[i], (uint)(64 << i), (uint)(i + 1), mode, i == 2 ? TemplateFlags.Primed : 0);
                if (!added)
                {
                    return ErrorCode.Ok;
                }
            }
            foreach (var t in Uploaded)
            {
                if (!list.Add(t.Name, t.MemoryMiB, 1, t.Mode.ToString().ToLowerInvariant(), TemplateFlags.Uploaded))
                {
                    break;
                }
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode CreateVm(CreateVmRequest request, out uint vmId)
        {
            vmId = 0;
            LastOperation = "CreateVm";
            if (!HasTemplate(request.Template))
            {
                return Fail(ErrorCode.NotFound, "no such template");
            }
            foreach (var vm in Vms)
            {
                if (request.Name.EqualsString(vm.Name))
                {
                    return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
                }
            }
            Executed++;
            var created = Add(request.Name.ToNewString(), VmState.Created, request.MemoryMiB == 0 ? 64 : request.MemoryMiB, request.Template.ToNewString());
            created.Vcpus = request.Vcpus == 0 ? 1 : request.Vcpus;
            vmId = created.Id;
            return ErrorCode.Ok;
        }

        private ErrorCode Transition(uint id, string op, VmState from, VmState to)
        {
            LastOperation = op;
            var vm = Find(id);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            if (vm.State != from)
            {
                return ErrorCode.InvalidState;
            }
            Executed++;
            vm.State = to;
            return ErrorCode.Ok;
        }

        public override ErrorCode StartVm(uint vmId) => Transition(vmId, "StartVm", VmState.Created, VmState.Running);
        public override ErrorCode PauseVm(uint vmId) => Transition(vmId, "PauseVm", VmState.Running, VmState.Paused);
        public override ErrorCode ResumeVm(uint vmId) => Transition(vmId, "ResumeVm", VmState.Paused, VmState.Running);

        public bool LastForce;
        public uint LastGracefulTimeout;

        public override ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs)
        {
            LastForce = force;
            LastGracefulTimeout = gracefulTimeoutMs;
            // As the hypervisor: a created, running or paused VM can be stopped.
            var target = Find(vmId);
            var code = Transition(vmId, "StopVm", target != null && (target.State == VmState.Paused || target.State == VmState.Created) ? target.State : VmState.Running, VmState.Stopped);
            if (code == ErrorCode.Ok)
            {
                var vm = Find(vmId);
                vm.Reason = force ? StopReason.Forced : StopReason.Requested;
                vm.StopDetail = force ? "forced by request" : "guest acknowledged";
            }
            return code;
        }

        public override ErrorCode RemoveVm(uint vmId)
        {
            LastOperation = "RemoveVm";
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            if (vm.State == VmState.Running || vm.State == VmState.Paused)
            {
                return Fail(ErrorCode.InvalidState, "stop it first");
            }
            Executed++;
            Vms.Remove(vm);
            return ErrorCode.Ok;
        }

        public override ErrorCode ListVms(uint fromId, VmListWriter list)
        {
            for (int i = 0; i < Vms.Count; i++)
            {
                var vm = Vms[i];
                if (vm.Id < fromId)
                {
                    continue;
                }
                bool added = PagesInList
                    ? list.Add(vm.Id, vm.Name, vm.State, vm.Reason, vm.MemoryMiB, vm.Vcpus,
                        vm.Counters[(int)CounterId.PrivatePages], vm.Counters[(int)CounterId.SharedPages])
                    : list.Add(vm.Id, vm.Name, vm.State, vm.Reason, vm.MemoryMiB, vm.Vcpus);
                if (!added)
                {
                    break;
                }
            }
            return ErrorCode.Ok;
        }

        public int GetVmCalls;

        public override ErrorCode GetVm(uint vmId, VmDetails result)
        {
            GetVmCalls++;
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            result.Id = vm.Id;
            result.Name = vm.Name;
            result.State = vm.State;
            result.StopReason = vm.Reason;
            result.StopDetail = vm.StopDetail;
            result.ExitCode = vm.ExitCode;
            result.MemoryMiB = vm.MemoryMiB;
            result.Vcpus = vm.Vcpus;
            result.Template = vm.Template;
            for (int i = 0; i < vm.Counters.Length; i++)
            {
                result.Counters.Set((CounterId)i, vm.Counters[i]);
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result)
        {
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            ulong end = (ulong)vm.Output.Length;
            if (fromOffset < vm.OldestAvailable)
            {
                fromOffset = vm.OldestAvailable;
                result.Dropped = true;
            }
            if (fromOffset > end)
            {
                fromOffset = end;
            }
            int n = (int)Math.Min((ulong)maxBytes, end - fromOffset);
            Buffer.BlockCopy(vm.Output, (int)fromOffset, result.Data, 0, n);
            result.Count = n;
            result.NextOffset = fromOffset + (ulong)n;
            return ErrorCode.Ok;
        }

        public override ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted)
        {
            accepted = 0;
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            Executed++;
            accepted = Math.Min(count, vm.InputCapacity - vm.Input.Count);
            for (int i = 0; i < accepted; i++)
            {
                vm.Input.Add(data[offset + i]);
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode GetMetrics(uint vmId, VmCounters counters)
        {
            var vm = Find(vmId);
            if (vm == null)
            {
                return Fail(ErrorCode.NotFound, "no such VM");
            }
            for (int i = 0; i < vm.Counters.Length; i++)
            {
                counters.Set((CounterId)i, vm.Counters[i]);
            }
            return ErrorCode.Ok;
        }
    }

    /// <summary>Collects what the server writes.</summary>
    public sealed class CaptureSink : ByteSink
    {
        public byte[] Data;
        public int Length;

        public CaptureSink(int capacity = 1 << 16)
        {
            Data = new byte[capacity];
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > Data.Length)
            {
                Length = 0; // tests that care drain it; the fuzz test just lets it wrap
            }
            Buffer.BlockCopy(buffer, offset, Data, Length, count);
            Length += count;
        }

        public byte[] Take()
        {
            var result = Data.AsSpan(0, Length).ToArray();
            Length = 0;
            return result;
        }
    }

    public sealed class CounterEntropy : EntropySource
    {
        private byte _next = 1;

        public override void Fill(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                buffer[offset + i] = _next++;
            }
        }
    }

    /// <summary>A decoded frame as the tests see it.</summary>
    public sealed class Frame
    {
        public byte Version;
        public int Opcode;
        public uint RequestId;
        public ulong Sequence;
        public byte[] Bytes; // decoded, without CRC
        public int BodyOffset;
        public ErrorCode Status => (ErrorCode)Bytes[BodyOffset];
    }

    /// <summary>
    /// A hand-driven client for server tests: builds frames byte by byte with a Session so tests can
    /// replay, reorder and tamper with them.
    /// </summary>
    public sealed class ServerHarness
    {
        public readonly byte[] Key;
        public readonly FakeHost Host = new FakeHost();
        public readonly CaptureSink Sink = new CaptureSink();
        public readonly ManagementServer Server;
        public readonly Session Session = new Session();
        private readonly FrameEncoder _encoder = new FrameEncoder();
        private uint _requestId;

        public ServerHarness(byte[] key = null, HostControl host = null)
        {
            Key = key ?? TestKeys.Key(1);
            Server = new ManagementServer(host ?? Host, Sink, new CounterEntropy(), Key);
        }

        public byte[] Encode(byte[] content)
        {
            int n = _encoder.Encode(content, 0, content.Length);
            return _encoder.Output.AsSpan(0, n).ToArray();
        }

        /// <summary>Handshakes with <paramref name="clientKey"/> (default: the right key); returns the response.</summary>
        public Frame Handshake(byte[] clientKey = null)
        {
            var nonce = new byte[16];
            Random.Shared.NextBytes(nonce);
            var buf = new byte[64];
            var w = new MessageWriter(buf);
            uint id = ++_requestId;
            FrameLayout.WriteHeader(w, (int)Wire.Opcode.Handshake, id, 0);
            w.WriteRaw(nonce, 0, 16);
            byte[] wire = Encode(buf.AsSpan(0, w.Length).ToArray());
            Server.Receive(wire, 0, wire.Length);
            var frames = Responses();
            Assert.Single(frames);
            var f = frames[0];
            if (f.Status == ErrorCode.Ok)
            {
                Session.SetHostKey(clientKey ?? Key, 0);
                Session.Start(nonce, 0, f.Bytes, f.BodyOffset + 2);
            }
            return f;
        }

        /// <summary>An authenticated request frame (wire bytes) with an explicit or the next sequence number.</summary>
        public byte[] Request(Wire.Opcode op, Action<MessageWriter> body, ulong? sequence = null, uint? requestId = null)
        {
            ulong seq = sequence ?? Session.LastSent + 1;
            if (seq > Session.LastSent)
            {
                Session.LastSent = seq;
            }
            var buf = new byte[ProtocolInfo.MaxContentBytes + 64];
            var w = new MessageWriter();
            w.Reset(buf, 0, ProtocolInfo.MaxContentBytes);
            FrameLayout.WriteHeader(w, (int)op, requestId ?? ++_requestId, seq);
            body?.Invoke(w);
            int content = w.Length;
            Session.ComputeMac(Hv.Crypto.Session.ClientToServer, seq, buf, 0, content, buf, content);
            return Encode(buf.AsSpan(0, content + 16).ToArray());
        }

        public List<Frame> Send(byte[] wire)
        {
            Server.Receive(wire, 0, wire.Length);
            return Responses();
        }

        public List<Frame> Responses()
        {
            return DecodeAll(Sink.Take());
        }

        public static List<Frame> DecodeAll(byte[] wire)
        {
            var decoder = new FrameDecoder();
            var list = new List<Frame>();
            foreach (byte b in wire)
            {
                if (decoder.Push(b) == FrameStatus.FrameReady)
                {
                    var bytes = decoder.Buffer.AsSpan(0, decoder.FrameLength).ToArray();
                    var r = new MessageReader(bytes, 0, bytes.Length);
                    Assert.True(FrameLayout.ReadHeader(r, out byte v, out int op, out uint id, out ulong seq));
                    list.Add(new Frame { Version = v, Opcode = op, RequestId = id, Sequence = seq, Bytes = bytes, BodyOffset = r.Position });
                }
            }
            return list;
        }

        /// <summary>Checks the server MAC of a response under the harness session and returns a reader on its body after the status.</summary>
        public MessageReader Verify(Frame f)
        {
            int content = f.Bytes.Length - 16;
            Assert.True(Session.CheckMac(Hv.Crypto.Session.ServerToClient, f.Sequence, f.Bytes, 0, content, f.Bytes, content), "server MAC");
            Assert.True(f.Sequence > Session.LastReceived, "server sequence increases");
            Session.LastReceived = f.Sequence;
            return new MessageReader(f.Bytes, f.BodyOffset + 1, content - f.BodyOffset - 1);
        }
    }

    public static class TestKeys
    {
        public static byte[] Key(int seed)
        {
            var key = new byte[32];
            new Random(seed).NextBytes(key);
            return key;
        }
    }

    /// <summary>
    /// Connects an HvClient to a ManagementServer in memory: Write feeds the server synchronously (under a
    /// lock, like one UART), the server's output queues for Read. Filters let tests drop or alter bytes.
    /// </summary>
    public sealed class LoopbackTransport : HvTransport
    {
        private readonly object _lock = new object();
        private readonly Queue<byte> _toClient = new Queue<byte>();
        private bool _open;

        public LoopbackTransport(ManagementServer server = null)
        {
            Server = server;
        }

        public ManagementServer Server { get; set; }

        /// <summary>Applied to each client write before the server sees it (return null to drop it).</summary>
        public Func<byte[], byte[]> ToServer { get; set; }

        /// <summary>Applied to each server write before the client sees it.</summary>
        public Func<byte[], byte[]> ToClient { get; set; }

        public int Opens;
        public long BytesToServer;
        public long BytesToClient;

        public override string Description => "loopback";
        public override bool IsOpen => _open;

        public override void Open()
        {
            lock (_lock)
            {
                _open = true;
                Opens++;
                _toClient.Clear();
            }
        }

        public override void Close()
        {
            lock (_lock)
            {
                _open = false;
            }
        }

        public void Deliver(byte[] buffer, int offset, int count)
        {
            var data = buffer.AsSpan(offset, count).ToArray();
            if (ToClient != null)
            {
                data = ToClient(data);
            }
            if (data == null)
            {
                return;
            }
            lock (_lock)
            {
                BytesToClient += data.Length;
                foreach (byte b in data)
                {
                    _toClient.Enqueue(b);
                }
                Monitor.PulseAll(_lock);
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (!_open)
            {
                throw new HvConnectionException("closed");
            }
            var data = buffer.AsSpan(offset, count).ToArray();
            if (ToServer != null)
            {
                data = ToServer(data);
            }
            if (data == null)
            {
                return;
            }
            lock (_lock)
            {
                BytesToServer += data.Length;
            }
            lock (Server)
            {
                Server.Receive(data, 0, data.Length);
            }
        }

        public override int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            lock (_lock)
            {
                if (_toClient.Count == 0)
                {
                    Monitor.Wait(_lock, timeoutMs);
                }
                int n = 0;
                while (n < count && _toClient.Count > 0)
                {
                    buffer[offset + n++] = _toClient.Dequeue();
                }
                return n;
            }
        }
    }

    /// <summary>A ByteSink that hands the server's output to a loopback transport.</summary>
    public sealed class LoopbackSink : ByteSink
    {
        public LoopbackTransport Transport;

        public override void Write(byte[] buffer, int offset, int count)
        {
            Transport.Deliver(buffer, offset, count);
        }
    }

    /// <summary>Host + server + loopback + connected client.</summary>
    public sealed class Loop : IDisposable
    {
        public readonly byte[] Key = TestKeys.Key(2);
        public readonly FakeHost Host = new FakeHost();
        public readonly LoopbackSink Sink = new LoopbackSink();
        public readonly ManagementServer Server;
        public readonly LoopbackTransport Transport;
        public HvClient Client;

        public Loop(bool connect = true)
        {
            Server = new ManagementServer(Host, Sink, new CounterEntropy(), Key);
            Transport = new LoopbackTransport(Server);
            Sink.Transport = Transport;
            if (connect)
            {
                Client = HvClient.Connect(Transport, Key, 2000);
            }
        }

        public void Dispose()
        {
            Client?.Dispose();
        }
    }
}
