using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Crypto;
using Hv.Management;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Testing
{
    /// <summary>
    /// An Hv host inside the test process: the real <see cref="Hypervisor"/>, exit dispatch, <see cref="HypervisorAdapter"/>
    /// and <see cref="ProtocolServer"/>; only the CPU is scripted (<see cref="ScriptedProcessor"/>). Two ways to run it:
    /// <see cref="Start"/> serves it on a 127.0.0.1 TCP port in the secure channel, several sessions at once, with a thread
    /// that runs the guests, as a real host's management port would;
    /// <see cref="InMemory"/> has no threads: a test feeds the server bytes and runs the guests itself, deterministically.
    /// Templates: hello (prints "hello from guest 1..5" with pauses, exits 0), spin (never stops), halt (stops at a HLT
    /// with IF=0), fail (exits with code 3); tests add their own with <see cref="AddTemplate"/>.
    /// </summary>
    public sealed class InProcessHost : IDisposable
    {
        private readonly object _lock = new object();
        private readonly Hypervisor _hypervisor;
        private readonly ScriptedProcessor _processor;
        private readonly HypervisorAdapter _adapter;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private TcpListener _listener;
        private Thread _network, _cpu;
        private readonly SocketSink _socket = new SocketSink();
        private readonly System.Collections.Generic.Dictionary<Opcode, RequestHandler> _handlers = new();  // the real ones, before Intercept

        public int Port { get; private set; }
        public byte[] Key { get; }
        public string KeyText => Convert.ToHexString(Key).ToLowerInvariant();
        public HeapPageSource Pages { get; }
        public ProtocolServer Server { get; }

        private InProcessHost(byte[] key, int maxVms, ByteSink sink)
        {
            Key = key ?? NewKey();
            Pages = new HeapPageSource();
            _processor = new ScriptedProcessor(Pages);
            var sharing = new PageSharing(Pages, HeapPageSource.FirstAddress, HeapPageSource.FirstAddress + (1UL << 32));
            _hypervisor = new Hypervisor(Pages, sharing, _processor, ExitDispatcher.CreateStandard(new FixedCpuid()),
                                         new SystemEntropy(), maxVms, 16);
            // Like guests/hello.asm: five lines with a pause between them, so a just-started VM is seen running.
            AddTemplate("hello", "say hello from guest 1\npause 40\nsay hello from guest 2\npause 40\nsay hello from guest 3\npause 40\n" +
                                 "say hello from guest 4\npause 40\nsay hello from guest 5\nexit 0");
            AddTemplate("spin", "say spinning\nspin");
            AddTemplate("halt", "say halting\nhlt");
            AddTemplate("fail", "say failing\nexit 3");
            Server = new ProtocolServer(sink ?? _socket, new SystemEntropy(), Key);
            _adapter = new HypervisorAdapter(_hypervisor, new ScriptedHostFacts(Pages, _processor), Pages);
            _adapter.RegisterWith(Server);
        }

        /// <summary>A host served over TCP on 127.0.0.1 (<see cref="Port"/>), its guests run by a thread of their own.</summary>
        public static InProcessHost Start(byte[] key = null, int maxVms = 128)
        {
            var host = new InProcessHost(key, maxVms, null);
            host._listener = new TcpListener(IPAddress.Loopback, 0);
            host._listener.Start();
            host.Port = ((IPEndPoint)host._listener.LocalEndpoint).Port;
            host._network = new Thread(host.ServeConnections) { IsBackground = true, Name = "hv-inprocess-net" };
            host._cpu = new Thread(host.RunGuestsForever) { IsBackground = true, Name = "hv-inprocess-cpu" };
            host._network.Start();
            host._cpu.Start();
            return host;
        }

        /// <summary>
        /// A host without threads: the server's frames go to <paramref name="sink"/>, a test feeds it with
        /// <see cref="ProtocolServer.Receive(byte[], int, int)"/> and runs the guests with <see cref="RunGuests"/>.
        /// </summary>
        public static InProcessHost InMemory(ByteSink sink, byte[] key = null, int maxVms = 128)
            => new InProcessHost(key, maxVms, sink);

        /// <summary>Runs <paramref name="action"/> on the hypervisor under the host's lock (for test set-up and checks).</summary>
        public T WithHypervisor<T>(Func<Hypervisor, T> action)
        {
            lock (_lock) return action(_hypervisor);
        }

        public void WithHypervisor(Action<Hypervisor> action)
        {
            lock (_lock) action(_hypervisor);
        }

        /// <summary>The live VM of that name (read it under <see cref="WithHypervisor{T}"/> while the host runs guests).</summary>
        public VirtualMachine Vm(string name) => WithHypervisor(hv => hv.FindByName(name));

        /// <summary>A VM made on the hypervisor directly (test set-up, not through the protocol), moved to <paramref name="state"/>.</summary>
        public uint AddVm(string name, string template = "spin", VmState state = VmState.Created)
        {
            return WithHypervisor(hv =>
            {
                if (hv.Create(template, name, 0, out VirtualMachine vm) != HypervisorStatus.Ok) throw new InvalidOperationException("VM " + name + " refused");
                if (state == VmState.Running || state == VmState.Paused) hv.Start(vm.Id);
                if (state == VmState.Paused) hv.Pause(vm.Id);
                if (state == VmState.Stopped) hv.Stop(vm.Id, StopCause.Requested);
                return vm.Id;
            });
        }

        /// <summary>The VM's state now (Removed when there is no such VM).</summary>
        public VmState StateOf(uint id) => WithHypervisor(hv => hv.Find(id)?.State ?? VmState.Removed);

        /// <summary>A template whose guest runs <paramref name="program"/> (see <see cref="ScriptedVcpu"/>); primed first when asked.</summary>
        public void AddTemplate(string name, string program, ulong memorySize = Template.DefaultMemorySize, bool prime = false)
        {
            WithHypervisor(hv =>
            {
                var template = new Template(name, ScriptedProcessor.Program(program), GuestEntryMode.Real, memorySize, null, prime);
                if (hv.AddTemplate(template) != HypervisorStatus.Ok) throw new InvalidOperationException("template " + name + " refused");
                if (prime && hv.Prime(name, 1_000_000_000) != HypervisorStatus.Ok) throw new InvalidOperationException("template " + name + " not primed");
            });
        }

        /// <summary>
        /// A linux template (a synthetic bzImage: its VMs are PCs with PCI devices, to be made, paused, copied and stopped,
        /// never run), with a network adapter in every VM when <paramref name="networkAdapter"/> (manifest nic=1).
        /// </summary>
        public void AddLinuxTemplate(string name, bool networkAdapter)
        {
            WithHypervisor(hv =>
            {
                var template = new Template(name, new Hv.Core.Tests.Linux.SyntheticBzImage().Build(), GuestEntryMode.Linux, 32UL << 20, null,
                                            networkAdapter: networkAdapter);
                if (hv.AddTemplate(template) != HypervisorStatus.Ok) throw new InvalidOperationException("template " + name + " refused");
            });
        }

        /// <summary>Gives runnable VMs time slices until none can run or <paramref name="maxSlices"/> ran; returns how many ran.</summary>
        public int RunGuests(int maxSlices = 100_000)
        {
            int slices = 0;
            while (slices < maxSlices && WithHypervisor(hv => hv.RunNext(100_000)) != null) slices++;
            return slices;
        }

        /// <summary>Moves the host's clock (its uptime and the guests' TSC) on by <paramref name="milliseconds"/>.</summary>
        public void AdvanceClock(ulong milliseconds) => _processor.Advance(milliseconds * ScriptedProcessor.TicksPerMillisecond);

        /// <summary>Guest memory of a VM, read as its address space holds it now.</summary>
        public byte[] ReadGuestMemory(string vmName, ulong gpa, int count)
        {
            var bytes = new byte[count];
            WithHypervisor(hv =>
            {
                if (!hv.FindByName(vmName).Memory.Read(gpa, bytes)) throw new ArgumentOutOfRangeException(nameof(gpa));
            });
            return bytes;
        }

        /// <summary>Writes guest memory of a VM as its guest would (copy-on-write: what it shares stays as it was).</summary>
        public void WriteGuestMemory(string vmName, ulong gpa, byte[] bytes)
        {
            WithHypervisor(hv =>
            {
                if (!hv.FindByName(vmName).Memory.Write(gpa, bytes)) throw new ArgumentOutOfRangeException(nameof(gpa));
            });
        }

        /// <summary>
        /// Runs <paramref name="hook"/> on each request with <paramref name="opcode"/> before the real handler (which it
        /// reads from a copy of the request, so it may parse it or change its bytes): a reply it returns is the answer
        /// instead of the handler's (a host that fails on purpose); null lets the handler carry the request out. A later
        /// call replaces the hook; a null hook removes it.
        /// </summary>
        public void Intercept(Opcode opcode, Func<MessageReader, Reply?> hook)
        {
            lock (_lock)
            {
                if (!_handlers.ContainsKey(opcode)) _handlers[opcode] = Server.Handler(opcode);
                Server.Register(opcode, hook == null ? _handlers[opcode] : new InterceptingHandler(_handlers[opcode], hook));
            }
        }

        /// <summary>The host forgets how to carry out these requests (an older or smaller host): they are Unsupported.</summary>
        public void Unregister(params Opcode[] opcodes)
        {
            lock (_lock)
                foreach (Opcode op in opcodes) Server.Register(op, null);
        }

        /// <summary>Cuts the current connection (from a hook, to drop the line in the middle of a transfer).</summary>
        public void Drop() => _socket.Socket?.Dispose();

        // Like the image's TCP management port: every connection is a secure-channel session of its own (its own
        // handshake, keys and protocol session) on a thread of its own, all serving the handlers registered with Server.
        private void ServeConnections()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try { client = _listener.AcceptSocket(); }
                catch (SocketException) { return; }
                catch (ObjectDisposedException) { return; }
                client.NoDelay = true;
                new Thread(() => ServeSession(client)) { IsBackground = true, Name = "hv-inprocess-session" }.Start();
            }
        }

        private void ServeSession(Socket client)
        {
            var session = new SecureStreamSession(new SystemEntropy(), Key);
            for (int op = (int)Opcode.Handshake + 1; op < ProtocolServer.OpcodeCount; op++)
                session.Server.Register((Opcode)op, new CurrentHandler(Server, (Opcode)op));
            session.Reset();
            try
            {
                while (session.State != SecureStreamState.Failed)
                {
                    lock (_lock)
                    {
                        _socket.Socket = client; // Drop() from a hook cuts this connection
                        while (session.OutputPending > 0)
                        {
                            int sent = client.Send(session.OutputBuffer, session.OutputStart, session.OutputPending, SocketFlags.None);
                            session.OutputSent(sent);
                        }
                    }
                    if (session.State == SecureStreamState.Closed) break;
                    int room = session.InputRoom;
                    if (room == 0) break;
                    int n = client.Receive(session.InputBuffer, session.InputEnd, room, SocketFlags.None);
                    if (n == 0) break;
                    lock (_lock)
                    {
                        _socket.Socket = client;
                        session.InputArrived(n);
                    }
                }
            }
            catch (SocketException) { }
            catch (ObjectDisposedException) { }
            client.Dispose();
        }

        private void RunGuestsForever()
        {
            while (!_stop.IsCancellationRequested)
            {
                VirtualMachine ran;
                bool preparing;
                // Like the kernel's host loop: a step of any export being prepared, then a guest's slice.
                lock (_lock)
                {
                    preparing = _adapter.AdvanceExports();
                    ran = _hypervisor.RunNext(100_000);
                }
                if (ran == null && !preparing) Thread.Sleep(1);
                else Thread.Yield();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener?.Stop();
            _socket.Socket?.Dispose();
            _network?.Join(2000);
            _cpu?.Join(2000);
        }

        private static byte[] NewKey()
        {
            var key = new byte[HostKey.Bytes];
            System.Security.Cryptography.RandomNumberGenerator.Fill(key);
            return key;
        }

        private sealed class InterceptingHandler : RequestHandler
        {
            private readonly RequestHandler _inner;
            private readonly Func<MessageReader, Reply?> _hook;

            public InterceptingHandler(RequestHandler inner, Func<MessageReader, Reply?> hook)
            {
                _inner = inner;
                _hook = hook;
            }

            public override Reply Handle(MessageReader request, MessageWriter response)
            {
                var copy = new MessageReader(request.Buffer, request.Position, request.Remaining);
                Reply? instead = _hook(copy);
                if (instead.HasValue) return instead.Value;
                return _inner != null ? _inner.Handle(request, response) : new Reply(ErrorCode.Unsupported, "this host does not support that request");
            }
        }

        // A session's handler for one opcode: whatever Server has registered for it at the time of the request, so
        // Intercept and Unregister reach every session.
        private sealed class CurrentHandler : RequestHandler
        {
            private readonly ProtocolServer _server;
            private readonly Opcode _opcode;

            public CurrentHandler(ProtocolServer server, Opcode opcode)
            {
                _server = server;
                _opcode = opcode;
            }

            public override Reply Handle(MessageReader request, MessageWriter response)
            {
                RequestHandler current = _server.Handler(_opcode);
                return current != null ? current.Handle(request, response) : new Reply(ErrorCode.Unsupported, "this host does not support that request");
            }
        }

        private sealed class SocketSink : ByteSink
        {
            public volatile Socket Socket;
            public override void Write(byte[] buffer, int offset, int count)
            {
                try { Socket?.Send(buffer, offset, count, SocketFlags.None); }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
            }
        }

        private sealed class SystemEntropy : EntropySource
        {
            public override void Fill(byte[] buffer, int offset, int count)
                => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));
        }

        private sealed class FixedCpuid : CpuidSource
        {
            public override CpuidResult Query(uint leaf, uint subleaf) => new CpuidResult(0, 0x756E6547, 0x6C65746E, 0x49656E69);
        }

        /// <summary>The scripted host's facts: its time is the scripted processor's clock.</summary>
        private sealed class ScriptedHostFacts : HostFacts
        {
            private readonly HeapPageSource _pages;
            private readonly ScriptedProcessor _processor;
            public ScriptedHostFacts(HeapPageSource pages, ScriptedProcessor processor) { _pages = pages; _processor = processor; }
            public override string Version => "0.1.0-inprocess";
            public override ulong CpuFeatures => 0;
            public override string CpuFeatureNames => "scripted";
            public override ulong MemoryTotalBytes => (ulong)_pages.LimitPages * 4096;
            public override ulong MemoryFreeBytes() => (ulong)(_pages.LimitPages - _pages.Outstanding) * 4096;
            public override ulong UptimeMilliseconds() => _processor.Now() / ScriptedProcessor.TicksPerMillisecond;
            public override ulong TscTicksPerMillisecond => ScriptedProcessor.TicksPerMillisecond;
        }
    }
}
