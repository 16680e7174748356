using Hv.Core.Boot;
using Hv.Core.Drivers;
using Hv.Core.Drivers.Pci;
using Hv.Core.Memory;
using Hv.Core.Net;
using Hv.Core.Text;
using Hv.Kernel.Cpu;
using Hv.Kernel.Drivers.Pci;
using Hv.Kernel.Platform;
using Hv.Crypto;
using Hv.Management;

namespace Hv.Kernel.Drivers.Net
{
    // The host on the network: at boot, enumerate PCI, start the first supported NIC and the TCP/IP stack, take an
    // address (hv.ip=ADDR/PREFIX[,GATEWAY], else DHCP); then, from the host loop, poll the NIC and the stack's timers.
    // The management protocol is served on TCP port 47000 (the port tools/hv-boot --net-port forwards) in the secure
    // channel, several sessions at once; hv.nettest serves TcpTestService there instead.
    internal static class HostNetwork
    {
        public const ushort ManagementPort = (ushort)Hv.Protocol.Wire.ProtocolInfo.TcpPort;
        private const int MaxPciFunctions = 64;
        private const int ReceiveBudget = 64;
        private const int TestConnections = 4;
        private const int ManagementSessions = 4;
        private const uint WakeHz = 1000;

        private static HostNic s_nic;
        private static NetStack s_stack;
        private static TcpTestService s_test;
        private static ManagementService s_management;
        private static ulong s_reportedOpened, s_reportedRefused, s_reportedTimedOut;
        private static TextSink s_log;
        private static uint s_reportedAddress;
        private static IpSource s_reportedSource;
        private static ulong s_reportedDiscards;

        // adapter and key are null when management is closed (a malformed hv.key).
        public static void Start(CommandLine options, PageSource pages, ulong ticksPerMs, EntropySource entropy, TextSink log,
                                 HypervisorAdapter adapter, byte[] key)
        {
            var config = new PortConfigSpace();
            var bus = new PciScanner(config, MaxPciFunctions);
            bus.Scan();
            for (int i = 0; i < bus.Count; i++) LogFunction(log, bus[i]);
            PciAddress where;
            HostNic nic = NicProbe.StartFirst(config, bus, pages, log, out where);
            if (nic == null)
            {
                log.WriteLine("net: no supported NIC (e1000 82540EM or virtio-net)");
                return;
            }
            NicReport.WriteIdentity(log, nic, where);
            byte[] secret = new byte[32];
            entropy.Fill(secret, 0, secret.Length);
            var stack = new NetStack(nic, new NetConfig(), ticksPerMs, secret);
            stack.Poll(Native.hv_rdtsc());
            string staticAddress = options.Get("hv.ip");
            uint address, gateway;
            int prefix;
            if (staticAddress != null && IpSettings.TryParseStatic(staticAddress, out address, out prefix, out gateway))
            {
                stack.ConfigureStatic(address, prefix, gateway);
            }
            else
            {
                if (staticAddress != null) log.WriteLine("net: hv.ip is not ADDR/PREFIX[,GATEWAY]; asking DHCP");
                stack.StartDhcp();
            }
            if (options.Has("hv.nettest"))
            {
                s_test = TcpTestService.Start(stack, ManagementPort, TestConnections);
                log.Write("net: test service (echo, discard) on tcp port ");
                log.WriteDecimal((ulong)ManagementPort);
                log.WriteLine();
            }
            else if (adapter != null)
            {
                s_management = ManagementService.Start(stack, ManagementPort, ManagementSessions, entropy, key, adapter);
                log.Write("mgmt: listening on tcp port ");
                log.WriteDecimal((ulong)ManagementPort);
                log.WriteLine(" (secure channel)");
            }
            s_nic = nic;
            s_stack = stack;
            s_log = log;
            WakeTimer.Start(WakeHz);
        }

        // One round: the stack's clock and timers, received frames, the test service, and what changed for the log.
        public static void Poll()
        {
            if (s_nic == null) return;
            s_stack.Poll(Native.hv_rdtsc());
            s_nic.Poll(s_stack, ReceiveBudget);
            if (s_test != null) s_test.Poll();
            if (s_management != null) s_management.Poll();
            ReportChanges();
            LegacyPic.EndOfInterrupt(); // a tick that ended a guest's turn was acknowledged by the VM exit, not the stub
        }

        private static void ReportChanges()
        {
            IpSettings ip = s_stack.Ip;
            if (ip.Address != s_reportedAddress || ip.Source != s_reportedSource)
            {
                s_reportedAddress = ip.Address;
                s_reportedSource = ip.Source;
                NicReport.WriteAddress(s_log, ip);
            }
            if (s_management != null) ReportSessions();
            if (s_test != null && s_test.DiscardsFinished != s_reportedDiscards)
            {
                s_reportedDiscards = s_test.DiscardsFinished;
                s_log.Write("net: test service discarded ");
                s_log.WriteDecimal(s_test.LastDiscardCount);
                s_log.WriteLine(" bytes");
            }
        }

        // Resets first: a reset frees the slot a session opened in the same poll may have taken.
        private static void ReportSessions()
        {
            if (s_management.HandshakesTimedOut != s_reportedTimedOut)
            {
                s_reportedTimedOut = s_management.HandshakesTimedOut;
                s_log.Write("mgmt: tcp connections reset at the handshake deadline: ");
                s_log.WriteDecimal(s_reportedTimedOut);
                s_log.WriteLine();
            }
            if (s_management.SessionsRefused != s_reportedRefused)
            {
                s_reportedRefused = s_management.SessionsRefused;
                s_log.Write("mgmt: tcp sessions refused: ");
                s_log.WriteDecimal(s_reportedRefused);
                s_log.Write(" (last: secure channel status ");
                s_log.WriteDecimal((ulong)s_management.LastFailure);
                s_log.WriteLine(")");
            }
            if (s_management.SessionsOpened != s_reportedOpened)
            {
                s_reportedOpened = s_management.SessionsOpened;
                s_log.Write("mgmt: tcp sessions opened: ");
                s_log.WriteDecimal(s_reportedOpened);
                s_log.WriteLine();
            }
        }

        // "pci: 00:03.0 8086:100E class 02.00 bar0 mem 0x00000000FEB80000 128 KiB"
        private static void LogFunction(TextSink log, PciFunction f)
        {
            log.Write("pci: ");
            f.Address.WriteTo(log);
            log.Write(" ");
            log.WriteHexDigits(f.VendorId, 4);
            log.Write(":");
            log.WriteHexDigits(f.DeviceId, 4);
            log.Write(" class ");
            log.WriteHexDigits(f.Class, 2);
            log.Write(".");
            log.WriteHexDigits(f.Subclass, 2);
            for (int b = 0; b < f.Bars.Length; b++)
            {
                if (f.Bars[b].Kind == PciBarKind.None) continue;
                log.Write(" bar");
                log.WriteDecimal((ulong)b);
                log.Write(f.Bars[b].IsMemory ? " mem " : " io ");
                log.WriteHex(f.Bars[b].Address, f.Bars[b].IsMemory ? 8 : 4);
                log.Write(" ");
                log.WriteSize(f.Bars[b].Size);
            }
            log.WriteLine();
        }
    }
}
