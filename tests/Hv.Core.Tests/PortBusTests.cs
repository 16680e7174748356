using Hv.Core.Devices;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    public class PortBusTests
    {
        private sealed class RecordingDevice : PortDevice
        {
            public ushort LastOffset; public int LastSize; public uint LastValue; public uint ReadValue = 0x12345678;
            public override uint In(ushort offset, int size) { LastOffset = offset; LastSize = size; return ReadValue; }
            public override void Out(ushort offset, int size, uint value) { LastOffset = offset; LastSize = size; LastValue = value; }
        }

        [Fact]
        public void RoutesByRangeWithOffsetsAndMasksToSize()
        {
            var bus = new PortBus();
            var a = new RecordingDevice();
            var b = new RecordingDevice();
            Assert.Equal(PortMapStatus.Ok, bus.Map(0x3F8, 8, a));
            Assert.Equal(PortMapStatus.Ok, bus.Map(0x2F8, 8, b));

            Assert.True(bus.In(0x3FD, 1, out uint value));
            Assert.Equal(0x78u, value);
            Assert.Equal(5, a.LastOffset);
            Assert.True(bus.Out(0x2F9, 2, 0xAABBCCDD));
            Assert.Equal(1, b.LastOffset);
            Assert.Equal(0xCCDDu, b.LastValue);
            Assert.True(bus.In(0x2F8, 4, out value));
            Assert.Equal(0x12345678u, value);
        }

        [Theory]
        [InlineData(1, 0xFFu)]
        [InlineData(2, 0xFFFFu)]
        [InlineData(4, 0xFFFFFFFFu)]
        public void UnmappedReadsAllOnesAndReportsUnhandled(int size, uint expected)
        {
            var bus = new PortBus();
            Assert.False(bus.In(0x80, size, out uint value));
            Assert.Equal(expected, value);
            Assert.False(bus.Out(0x80, size, 1));
        }

        [Fact]
        public void RejectsOverlapsBadRangesAndOverflow()
        {
            var bus = new PortBus();
            var d = new RecordingDevice();
            Assert.Equal(PortMapStatus.Ok, bus.Map(0x60, 5, d));
            Assert.Equal(PortMapStatus.Overlap, bus.Map(0x64, 1, d));
            Assert.Equal(PortMapStatus.Overlap, bus.Map(0x5C, 5, d));
            Assert.Equal(PortMapStatus.Ok, bus.Map(0x5C, 4, d));
            Assert.Equal(PortMapStatus.BadRange, bus.Map(0x70, 0, d));
            Assert.Equal(PortMapStatus.BadRange, bus.Map(0xFFFF, 2, d));
            Assert.Equal(PortMapStatus.Ok, bus.Map(0xFFFF, 1, d));
            Assert.Equal(PortMapStatus.BadRange, bus.Map(0x70, 1, null));
            for (int i = bus.Mappings; i < PortBus.MaxMappings; i++) Assert.Equal(PortMapStatus.Ok, bus.Map((ushort)(0x1000 + i), 1, d));
            Assert.Equal(PortMapStatus.Full, bus.Map(0x2000, 1, d));
        }

        [Fact]
        public void DebugExitPortStopsTheVmWithTheWrittenValue()
        {
            VirtualMachine vm = TestVm.Running();
            Assert.True(vm.Ports.Out(DebugExitPort.DefaultPort, 1, 0x31));
            Assert.Equal(VmState.Stopped, vm.State);
            Assert.Equal(0x31UL, vm.ExitCode);
            Assert.Equal("debug-exit", TestVm.StopText(vm));
        }

        [Fact]
        public void VmHasCom1Uart()
        {
            VirtualMachine vm = TestVm.Running();
            Assert.True(vm.Ports.Out(0x3F8, 1, 'k'));
            Assert.True(vm.Ports.In(0x3FD, 1, out uint lsr));
            Assert.Equal(0x60u, lsr);
            Assert.Equal("k", TestVm.ConsoleText(vm));
        }
    }
}
