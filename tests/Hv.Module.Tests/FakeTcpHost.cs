using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Hv.Protocol.Server;
using Hv.Protocol.Tests;

namespace Hv.Module.Tests
{
    /// <summary>
    /// The protocol tests' <see cref="FakeHost"/> (or any <see cref="HostControl"/>) behind a real
    /// <see cref="ManagementServer"/> on a 127.0.0.1 TCP port, one client at a time like InProcessHost: the cmdlets'
    /// transfer paths (progress, resume, move failures) against a host whose every step a test can script.
    /// </summary>
    public sealed class FakeTcpHost : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly ManagementServer _server;
        private readonly Thread _thread;
        private readonly Sink _sink = new Sink();
        private volatile bool _stopped;

        public FakeHost Host { get; }
        public HostControl Control { get; }
        public int Port { get; }
        public byte[] Key { get; } = TestKeys.Key(11);
        public string KeyText => Convert.ToHexString(Key);
        public int Connections;

        public FakeTcpHost(HostControl control = null)
        {
            Host = control as FakeHost ?? (control == null ? new FakeHost() : null);
            Control = control ?? Host;
            _server = new ManagementServer(Control, _sink, new CounterEntropy(), Key);
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _thread = new Thread(Serve) { IsBackground = true, Name = "hv-fake-tcp" };
            _thread.Start();
        }

        /// <summary>Runs <paramref name="action"/> on the host between requests.</summary>
        public T With<T>(Func<FakeHost, T> action)
        {
            lock (_server) return action(Host);
        }

        public void With(Action<FakeHost> action)
        {
            lock (_server) action(Host);
        }

        /// <summary>Cuts the current connection (call it from a host hook to drop the line mid-transfer).</summary>
        public void Drop()
        {
            _sink.Socket?.Dispose();
        }

        private void Serve()
        {
            var buffer = new byte[4096];
            while (!_stopped)
            {
                Socket client;
                try { client = _listener.AcceptSocket(); }
                catch (SocketException) { return; }
                catch (ObjectDisposedException) { return; }
                client.NoDelay = true;
                Interlocked.Increment(ref Connections);
                _sink.Socket = client;
                lock (_server) _server.ResetSession();
                try
                {
                    int n;
                    while ((n = client.Receive(buffer)) > 0)
                        lock (_server) _server.Receive(buffer, 0, n);
                }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
                client.Dispose();
            }
        }

        public void Dispose()
        {
            _stopped = true;
            _listener.Stop();
            _sink.Socket?.Dispose();
            _thread.Join(2000);
        }

        private sealed class Sink : ByteSink
        {
            public volatile Socket Socket;
            public override void Write(byte[] buffer, int offset, int count)
            {
                try { Socket?.Send(buffer, offset, count, SocketFlags.None); }
                catch (SocketException) { }
                catch (ObjectDisposedException) { }
            }
        }
    }
}
