using System;
using Hv.Core.Text;

namespace Hv.Core.Net
{
    /// <summary>What a test connection asked for with its first byte.</summary>
    public enum TcpTestMode : byte
    {
        Undecided,
        Echo,
        Discard,
    }

    /// <summary>
    /// A tiny TCP service for end-to-end tests of the network path (hv.nettest): it proves a host can reach the image
    /// through the emulator's port forwarding and measures the throughput, before the management protocol runs over
    /// TCP. A connection's first byte picks the mode: 'e' echoes every later byte back; 'd' discards every later byte
    /// and, once the client has closed its side, answers with their count in decimal and a newline, then closes. Any
    /// other first byte resets the connection. Buffers are allocated once; serving allocates nothing.
    /// </summary>
    public sealed class TcpTestService
    {
        public const byte EchoCommand = (byte)'e';
        public const byte DiscardCommand = (byte)'d';
        private const int ChunkBytes = 2048;

        private readonly TcpListener _listener;
        private readonly TcpConnection[] _connections;
        private readonly TcpTestMode[] _modes;
        private readonly ulong[] _counts;
        private readonly byte[] _chunk = new byte[ChunkBytes];
        private readonly CharBufferSink _digits = new CharBufferSink(24);

        private TcpTestService(TcpListener listener, int connections)
        {
            _listener = listener;
            _connections = new TcpConnection[connections];
            _modes = new TcpTestMode[connections];
            _counts = new ulong[connections];
        }

        /// <summary>Connections that finished a discard run (their count was sent).</summary>
        public ulong DiscardsFinished { get; private set; }

        /// <summary>The byte count the last finished discard run reported.</summary>
        public ulong LastDiscardCount { get; private set; }

        /// <summary>Listens on port; null when the port or every listener is taken.</summary>
        public static TcpTestService Start(NetStack stack, ushort port, int connections)
        {
            TcpListener listener = stack.Tcp.Listen(port, connections);
            return listener == null ? null : new TcpTestService(listener, connections);
        }

        /// <summary>Accepts waiting connections and moves every open one along; call it from the host loop.</summary>
        public void Poll()
        {
            for (int i = 0; i < _connections.Length; i++)
            {
                if (_connections[i] == null)
                {
                    _connections[i] = _listener.Accept();
                    _modes[i] = TcpTestMode.Undecided;
                    _counts[i] = 0;
                }
                if (_connections[i] != null && Serve(i))
                {
                    _connections[i] = null;
                }
            }
        }

        // Returns true once the connection is given back to the stack.
        private bool Serve(int slot)
        {
            TcpConnection c = _connections[slot];
            if (c.State == TcpState.Closed)
            {
                c.Close();
                return true;
            }
            if (_modes[slot] == TcpTestMode.Undecided)
            {
                if (c.BytesAvailable == 0)
                {
                    return Finish(c);
                }
                c.Read(new Span<byte>(_chunk, 0, 1));
                _modes[slot] = _chunk[0] == EchoCommand ? TcpTestMode.Echo : _chunk[0] == DiscardCommand ? TcpTestMode.Discard : TcpTestMode.Undecided;
                if (_modes[slot] == TcpTestMode.Undecided)
                {
                    c.Abort();
                    return true;
                }
            }
            if (_modes[slot] == TcpTestMode.Echo)
            {
                int n = Math.Min(Math.Min(c.BytesAvailable, c.SendSpace), ChunkBytes);
                if (n > 0)
                {
                    c.Read(new Span<byte>(_chunk, 0, n));
                    c.Write(new ReadOnlySpan<byte>(_chunk, 0, n));
                }
                return c.BytesAvailable == 0 && Finish(c);
            }
            int read;
            while ((read = c.Read(_chunk)) > 0)
            {
                _counts[slot] += (ulong)read;
            }
            if (!c.IsReceiveFinished)
            {
                return false;
            }
            _digits.Clear();
            _digits.WriteDecimal(_counts[slot]);
            _digits.Write('\n');
            for (int i = 0; i < _digits.Length; i++)
            {
                _chunk[i] = (byte)_digits[i];
            }
            c.Write(new ReadOnlySpan<byte>(_chunk, 0, _digits.Length));
            LastDiscardCount = _counts[slot];
            DiscardsFinished++;
            c.Close();
            return true;
        }

        // Closes once the client has closed its side and everything it sent has been read.
        private static bool Finish(TcpConnection c)
        {
            if (!c.IsReceiveFinished)
            {
                return false;
            }
            c.Close();
            return true;
        }
    }
}
