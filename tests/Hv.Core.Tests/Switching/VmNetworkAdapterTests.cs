using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Networking;
using Hv.Core.Tests.Virtio;
using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests.Switching
{
    /// <summary>
    /// A PC VM's network adapter: a virtio-net function at 00:02.0 with the VM's MAC, captured apart from the platform's
    /// saved bytes (which exports carry), connected to host switches, delivering frames into a running guest only.
    /// </summary>
    public class VmNetworkAdapterTests
    {
        private const ulong TscHz = 1_000_000_000;
        private const ulong MacA = 0x02_00_00_00_00_0A, MacB = 0x02_00_00_00_00_0B;
        private const int RxBuffer = VirtioNet.HeaderLength + EthernetFrame.MaxLength;
        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;
        private readonly HostSwitches _switches = new HostSwitches(4, 1000);

        public VmNetworkAdapterTests()
        {
            _sharing = _pages.NewSharing();
        }

        private VirtualMachine PcVm(uint id, ulong mac, bool network = true)
        {
            VirtualMachine vm = TestVm.Created(id, 64 * 1024, _pages, _sharing);
            Assert.True(vm.InstallPlatform(new PcPlatform(TscHz, TscHz, 0, vm.Uart)));
            if (network) Assert.True(vm.InstallNetwork(mac));
            vm.Platform.Pci.Reset();
            return vm;
        }

        private HostSwitch Switch(string name)
        {
            Assert.Equal(NetworkStatus.Ok, _switches.Create(name, out HostSwitch s));
            return s;
        }

        private static VirtioDriver Driver(VirtualMachine vm)
        {
            var driver = new VirtioDriver(vm.Network.Device);
            driver.Start();
            for (int i = 0; i < 4; i++)
            {
                ulong buffer = driver.Allocate(RxBuffer);
                driver.Post(VirtioNet.ReceiveQueue, new[] { (buffer, (uint)RxBuffer, true) });
            }
            return driver;
        }

        private static void Transmit(VirtioDriver driver, byte[] frame)
        {
            ulong header = driver.Allocate(VirtioNet.HeaderLength), data = driver.Allocate(frame.Length);
            driver.Fill(data, frame);
            driver.Post(VirtioNet.TransmitQueue, new[] { (header, (uint)VirtioNet.HeaderLength, false), (data, (uint)frame.Length, false) });
        }

        [Fact]
        public void The_adapter_sits_at_00_02_0_with_the_vms_mac_on_its_memory_and_only_once()
        {
            VirtualMachine vm = PcVm(1, MacA);
            Assert.Same(vm.Network.Device, vm.Platform.Pci.Bus.Function(PcPciHost.NetworkDevice, 0));
            Assert.Equal(MacA, vm.Network.Mac);
            Assert.Same(vm.Memory, vm.Network.Device.Memory);
            Assert.NotEqual(0u, vm.Network.Device.ReadConfig(0x10, 4) & ~0xFu); // given a BAR as firmware would
            Assert.False(vm.InstallNetwork(MacB));
            Assert.False(TestVm.Created(2).InstallNetwork(MacB)); // a bare VM has no PCI
            vm.ReleaseResources();
            Assert.Null(vm.Network.Device.Memory);
            vm.RemoveNetwork();
            Assert.Null(vm.Network);
            Assert.Null(vm.Platform.Pci.Bus.Function(PcPciHost.NetworkDevice, 0));
        }

        [Fact]
        public void Captures_carry_the_adapter_apart_from_the_platform_bytes_exports_hold()
        {
            VirtualMachine source = PcVm(1, MacA);
            Driver(source); // a driver that has set the device up: DRIVER_OK, queues, MSI-X
            Assert.NotEqual(0, source.Network.Device.Status);
            VirtualMachine plain = PcVm(2, MacB, network: false);
            var with = new VcpuState();
            var without = new VcpuState();
            source.Capture(with);
            plain.Capture(without);
            Assert.True(with.HasNetwork);
            Assert.False(without.HasNetwork);
            // The platform's saved bytes (the export format) are the same size and layout with or without an adapter.
            Assert.Equal(PcPlatform.StateSize, with.DeviceState.Length);
            Assert.Equal(with.DeviceState[0], without.DeviceState[0]);
            VirtualMachine loaded = PcVm(3, MacB);
            Assert.True(loaded.LoadDevices(with));
            Assert.Equal(source.Network.Device.Status, loaded.Network.Device.Status);
            Assert.Equal(MacB, loaded.Network.Mac); // the device's state, the VM's own address
            Assert.True(PcVm(4, MacB, network: false).LoadDevices(with)); // a VM without the adapter ignores its part
            Assert.True(PcVm(5, MacB).LoadDevices(without));               // one the captured guest never saw starts at power-on
        }

        [Fact]
        public void Frames_flow_between_two_vms_on_one_switch_and_wait_while_the_receiver_is_paused()
        {
            VirtualMachine a = PcVm(1, MacA), b = PcVm(2, MacB);
            HostSwitch lab = Switch("lab");
            Assert.Equal(NetworkStatus.Ok, a.Network.Connect(lab));
            Assert.Equal(NetworkStatus.Ok, b.Network.Connect(lab));
            Assert.Same(lab, b.Network.Switch);
            Assert.True(b.Network.Device.LinkUp);
            VirtioDriver da = Driver(a), db = Driver(b);
            a.Start();
            b.Start();
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(1, db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.Equal(1UL, b.Network.Device.ReceivedFrames);
            b.Pause();
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(1, db.Queues[VirtioNet.ReceiveQueue].UsedIndex); // nothing written into a paused guest
            Assert.Equal(1, b.Network.Port.PendingFrames);
            b.Resume();
            b.Network.Deliver();
            Assert.Equal(2, db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.Equal((2UL, 0UL), (lab.Switch.FloodedFrames, lab.Switch.ForwardedFrames)); // B has sent nothing: not learned yet
            Transmit(db, VirtualSwitchTests.Frame(MacA, MacB));
            Assert.Equal(1, da.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.Equal(1UL, lab.Switch.ForwardedFrames); // A was learned from its first frame
        }

        [Fact]
        public void A_vm_on_another_switch_gets_nothing_and_a_spoofed_frame_is_counted()
        {
            VirtualMachine a = PcVm(1, MacA), b = PcVm(2, MacB);
            HostSwitch one = Switch("one"), two = Switch("two");
            a.Network.Connect(one);
            b.Network.Connect(two);
            VirtioDriver da = Driver(a), db = Driver(b);
            a.Start();
            b.Start();
            Transmit(da, VirtualSwitchTests.Frame(EthernetFrame.Broadcast, MacA));
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacB)); // A poses as B
            Assert.Equal(0, db.Queues[VirtioNet.ReceiveQueue].UsedIndex);
            Assert.Equal(1UL, a.Network.Port.DroppedSpoofed);
            Assert.Equal(1UL, one.SpoofedDrops);
            Assert.Equal(2UL, a.Network.Device.TransmittedFrames);
        }

        [Fact]
        public void Drops_add_the_devices_and_its_ports_and_keep_a_ports_count_after_it_leaves()
        {
            VirtualMachine a = PcVm(1, MacA), b = PcVm(2, MacB);
            HostSwitch one = Switch("one"), two = Switch("two");
            VirtioDriver da = Driver(a);
            a.Start();
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacA)); // no cable: the device drops it
            Assert.Equal(1UL, a.Network.Drops);
            a.Network.Connect(one);
            b.Network.Connect(one);
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacB)); // A poses as B: the switch drops it
            Transmit(da, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(2UL, a.Network.Drops);
            Assert.Equal(0UL, b.Network.Drops);
            // The next port starts its counters afresh; the adapter still has the first port's drop.
            a.Network.Connect(two);
            Assert.Equal(0UL, a.Network.Port.DroppedSpoofed);
            Assert.Equal(2UL, a.Network.Drops);
            // B is off: the frames wait in its port's queue until it is full, and the rest are B's drops.
            Assert.Equal(NetworkStatus.Ok, a.Network.Connect(one));
            for (int i = 0; i < HostSwitches.QueueFrames; i++) one.Switch.Send(a.Network.Port, VirtualSwitchTests.Frame(MacB, MacA));
            Assert.Equal(1UL, b.Network.Drops);
            Assert.Equal((2UL, 2UL), (a.Network.Device.TransmittedFrames, a.Network.Drops));
        }

        [Fact]
        public void Moving_between_switches_leaves_the_first_and_a_duplicate_mac_is_refused()
        {
            var table = new VmTable(1);
            VirtualMachine a = PcVm(1, MacA), twin = table.Add("twin");
            Assert.True(twin.InstallPlatform(new PcPlatform(TscHz, TscHz, 0, twin.Uart)));
            Assert.True(twin.InstallNetwork(MacA));
            HostSwitch one = Switch("one"), two = Switch("two");
            Assert.Equal(NetworkStatus.Ok, a.Network.Connect(one));
            Assert.Equal(NetworkStatus.DuplicateMac, twin.Network.Connect(one));
            Assert.Null(twin.Network.Switch);
            Assert.Equal(NetworkStatus.Ok, a.Network.Connect(two));
            Assert.Equal(0, one.Switch.ConnectedPorts);
            Assert.Equal(1, two.Switch.ConnectedPorts);
            Assert.Equal(NetworkStatus.SwitchInUse, _switches.Remove("two"));
            a.Network.Disconnect();
            Assert.False(a.Network.Device.LinkUp);
            Assert.Equal(NetworkStatus.Ok, _switches.Remove("two"));
            twin.Network.Connect(one);
            Assert.Equal(1, one.Switch.ConnectedPorts);
            table.Cancel(twin); // a VM freed with its adapter (also one cancelled, as a refused import): its port goes back
            Assert.Equal(0, one.Switch.ConnectedPorts);
        }
    }
}
