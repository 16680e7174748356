using System;
using System.Collections.Generic;
using System.Threading;
using Hv.Crypto;
using Hv.Protocol.Client;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
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
    /// A hand-driven client for server tests against an in-memory host (the real hypervisor, adapter and server): builds
    /// frames byte by byte with a Session so tests can replay, reorder and tamper with them.
    /// </summary>
    public sealed class ServerHarness
    {
        public readonly byte[] Key;
        public readonly CaptureSink Sink = new CaptureSink();
        public readonly InProcessHost Host;
        public readonly ProtocolServer Server;
        public readonly Session Session = new Session();
        private readonly FrameEncoder _encoder = new FrameEncoder();
        private uint _requestId;

        public ServerHarness(byte[] key = null, int maxVms = 128)
        {
            Key = key ?? TestKeys.Key(1);
            Host = InProcessHost.InMemory(Sink, Key, maxVms);
            Server = Host.Server;
        }

        /// <summary>A VM made on the host directly (not through the protocol), from the spin template, in the given state.</summary>
        public uint AddVm(string name, VmState state = VmState.Created) => Host.AddVm(name, "spin", state);

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

        /// <summary>BeginExport of a paused VM, then GetExport until the host has prepared the image: (export id, total bytes).</summary>
        public (uint Id, ulong Total) ExportReady(uint vm)
        {
            MessageReader begin = Verify(Assert.Single(Send(Request(Wire.Opcode.BeginExport, w => w.WriteVarUInt(vm)))));
            ulong total = 0;
            Assert.True(begin.ReadVarUInt32(out uint id) && begin.ReadVarUInt(out total));
            while (total == 0)
            {
                MessageReader status = Verify(Assert.Single(Send(Request(Wire.Opcode.GetExport, w => w.WriteVarUInt(id)))));
                Assert.True(status.ReadVarUInt(out total));
            }
            return (id, total);
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
    /// Connects an HvClient to a ProtocolServer in memory: Write feeds the server synchronously (under a
    /// lock, like one UART), the server's output queues for Read. Filters let tests drop or alter bytes.
    /// </summary>
    public sealed class LoopbackTransport : HvTransport
    {
        private readonly object _lock = new object();
        private readonly Queue<byte> _toClient = new Queue<byte>();
        private bool _open;

        public LoopbackTransport(ProtocolServer server = null)
        {
            Server = server;
        }

        public ProtocolServer Server { get; set; }

        /// <summary>Applied to each client write before the server sees it (return null to drop it).</summary>
        public Func<byte[], byte[]> ToServer { get; set; }

        /// <summary>Applied to each server write before the client sees it.</summary>
        public Func<byte[], byte[]> ToClient { get; set; }

        public int Opens;
        public long BytesToServer;
        public long BytesToClient;

        /// <summary>Bytes the server has answered that the client has not read yet.</summary>
        public int Unread { get { lock (_lock) return _toClient.Count; } }

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

    /// <summary>An in-memory host (the real hypervisor, adapter and server) + loopback + connected client.</summary>
    public sealed class Loop : IDisposable
    {
        public readonly byte[] Key = TestKeys.Key(2);
        public readonly LoopbackSink Sink = new LoopbackSink();
        public readonly InProcessHost Host;
        public readonly ProtocolServer Server;
        public readonly LoopbackTransport Transport;
        public HvClient Client;

        public Loop(bool connect = true, int maxVms = 128)
        {
            Host = InProcessHost.InMemory(Sink, Key, maxVms);
            Server = Host.Server;
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
