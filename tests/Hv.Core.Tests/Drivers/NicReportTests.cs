using Hv.Core.Drivers;
using Hv.Core.Drivers.E1000;
using Hv.Core.Drivers.Pci;
using Hv.Core.Net;
using Hv.Core.Text;

namespace Hv.Core.Tests.Drivers
{
    public class NicReportTests
    {
        [Fact]
        public void The_identity_line_names_model_slot_mac_and_link()
        {
            var memory = new CowPages();
            var device = new FakeE1000(memory, 0x525400ABCDEF);
            E1000Driver nic = E1000Driver.Start(device, memory, out _);
            var log = new CharBufferSink(200);
            NicReport.WriteIdentity(log, nic, new PciAddress(0, 3, 0));
            device[E1000Registers.Status] = 0;
            NicReport.WriteIdentity(log, nic, new PciAddress(1, 31, 7));
            Assert.Equal("net: e1000 82540EM at 00:03.0 mac 52:54:00:ab:cd:ef link up\n" +
                         "net: e1000 82540EM at 01:1F.7 mac 52:54:00:ab:cd:ef link down\n", log.ToString());
        }

        [Fact]
        public void The_address_line_says_address_prefix_gateway_and_source()
        {
            var ip = new IpSettings();
            var log = new CharBufferSink(200);
            ip.Set(Ipv4Address.Make(10, 0, 2, 15), 24, Ipv4Address.Make(10, 0, 2, 2), IpSource.Dhcp);
            NicReport.WriteAddress(log, ip);
            ip.Set(Ipv4Address.Make(192, 168, 255, 1), 30, 0, IpSource.Static);
            NicReport.WriteAddress(log, ip);
            ip.Clear();
            NicReport.WriteAddress(log, ip);
            Assert.Equal("net: address 10.0.2.15/24 gateway 10.0.2.2 (dhcp)\n" +
                         "net: address 192.168.255.1/30 (static)\n" +
                         "net: no address\n", log.ToString());
        }
    }
}
