using Hv.Core.Devices.Pc;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests
{
    /// <summary>A PC VM's virtio disk: plugged in at 00:01.0, on the VM's memory, carried by captures, kept across a stop.</summary>
    public class PcVmDiskTests
    {
        private const ulong TscHz = 1_000_000_000;
        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;

        public PcVmDiskTests()
        {
            _sharing = _pages.NewSharing();
        }

        private VirtualMachine PcVm()
        {
            VirtualMachine vm = TestVm.Created(1, 64 * 1024, _pages, _sharing);
            Assert.True(vm.InstallPlatform(new PcPlatform(TscHz, TscHz, 0, vm.Uart)));
            return vm;
        }

        private DiskImage NewDisk()
        {
            Assert.Equal(DiskStatus.Ok, DiskImage.Create(_sharing, 2048, 1UL << 30, out DiskImage disk));
            return disk;
        }

        [Fact]
        public void A_disk_sits_at_00_01_0_on_the_vms_memory_and_only_once()
        {
            VirtualMachine vm = PcVm();
            Assert.True(vm.InstallDisk(NewDisk()));
            Assert.Same(vm.Disk, vm.Platform.Pci.Bus.Function(PcPciHost.DiskDevice, 0));
            Assert.Same(vm.Memory, vm.Disk.Memory);
            Assert.False(vm.InstallDisk(NewDisk()));
        }

        [Fact]
        public void A_bare_vm_gets_no_disk()
        {
            VirtualMachine vm = TestVm.Created(1, 64 * 1024, _pages, _sharing);
            Assert.False(vm.InstallDisk(NewDisk()));
            Assert.Null(vm.Disk);
        }

        [Fact]
        public void A_capture_with_the_disk_loads_into_a_vm_with_a_disk_and_not_into_one_without()
        {
            VirtualMachine source = PcVm();
            Assert.True(source.InstallDisk(NewDisk()));
            var state = new VcpuState();
            source.Capture(state);
            Assert.True(state.HasDevices);

            VirtualMachine withDisk = PcVm();
            Assert.True(withDisk.InstallDisk(NewDisk()));
            Assert.True(withDisk.LoadDevices(state));
            Assert.False(PcVm().LoadDevices(state));
        }

        [Fact]
        public void Stopping_takes_the_memory_from_the_disk_and_keeps_its_bytes()
        {
            VirtualMachine vm = PcVm();
            DiskImage disk = NewDisk();
            Assert.True(vm.InstallDisk(disk));
            Assert.Equal(DiskStatus.Ok, disk.Write(0, new byte[] { 7 }));
            vm.ReleaseResources();
            Assert.Null(vm.Disk.Memory);
            var back = new byte[1];
            Assert.Equal(DiskStatus.Ok, vm.Disk.Disk.Read(0, back));
            Assert.Equal(7, back[0]);
        }
    }
}
