using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Hv.Management;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Crypto;
using Hv.Protocol.Server;

namespace Hv.Testing
{
    /// <summary>
    /// An Hv host inside the test process: the real <see cref="Hypervisor"/>, exit dispatch, <see cref="HypervisorControl"/>
    /// and <see cref="ManagementServer"/>, served on a 127.0.0.1 TCP port; only the CPU is the <see cref="ScriptedProcessor"/>.
    /// Templates: hello (prints "hello from guest 1..5" with pauses, exits 0), spin (never stops), halt (stops at a HLT with IF=0),
    /// fail (exits with code 3).
    /// </summary>
    public sealed class InProcessHost : IDisposable
    {
        private readonly object _lock = new object();
        private readonly TcpListener _listener;
        private readonly ManagementServer _server;
        private readonly Hypervisor _hypervisor;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly Thread _network, _cpu;
        private readonly SocketSink _sink = new SocketSink();

        public int Port { get; }
        public byte[] Key { get; }
        public string KeyText => string.Concat(Array.ConvertAll(Key, b => b.ToString("x2")));
        public HeapPageSource Pages { get; }

        private InProcessHost(byte[] key, int maxVms)
        {
            Key = key;
            Pages = new HeapPageSource();
            var cpuid = new FixedCpuid();
            var sharing = new PageSharing(Pages, HeapPageSource.FirstAddress, HeapPageSource.FirstAddress + (1UL << 32));
            _hypervisor = new Hypervisor(Pages, sharing, new ScriptedProcessor(Pages), ExitDispatcher.CreateStandard(cpuid),
                                         new RandomEntropy(), maxVms, 16);
            // Like tests/guests/hello.asm: five lines with a pause between them, so a just-started VM is seen running.
            AddTemplate("hello", "say hello from guest 1\npause 40\nsay hello from guest 2\npause 40\nsay hello from guest 3\npause 40\n" +
                                 "say hello from guest 4\npause 40\nsay hello from guest 5\nexit 0");
            AddTemplate("spin", "say spinning\nspin");
            AddTemplate("halt", "say halting\nhlt");
            AddTemplate("fail", "say failing\nexit 3");
            var control = new HypervisorControl(_hypervisor, new TestPlatform(Pages), Pages, sharing);
            _server = new ManagementServer(control, _sink, new RandomEntropy(), key);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _network = new Thread(ServeConnections) { IsBackground = true, Name = "hv-inprocess-net" };
            _cpu = new Thread(RunGuests) { IsBackground = true, Name = "hv-inprocess-cpu" };
            _network.Start();
            _cpu.Start();
        }

        public static InProcessHost Start(byte[] key = null, int maxVms = 128)
        {
            if (key == null)
            {
                key = new byte[HostKey.Bytes];
                System.Security.Cryptography.RandomNumberGenerator.Fill(key);
            }
            return new InProcessHost(key, maxVms);
        }

        /// <summary>Runs <paramref name="action"/> on the hypervisor under the host's lock (for test set-up and checks).</summary>
        public T WithHypervisor<T>(Func<Hypervisor, T> action)
        {
            lock (_lock) return action(_hypervisor);
        }

        private void AddTemplate(string name, string program)
            => _hypervisor.AddTemplate(new Template(name, ScriptedProcessor.Program(program), GuestEntryMode.Real, Template.DefaultMemorySize, null));

        // One client at a time, like a serial line; a new connection replaces the old one.
        private void ServeConnections()
        {
            var buffer = new byte[4096];
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try { client = _listener.AcceptSocket(); }
                catch (SocketException) { return; }
                catch (ObjectDisposedException) { return; }
                client.NoDelay = true;
                _sink.Socket = client;
                lock (_lock) _server.ResetSession();
                try
                {
                    int n;
                    while ((n = client.Receive(buffer)) > 0)
                        lock (_lock) _server.Receive(buffer, 0, n);
                }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
                client.Dispose();
            }
        }

        private void RunGuests()
        {
            while (!_stop.IsCancellationRequested)
            {
                VirtualMachine ran;
                lock (_lock) ran = _hypervisor.RunNext(100000);
                if (ran == null) Thread.Sleep(1);
                else Thread.Yield();
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _sink.Socket?.Dispose();
            _network.Join(2000);
            _cpu.Join(2000);
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

        private sealed class RandomEntropy : EntropySource
        {
            public override void Fill(byte[] buffer, int offset, int count)
                => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer.AsSpan(offset, count));
        }

        private sealed class FixedCpuid : CpuidSource
        {
            public override CpuidResult Query(uint leaf, uint subleaf) => new CpuidResult(0, 0x756E6547, 0x6C65746E, 0x49656E69);
        }

        private sealed class TestPlatform : HostPlatform
        {
            private readonly HeapPageSource _pages;
            private readonly Stopwatch _clock = Stopwatch.StartNew();
            public TestPlatform(HeapPageSource pages) { _pages = pages; }
            public override string Version => "0.1.0-inprocess";
            public override ulong CpuFeatures => 0;
            public override string CpuFeatureNames => "scripted";
            public override ulong MemoryTotalBytes => (ulong)_pages.LimitPages * 4096;
            public override ulong MemoryFreeBytes() => (ulong)(_pages.LimitPages - _pages.Outstanding) * 4096;
            public override ulong UptimeMilliseconds() => (ulong)_clock.ElapsedMilliseconds;
            public override ulong TscTicksPerMillisecond => 1000; // the scripted backend's clock: 1000 ticks per exit
        }
    }
}
