namespace Hv.Core.Net
{
    /// <summary>
    /// A listening port (passive open). Connections that finish their handshake wait here, at most Backlog of
    /// them, until <see cref="Accept"/> hands them to the application.
    /// </summary>
    public sealed class TcpListener
    {
        private readonly TcpLayer _tcp;
        private readonly TcpConnection[] _ready;
        private int _backlog;
        private int _count;

        internal bool Active;
        internal ushort ListenPort;

        internal TcpListener(TcpLayer tcp, int maxBacklog)
        {
            _tcp = tcp;
            _ready = new TcpConnection[maxBacklog];
        }

        public ushort Port { get { return ListenPort; } }

        /// <summary>Established connections waiting for Accept.</summary>
        public int Pending { get { return _count; } }

        public int Backlog { get { return _backlog; } }

        internal void Open(ushort port, int backlog)
        {
            ListenPort = port;
            _backlog = backlog < 1 ? 1 : backlog > _ready.Length ? _ready.Length : backlog;
            _count = 0;
            Active = true;
        }

        /// <summary>The oldest established connection, now the application's; null if none is waiting.</summary>
        public TcpConnection Accept()
        {
            if (_count == 0)
            {
                return null;
            }
            TcpConnection connection = _ready[0];
            Remove(connection);
            connection.Listener = null;
            connection.GiveToApplication();
            _tcp.Counters.Count(NetStat.TcpAccepted);
            return connection;
        }

        /// <summary>Stops listening; connections not yet accepted are reset.</summary>
        public void Close()
        {
            if (!Active)
            {
                return;
            }
            Active = false;
            _tcp.AbortListenerConnections(this);
            _count = 0;
        }

        internal bool IsFull { get { return _count >= _backlog; } }

        internal void Enqueue(TcpConnection connection)
        {
            _ready[_count++] = connection;
            connection.Queued = true;
        }

        internal void Remove(TcpConnection connection)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_ready[i] == connection)
                {
                    for (int k = i + 1; k < _count; k++)
                    {
                        _ready[k - 1] = _ready[k];
                    }
                    _count--;
                    _ready[_count] = null;
                    connection.Queued = false;
                    return;
                }
            }
        }
    }
}
