using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Time;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The ACPI PM1 and PM timer registers against ACPI 6.5 §4.8 (TSC at 3.579545 GHz: one timer tick per 1000).</summary>
    public class AcpiPmBlockTests
    {
        private readonly DeviceClock _clock = new DeviceClock(3_579_545_000);
        private readonly ProbeLine _sci = new ProbeLine();
        private readonly AcpiPmBlock _pm;

        public AcpiPmBlockTests()
        {
            _pm = new AcpiPmBlock(_clock, _sci);
        }

        [Fact]
        public void TimerCountsAt3_579545MHzAndWrapsAt24Bits()
        {
            _clock.Advance(12_345_000);
            Assert.Equal(12_345u, _pm.In(8, 4));
            _clock.Advance((0x1000000UL + 5) * 1000);
            Assert.Equal(5u, _pm.In(8, 4));
            Assert.Equal(AcpiPmBlock.TimerStatus, _pm.In(0, 2) & AcpiPmBlock.TimerStatus); // bit 23 toggled
        }

        [Fact]
        public void TimerStatusRaisesSciWhenEnabledAndClearsOnWriteOne()
        {
            _pm.Out(2, 2, AcpiPmBlock.TimerStatus);
            Assert.Equal(0x800000UL * 1000, _pm.NextDeadline());
            _clock.Advance(0x800000UL * 1000);
            _pm.Update();
            Assert.True(_sci.Level);
            _pm.Out(0, 2, AcpiPmBlock.TimerStatus);
            Assert.False(_sci.Level);
            Assert.Equal(0u, _pm.In(0, 2));
        }

        [Fact]
        public void PowerButtonAndSciEnable()
        {
            Assert.Equal(1u, _pm.In(4, 2) & 1); // SCI_EN: always in ACPI mode
            _pm.PressPowerButton();
            Assert.False(_sci.Level); // not enabled
            _pm.Out(2, 2, AcpiPmBlock.PowerButtonStatus);
            Assert.True(_sci.Level);
            _pm.Out(1, 1, 0x01); // clear PWRBTN_STS with a byte write to the high half
            Assert.False(_sci.Level);
        }

        [Fact]
        public void SleepTypeFiveWithSleepEnableRequestsPowerOff()
        {
            _pm.Out(4, 2, 1 | (3 << 10) | (1 << 13)); // S3: wakes at once
            Assert.False(_pm.PowerOffRequested);
            Assert.Equal(AcpiPmBlock.WakeStatus, _pm.In(0, 2) & AcpiPmBlock.WakeStatus);
            Assert.Equal(0u, _pm.In(4, 2) & (1 << 13)); // SLP_EN reads 0
            _pm.Out(4, 2, 1 | (AcpiPmBlock.SoftOffSleepType << 10) | (1 << 13));
            Assert.True(_pm.PowerOffRequested);
        }
    }
}
