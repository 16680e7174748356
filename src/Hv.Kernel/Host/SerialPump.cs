using Hv.Core.Text;
using Hv.Kernel.Cpu;
using Hv.Kernel.Drivers;
using Hv.Kernel.Platform;
using Hv.Crypto;
using Hv.Management;
using Hv.Protocol.Server;

namespace Hv.Kernel.Host
{
    // The management channel on COM1: pumps the bytes that arrive into the protocol server, and its frames back out.
    internal sealed class SerialPump : ByteSink
    {
        private const int MaxBytesPerPoll = 512;
        private readonly SerialPort _port;
        private readonly ProtocolServer _server;
        private long _reportedAuthFailures, _reportedBadFrames, _reportedHandshakes;
        // Bytes taken since the last handshake, and the TSC of the first of them: how fast the line was ingested before
        // a client got through (a flood ahead of it included) is on the log, in host time.
        private ulong _bytesSinceSession, _firstByteTsc;
        // When the last refused frame ended: a flood's end, so the log shows how soon the client behind it got in.
        private long _refusedFrames;
        private ulong _lastRefusedTsc;

        private SerialPump(SerialPort port, HypervisorAdapter adapter, EntropySource entropy, byte[] key)
        {
            _port = port;
            _server = new ProtocolServer(this, entropy, key);
            adapter.RegisterWith(_server);
        }

        public static SerialPump Start(HypervisorAdapter adapter, EntropySource entropy, byte[] key, TextSink log)
        {
            LegacyPic.Initialize(LegacyPic.Com1Irq);
            var link = new SerialPump(new SerialPort(SerialPort.Com1, interruptOnReceive: true), adapter, entropy, key);
            log.WriteLine("mgmt: listening on COM1 (115200 8N1)");
            return link;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++) _port.Write(buffer[offset + i]);
        }

        // Empties the FIFO (bounded, so a flood cannot keep guests from running) and answers what came. Returns how many
        // bytes came in.
        public int Poll(TextSink log)
        {
            int received = 0;
            for (; received < MaxBytesPerPoll; received++)
            {
                int b = _port.TryRead();
                if (b < 0) break;
                if (_bytesSinceSession++ == 0) _firstByteTsc = Native.hv_rdtsc();
                _server.Receive((byte)b);
                if (_server.AuthFailures + _server.BadFrames != _refusedFrames)
                {
                    _refusedFrames = _server.AuthFailures + _server.BadFrames;
                    _lastRefusedTsc = Native.hv_rdtsc();
                }
            }
            LegacyPic.EndOfInterrupt();
            if (_server.Handshakes != _reportedHandshakes) ReportHandshake(log);
            if (_server.AuthFailures != _reportedAuthFailures || _server.BadFrames != _reportedBadFrames)
            {
                _reportedAuthFailures = _server.AuthFailures;
                _reportedBadFrames = _server.BadFrames;
                log.Write("mgmt: refused frames: ");
                log.WriteDecimal((ulong)_reportedAuthFailures);
                log.Write(" failed authentication, ");
                log.WriteDecimal((ulong)_reportedBadFrames);
                log.WriteLine(" malformed");
            }
            return received;
        }

        private void ReportHandshake(TextSink log)
        {
            _reportedHandshakes = _server.Handshakes;
            log.Write("mgmt: handshake ");
            log.WriteDecimal((ulong)_reportedHandshakes);
            log.Write(" at tsc ");
            log.WriteDecimal(Native.hv_rdtsc());
            log.Write(" after ");
            log.WriteDecimal(_bytesSinceSession);
            log.Write(" bytes received since tsc ");
            log.WriteDecimal(_firstByteTsc);
            log.Write(", the last refused frame at tsc ");
            log.WriteDecimal(_lastRefusedTsc);
            log.WriteLine();
            _bytesSinceSession = 0;
        }
    }
}
