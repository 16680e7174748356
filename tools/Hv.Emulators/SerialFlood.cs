using System;
using System.Text.RegularExpressions;
using Hv.Protocol.Client;

namespace Hv.Emulators
{
    /// <summary>
    /// A garbage flood on the management line followed by a legitimate client, measured in host time: the host logs
    /// each handshake with its TSC, the bytes it took since the previous one, and the TSC of the first of them
    /// ("mgmt: handshake N at tsc T after B bytes received since tsc F, the last refused frame at tsc R": the flood's
    /// last frame, refused as garbage). Bochs' TSC counts instructions at the
    /// configured 100 M per second, so T - F is host time however slowly the emulator runs.
    /// </summary>
    public sealed class SerialFlood
    {
        public const long TscPerSecond = 100_000_000;

        public long Bytes { get; private set; }
        public long FirstByteTsc { get; private set; }
        public long HandshakeTsc { get; private set; }
        public long LastRefusedTsc { get; private set; }

        /// <summary>Host time from the first flood byte to the client's handshake.</summary>
        public double Seconds => (double)(HandshakeTsc - FirstByteTsc) / TscPerSecond;

        /// <summary>Host time from the flood's end (its last frame refused) to the client's handshake.</summary>
        public double SecondsAfterFlood => (double)(HandshakeTsc - LastRefusedTsc) / TscPerSecond;

        /// <summary>What the host ingested, in KiB per second of host time.</summary>
        public double KibPerSecond => Bytes / 1024.0 / Seconds;

        /// <summary>
        /// Sends <paramref name="garbageBytes"/> of seeded random bytes (the last one a frame delimiter, as a client
        /// would start a fresh frame), then connects on the same line and asks for the host's information.
        /// </summary>
        public static SerialFlood Run(RunningHost host, int garbageBytes, int seed)
        {
            int handshakes = RunningHost.Occurrences(host.Log, "mgmt: handshake ");
            var garbage = new byte[garbageBytes];
            new Random(seed).NextBytes(garbage);
            garbage[garbage.Length - 1] = 0;
            using (HvClient client = host.Connect(transport: new GarbageFirst(host.Port, garbage)))
            {
                if (client.GetHostInfo().Version == null) throw new InvalidOperationException("no host information");
            }
            host.WaitForLog("mgmt: handshake ", handshakes + 1, TimeSpan.FromSeconds(60));
            MatchCollection lines = Regex.Matches(host.Log, @"mgmt: handshake \d+ at tsc (\d+) after (\d+) bytes received since tsc (\d+), the last refused frame at tsc (\d+)");
            Match last = lines[lines.Count - 1];
            return new SerialFlood
            {
                HandshakeTsc = long.Parse(last.Groups[1].Value),
                Bytes = long.Parse(last.Groups[2].Value),
                FirstByteTsc = long.Parse(last.Groups[3].Value),
                LastRefusedTsc = long.Parse(last.Groups[4].Value),
            };
        }

        // A TCP line that carries the garbage as soon as it opens, so the client's handshake queues right behind it.
        private sealed class GarbageFirst : HvTransport
        {
            private readonly TcpTransport _inner;
            private byte[] _garbage;

            public GarbageFirst(int port, byte[] garbage)
            {
                _inner = new TcpTransport("127.0.0.1", port, 10000);
                _garbage = garbage;
            }

            public override string Description => "garbage-first " + _inner.Description;
            public override bool IsOpen => _inner.IsOpen;
            public override void Close() => _inner.Close();
            public override int Read(byte[] buffer, int offset, int count, int timeoutMs) => _inner.Read(buffer, offset, count, timeoutMs);
            public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

            public override void Open()
            {
                _inner.Open();
                if (_garbage == null) return;
                _inner.Write(_garbage, 0, _garbage.Length);
                _garbage = null;
            }
        }
    }
}
