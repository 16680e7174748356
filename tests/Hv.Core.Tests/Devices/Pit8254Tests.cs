using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Time;

namespace Hv.Core.Tests.Devices
{
    /// <summary>An IRQ line that counts rising edges.</summary>
    internal sealed class ProbeLine : IrqLine
    {
        public bool Level;
        public int RisingEdges;

        public override void Set(bool asserted)
        {
            if (asserted && !Level) RisingEdges++;
            Level = asserted;
        }
    }

    /// <summary>The 8254 against Intel's datasheet, with a 1.193182 GHz TSC so one PIT tick is 1000 TSC ticks.</summary>
    public class Pit8254Tests
    {
        private const ulong Tick = 1000;
        private readonly DeviceClock _clock = new DeviceClock(1_193_182_000);
        private readonly ProbeLine _irq0 = new ProbeLine();
        private readonly Pit8254 _pit;
        private readonly SystemControlPortB _portB;

        public Pit8254Tests()
        {
            _pit = new Pit8254(_clock, _irq0);
            _portB = new SystemControlPortB(_clock, _pit);
        }

        private void Out(int offset, byte value) => _pit.Out((ushort)offset, 1, value);
        private byte In(int offset) => (byte)_pit.In((ushort)offset, 1);

        [Fact]
        public void Mode2RateGeneratorInterruptsEveryPeriod()
        {
            Out(3, 0x34); // counter 0, lobyte/hibyte, mode 2
            Out(0, 100); Out(0, 0);
            Assert.Equal(100 * Tick, _pit.NextDeadline());
            _clock.Advance(99 * Tick);
            _pit.Update();
            Assert.Equal(0, _irq0.RisingEdges);
            _clock.Advance(100 * Tick);
            _pit.Update();
            Assert.Equal(1, _irq0.RisingEdges);
            Assert.Equal(200 * Tick, _pit.NextDeadline());
            _clock.Advance(230 * Tick);
            Out(3, 0x00); // latch counter 0
            Assert.Equal(70, In(0) | In(0) << 8);
        }

        [Fact]
        public void Mode0OutRisesAtTerminalCountOnce()
        {
            Out(3, 0x30);
            Out(0, 0x10); Out(0, 0);
            Out(3, 0xE2); // read-back status of counter 0
            Assert.Equal(0x30, In(0)); // OUT low, count loaded, access 3, mode 0
            _clock.Advance(16 * Tick);
            _pit.Update();
            Assert.Equal(1, _irq0.RisingEdges);
            _clock.Advance(100_000 * Tick);
            _pit.Update();
            Assert.Equal(1, _irq0.RisingEdges);
            Assert.Equal(ulong.MaxValue, _pit.NextDeadline());
        }

        [Fact]
        public void Counter2GatedByPort61AsLinuxCalibratesWithIt()
        {
            // pit_calibrate_tsc: gate high, speaker off, counter 2 mode 0 with 0xFFFF, poll the MSB and port 0x61 bit 5.
            _portB.Out(0, 1, (_portB.In(0, 1) & ~0x02u) | 0x01);
            Out(3, 0xB0);
            Out(2, 0xFF); Out(2, 0xFF);
            Assert.Equal(0u, _portB.In(0, 1) & 0x20);
            _clock.Advance(0x1000 * Tick);
            In(2);
            Assert.Equal(0xEF, In(2)); // 0xFFFF - 0x1000 = 0xEFFF: MSB read second
            _clock.Advance(0xFFFF * Tick);
            Assert.Equal(0x20u, _portB.In(0, 1) & 0x20);
            _portB.Out(0, 1, 0); // gate low pauses mode 0
            _clock.Advance(0x20000 * Tick);
            Out(3, 0x80);
            Assert.Equal(0, In(2) | In(2) << 8);
        }

        [Fact]
        public void Mode3SquareWaveIsHighForTheFirstHalf()
        {
            Out(3, 0x36);
            Out(0, 10); Out(0, 0);
            Assert.True(_pit.Channel(0).Out());
            _clock.Advance(5 * Tick);
            Assert.False(_pit.Channel(0).Out());
            _clock.Advance(10 * Tick);
            Assert.True(_pit.Channel(0).Out());
            _pit.Update();
            Assert.Equal(1, _irq0.RisingEdges);
        }

        [Fact]
        public void LowByteOnlyAndBcdCounts()
        {
            Out(3, 0x51); // counter 1, LSB only, mode 0, BCD
            Out(1, 0x99);
            _clock.Advance(9 * Tick);
            Assert.Equal(0x90, In(1));
        }
    }
}
