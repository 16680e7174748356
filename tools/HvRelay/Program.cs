using System;
using System.Net;
using System.Threading;
using System.Net.Sockets;

// hv-relay LISTEN_PORT EMULATOR_PORT
// Connects to the emulator's serial socket (retrying until it listens) and holds that connection for the emulator's
// whole life; clients on 127.0.0.1:LISTEN_PORT are bridged to it one at a time: a client that connects while another
// is bridged waits (its bytes held) until that one leaves, so a new connection never cuts off a working session.
// Bytes the guest sends while no client is bridged are dropped, as on a serial line with nothing attached. Ends when
// the emulator closes.
if (args.Length != 2 || !int.TryParse(args[0], out int listenPort) || !int.TryParse(args[1], out int emulatorPort))
{
    Console.Error.WriteLine("usage: hv-relay LISTEN_PORT EMULATOR_PORT");
    return 2;
}

var listener = new TcpListener(IPAddress.Loopback, listenPort);
listener.Start();
Socket emulator = ConnectWithRetry(emulatorPort, TimeSpan.FromSeconds(60));
Socket? client = null;
object gate = new();
var lineFree = new SemaphoreSlim(1, 1);

var fromEmulator = new Thread(() =>
{
    var buffer = new byte[4096];
    try
    {
        int n;
        while ((n = emulator.Receive(buffer)) > 0)
        {
            Socket? c;
            lock (gate) c = client;
            try { c?.Send(buffer, 0, n, SocketFlags.None); } catch (SocketException) { } catch (ObjectDisposedException) { }
        }
    }
    catch (SocketException) { }
    Environment.Exit(0);
}) { IsBackground = true };
fromEmulator.Start();

for (;;)
{
    Socket accepted = listener.AcceptSocket();
    accepted.NoDelay = true;
    lineFree.Wait(); // queued behind the bridged client (later ones wait in the listen backlog)
    lock (gate) client = accepted;
    new Thread(() =>
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = accepted.Receive(buffer)) > 0) emulator.Send(buffer, 0, n, SocketFlags.None);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        lock (gate) client = null;
        accepted.Dispose();
        lineFree.Release();
    }) { IsBackground = true }.Start();
}

static Socket ConnectWithRetry(int port, TimeSpan limit)
{
    var deadline = DateTime.UtcNow + limit;
    for (;;)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            s.Connect(IPAddress.Loopback, port);
            return s;
        }
        catch (SocketException) when (DateTime.UtcNow < deadline)
        {
            s.Dispose();
            Thread.Sleep(50);
        }
    }
}
