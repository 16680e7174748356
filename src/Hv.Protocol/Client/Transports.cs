using System;
using System.IO;
using System.IO.Ports;
using System.Net.Sockets;

namespace Hv.Protocol.Client
{
    /// <summary>
    /// A byte stream to the host. <see cref="Open"/> (re)connects, <see cref="Close"/> disconnects; the client
    /// reconnects by Close + Open + a new handshake. Implementations raise <see cref="HvConnectionException"/>
    /// for every failure.
    /// </summary>
    public abstract class HvTransport : IDisposable
    {
        /// <summary>Where it goes, for messages: "tcp://host:port", "serial:COM3@115200".</summary>
        public abstract string Description { get; }

        public abstract bool IsOpen { get; }

        /// <summary>
        /// True when the transport itself authenticates, encrypts and orders every byte (the secure channel): the
        /// protocol's frames then carry no MAC of their own (PROTOCOL.md, "Channels").
        /// </summary>
        public virtual bool AuthenticatesFrames => false;

        public abstract void Open();

        public abstract void Close();

        /// <summary>Writes all the bytes.</summary>
        public abstract void Write(byte[] buffer, int offset, int count);

        /// <summary>
        /// Waits up to <paramref name="timeoutMs"/> for bytes; returns how many were read (≥ 1), or 0 if none
        /// arrived in time. A closed connection raises <see cref="HvConnectionException"/>.
        /// </summary>
        public abstract int Read(byte[] buffer, int offset, int count, int timeoutMs);

        public void Dispose()
        {
            Close();
        }

        public override string ToString() => Description;
    }

    /// <summary>TCP: the host's management NIC, or an emulator's COM1 exposed as a TCP socket.</summary>
    public sealed class TcpTransport : HvTransport
    {
        private readonly string _host;
        private readonly int _port;
        private readonly int _connectTimeoutMs;
        private Socket _socket;

        public TcpTransport(string host, int port, int connectTimeoutMs = 5000)
        {
            if (string.IsNullOrEmpty(host))
            {
                throw new ArgumentNullException(nameof(host));
            }
            if (port <= 0 || port > 65535)
            {
                throw new ArgumentOutOfRangeException(nameof(port));
            }
            _host = host;
            _port = port;
            _connectTimeoutMs = connectTimeoutMs <= 0 ? 5000 : connectTimeoutMs;
        }

        public string Host => _host;
        public int Port => _port;

        public override string Description => "tcp://" + _host + ":" + _port;

        public override bool IsOpen => _socket != null;

        public override void Open()
        {
            Close();
            Socket socket = null;
            try
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.NoDelay = true;
                IAsyncResult pending = socket.BeginConnect(_host, _port, null, null);
                if (!pending.AsyncWaitHandle.WaitOne(_connectTimeoutMs))
                {
                    socket.Close();
                    throw new HvConnectionException("Could not connect to " + Description + " within " + _connectTimeoutMs + " ms.", true);
                }
                socket.EndConnect(pending);
                _socket = socket;
            }
            catch (SocketException e)
            {
                socket?.Close();
                throw new HvConnectionException("Could not connect to " + Description + ": " + e.Message, false, e);
            }
            catch (ObjectDisposedException e)
            {
                throw new HvConnectionException("Could not connect to " + Description + ": " + e.Message, false, e);
            }
        }

        public override void Close()
        {
            Socket socket = _socket;
            _socket = null;
            if (socket != null)
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
                socket.Close();
            }
        }

        private Socket Live()
        {
            Socket socket = _socket;
            if (socket == null)
            {
                throw new HvConnectionException("Not connected to " + Description + ".");
            }
            return socket;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Socket socket = Live();
            try
            {
                while (count > 0)
                {
                    int n = socket.Send(buffer, offset, count, SocketFlags.None);
                    offset += n;
                    count -= n;
                }
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
                Close();
                throw new HvConnectionException("Lost the connection to " + Description + ": " + e.Message, false, e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            Socket socket = Live();
            try
            {
                int micro = timeoutMs <= 0 ? 0 : (timeoutMs >= int.MaxValue / 1000 ? int.MaxValue : timeoutMs * 1000);
                if (!socket.Poll(micro, SelectMode.SelectRead))
                {
                    return 0;
                }
                int n = socket.Receive(buffer, offset, count, SocketFlags.None);
                if (n == 0)
                {
                    Close();
                    throw new HvConnectionException("The host closed the connection " + Description + ".");
                }
                return n;
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
                Close();
                throw new HvConnectionException("Lost the connection to " + Description + ": " + e.Message, false, e);
            }
        }
    }

    /// <summary>A real serial port (8N1, no flow control) via System.IO.Ports.</summary>
    public sealed class SerialTransport : HvTransport
    {
        private readonly string _portName;
        private readonly int _baud;
        private SerialPort _port;

        public SerialTransport(string portName, int baud = 115200)
        {
            if (string.IsNullOrEmpty(portName))
            {
                throw new ArgumentNullException(nameof(portName));
            }
            _portName = portName;
            _baud = baud <= 0 ? 115200 : baud;
        }

        public string PortName => _portName;
        public int Baud => _baud;

        public override string Description => "serial:" + _portName + "@" + _baud;

        public override bool IsOpen => _port != null;

        public override void Open()
        {
            Close();
            SerialPort port = null;
            try
            {
                port = new SerialPort(_portName, _baud, Parity.None, 8, StopBits.One);
                port.Handshake = System.IO.Ports.Handshake.None;
                port.ReadTimeout = 1000;
                port.WriteTimeout = 10000;
                port.Open();
                port.DiscardInBuffer();
                _port = port;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException
                || e is InvalidOperationException || e is PlatformNotSupportedException)
            {
                port?.Dispose();
                throw new HvConnectionException("Could not open " + Description + ": " + e.Message, false, e);
            }
        }

        public override void Close()
        {
            SerialPort port = _port;
            _port = null;
            if (port != null)
            {
                try
                {
                    port.Close();
                }
                catch (IOException)
                {
                }
                port.Dispose();
            }
        }

        private SerialPort Live()
        {
            SerialPort port = _port;
            if (port == null)
            {
                throw new HvConnectionException("Serial port " + Description + " is not open.");
            }
            return port;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            SerialPort port = Live();
            try
            {
                port.Write(buffer, offset, count);
            }
            catch (TimeoutException e)
            {
                throw new HvConnectionException("Writing to " + Description + " timed out.", true, e);
            }
            catch (Exception e) when (e is IOException || e is InvalidOperationException || e is UnauthorizedAccessException)
            {
                Close();
                throw new HvConnectionException("Lost " + Description + ": " + e.Message, false, e);
            }
        }

        public override int Read(byte[] buffer, int offset, int count, int timeoutMs)
        {
            SerialPort port = Live();
            try
            {
                port.ReadTimeout = timeoutMs <= 0 ? 1 : timeoutMs;
                return port.Read(buffer, offset, count);
            }
            catch (TimeoutException)
            {
                return 0;
            }
            catch (Exception e) when (e is IOException || e is InvalidOperationException || e is UnauthorizedAccessException)
            {
                Close();
                throw new HvConnectionException("Lost " + Description + ": " + e.Message, false, e);
            }
        }
    }
}
