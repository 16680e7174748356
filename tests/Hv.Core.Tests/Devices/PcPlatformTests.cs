using Hv.Core.Devices;
using Hv.Core.Devices.Pc;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The composed platform: ISA routing (PIC and IOAPIC), injection, MMIO, MSRs, COM1's IRQ 4 and snapshots.</summary>
    public class PcPlatformTests
    {
        private const ulong TscHz = 1_193_182_000; // one PIT tick = 1000 TSC ticks
        private const ulong Apic = 0xFEE00000, IoApicBase = 0xFEC00000;
        private readonly ConsoleRing _console = new ConsoleRing(256, 64);
        private readonly Uart16550 _uart;
        private readonly PcPlatform _platform;
        private readonly PortBus _ports = new PortBus();

        public PcPlatformTests()
        {
            _uart = new Uart16550(_console);
            _platform = new PcPlatform(TscHz, 100_000_000, 1_796_216_709, _uart);
            Assert.Equal(PortMapStatus.Ok, _platform.MapPorts(_ports));
            Assert.Equal(PortMapStatus.Ok, _ports.Map(0x3F8, Uart16550.PortCount, _uart));
        }

        private void Out(ushort port, uint value) => Assert.True(_ports.Out(port, 1, value));

        private void InitPic()
        {
            Out(0x20, 0x11); Out(0x21, 0x20); Out(0x21, 0x04); Out(0x21, 0x01);
            Out(0xA0, 0x11); Out(0xA1, 0x28); Out(0xA1, 0x02); Out(0xA1, 0x01);
            Out(0x21, 0x00); Out(0xA1, 0x00);
        }

        private void ApicWrite(int offset, uint value) => Assert.True(_platform.MmioWrite(Apic + (ulong)offset, 4, value));

        private void RouteIoApic(int pin, uint low)
        {
            Assert.True(_platform.MmioWrite(IoApicBase, 4, (uint)(0x10 + 2 * pin)));
            Assert.True(_platform.MmioWrite(IoApicBase + 0x10, 4, low));
        }

        private void StartPit(ushort count)
        {
            Out(0x43, 0x34);
            Out(0x40, (byte)count);
            Out(0x40, (byte)(count >> 8));
        }

        [Fact]
        public void PitThroughTheVirtualWirePicReachesTheCpu()
        {
            InitPic();
            StartPit(1000);
            Assert.Equal(1000UL * 1000, _platform.NextDeadline());
            _platform.Advance(1000UL * 1000);
            Assert.Equal(0x20, _platform.PendingVector());
            Assert.Equal(0x20, _platform.Acknowledge());
            Assert.Equal(-1, _platform.PendingVector());
            Out(0x20, 0x20);
        }

        [Fact]
        public void PitReachesIoApicPin2AsTheMadtOverrideSays()
        {
            Out(0x21, 0xFF); Out(0xA1, 0xFF); // PIC masked, as Linux leaves it with an IOAPIC
            ApicWrite(0x350, 0x10000); // LINT0 masked
            RouteIoApic(2, 0x30);
            StartPit(500);
            _platform.Advance(500UL * 1000);
            Assert.Equal(0x30, _platform.Acknowledge());
            ApicWrite(0xB0, 0);
            _platform.Advance(1000UL * 1000);
            Assert.Equal(0x30, _platform.PendingVector());
        }

        [Fact]
        public void UartRaisesIrq4ForTransmitAndReceive()
        {
            Out(0x21, 0xFF);
            ApicWrite(0x350, 0x10000);
            RouteIoApic(4, 0x24);
            Out(0x3F8 + 4, 0x08); // OUT2 gates the IRQ line
            Out(0x3F8 + 1, 0x02); // THRE interrupt
            Assert.Equal(0x24, _platform.Acknowledge());
            ApicWrite(0xB0, 0);
            Assert.True(_ports.In(0x3F8 + 2, 1, out uint iir));
            Assert.Equal(0x02u, iir & 0x0F);
            Out(0x3F8 + 1, 0x01); // receive only
            _console.QueueInput(new[] { (byte)'x' });
            _platform.Advance(1);
            Assert.Equal(0x24, _platform.Acknowledge());
            Assert.True(_ports.In(0x3F8, 1, out uint data));
            Assert.Equal((uint)'x', data);
        }

        [Fact]
        public void ApicMmioAndMsrsFollowTheApicMode()
        {
            Assert.True(_platform.MmioRead(Apic + 0x30, 4, out uint version));
            Assert.Equal(0x00050014u, version);
            Assert.True(_platform.MmioRead(Apic + 0x31, 1, out uint versionByte));
            Assert.Equal(0x00u, versionByte);
            Assert.Equal(PlatformMsrStatus.Done, _platform.ReadMsr(0x1B, out ulong apicBase));
            Assert.Equal(0xFEE00900UL, apicBase);
            Assert.Equal(PlatformMsrStatus.GeneralProtection, _platform.ReadMsr(0x802, out _));
            Assert.Equal(PlatformMsrStatus.NotPlatform, _platform.ReadMsr(0x10, out _));
            Assert.Equal(PlatformMsrStatus.Done, _platform.WriteMsr(0x1B, 0xFEE00C00));
            Assert.False(_platform.IsMmio(Apic)); // x2APIC: the page is ordinary memory again
            Assert.False(_platform.MmioRead(Apic + 0x30, 4, out _));
            Assert.Equal(PlatformMsrStatus.Done, _platform.ReadMsr(0x803, out ulong x2Version));
            Assert.Equal(0x00050014UL, x2Version);
            Assert.True(_platform.IsMmio(IoApicBase));
            Assert.True(_platform.MmioRead(IoApicBase + 0x10, 4, out _));
        }

        [Fact]
        public void PowerOffResetAndPowerButtonReachTheOwner()
        {
            Assert.False(_platform.PowerOffRequested);
            Assert.True(_ports.Out(0x604, 2, 1u | (5u << 10) | (1u << 13)));
            Assert.True(_platform.PowerOffRequested);
            Out(0x64, 0xFE);
            Assert.True(_platform.ResetRequested);
            _platform.Reset(0);
            Assert.False(_platform.PowerOffRequested || _platform.ResetRequested);
        }

        [Fact]
        public void StateRoundTripsAndBadStateChangesNothing()
        {
            InitPic();
            StartPit(700);
            Out(0x70, 0x40); Out(0x71, 0x5A);
            _platform.Advance(12345);
            var saved = new byte[PcPlatform.StateSize];
            Assert.Equal(PcPlatform.StateSize, _platform.SaveState(saved));

            var other = new PcPlatform(TscHz, 100_000_000, 0, new Uart16550(new ConsoleRing(16, 16)));
            Assert.Equal(DeviceStateStatus.Ok, other.LoadState(saved));
            var again = new byte[PcPlatform.StateSize];
            Assert.Equal(PcPlatform.StateSize, other.SaveState(again));
            Assert.Equal(saved, again);
            Assert.Equal(_platform.NextDeadline(), other.NextDeadline());

            var bad = (byte[])saved.Clone();
            bad[9] = 1; // bit 0 of IA32_APIC_BASE (after version and clock) is reserved
            Assert.Equal(DeviceStateStatus.Invalid, other.LoadState(bad));
            Assert.Equal(PcPlatform.StateSize, other.SaveState(again));
            Assert.Equal(saved, again); // all or nothing
            Assert.Equal(DeviceStateStatus.Truncated, other.LoadState(new byte[10]));
        }
    }
}
