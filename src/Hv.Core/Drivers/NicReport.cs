using Hv.Core.Drivers.Pci;
using Hv.Core.Net;
using Hv.Core.Text;

namespace Hv.Core.Drivers
{
    /// <summary>The log lines of network bring-up, one format for the image and the tests.</summary>
    public static class NicReport
    {
        /// <summary>"net: e1000 82540EM at 00:03.0 mac 52:54:00:12:34:56 link up".</summary>
        public static void WriteIdentity(TextSink log, HostNic nic, PciAddress address)
        {
            log.Write("net: ");
            log.Write(nic.Model);
            log.Write(" at ");
            address.WriteTo(log);
            log.Write(" mac ");
            WriteMac(log, nic.MacAddress);
            log.Write(nic.LinkUp ? " link up" : " link down");
            log.WriteLine();
        }

        /// <summary>"net: address 10.0.2.15/24 gateway 10.0.2.2 (dhcp)", or "net: no address" once it is lost.</summary>
        public static void WriteAddress(TextSink log, IpSettings ip)
        {
            if (!ip.IsConfigured)
            {
                log.WriteLine("net: no address");
                return;
            }
            log.Write("net: address ");
            WriteIpv4(log, ip.Address);
            log.Write("/");
            log.WriteDecimal((ulong)ip.PrefixLength);
            if (ip.Gateway != 0)
            {
                log.Write(" gateway ");
                WriteIpv4(log, ip.Gateway);
            }
            log.Write(ip.Source == IpSource.Dhcp ? " (dhcp)" : " (static)");
            log.WriteLine();
        }

        /// <summary>Six lower-case hex octets separated by colons, first octet first.</summary>
        public static void WriteMac(TextSink log, ulong mac)
        {
            for (int i = 0; i < 6; i++)
            {
                if (i > 0)
                {
                    log.Write(':');
                }
                int octet = (int)((mac >> (40 - 8 * i)) & 0xFF);
                log.Write(HexDigit(octet >> 4));
                log.Write(HexDigit(octet & 0xF));
            }
        }

        public static void WriteIpv4(TextSink log, uint address)
        {
            for (int i = 0; i < 4; i++)
            {
                if (i > 0)
                {
                    log.Write('.');
                }
                log.WriteDecimal((ulong)((address >> (24 - 8 * i)) & 0xFF));
            }
        }

        private static char HexDigit(int value)
        {
            return value < 10 ? (char)('0' + value) : (char)('a' + value - 10);
        }
    }
}
