using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Time;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The CMOS clock against the MC146818A datasheet (1 GHz TSC; starts 2026-12-02 13:05:09 UTC, a Wednesday).</summary>
    public class CmosRtcTests
    {
        private const ulong Start = 1_796_216_709; // 2026-12-02 13:05:09 UTC
        private const ulong Second = 1_000_000_000;
        private readonly DeviceClock _clock = new DeviceClock(Second);
        private readonly ProbeLine _irq8 = new ProbeLine();
        private readonly CmosRtc _rtc;

        public CmosRtcTests()
        {
            _rtc = new CmosRtc(_clock, _irq8, Start);
        }

        private byte Read(int index)
        {
            _rtc.Out(0, 1, (uint)index);
            return (byte)_rtc.In(1, 1);
        }

        private void Write(int index, byte value)
        {
            _rtc.Out(0, 1, (uint)index);
            _rtc.Out(1, 1, value);
        }

        [Fact]
        public void DateAndTimeReadInBcdThenBinary()
        {
            Assert.Equal(0x09, Read(0));
            Assert.Equal(0x05, Read(2));
            Assert.Equal(0x13, Read(4));
            Assert.Equal(0x04, Read(6)); // Wednesday = 4
            Assert.Equal(0x02, Read(7));
            Assert.Equal(0x12, Read(8));
            Assert.Equal(0x26, Read(9));
            Assert.Equal(0x20, Read(CmosRtc.CenturyRegister));
            Write(0x0B, 0x06); // binary, 24-hour
            Assert.Equal(13, Read(4));
            Write(0x0B, 0x04); // binary, 12-hour: 1 PM
            Assert.Equal(0x81, Read(4));
            _clock.Advance(61 * Second);
            Write(0x0B, 0x06);
            Assert.Equal(10, Read(0));
            Assert.Equal(6, Read(2));
        }

        [Fact]
        public void UpdateInProgressCoversTheLast244MicrosecondsOfASecond()
        {
            _clock.Advance(Second - 245_000);
            Assert.Equal(0, Read(0x0A) & 0x80);
            _clock.Advance(Second - 243_000);
            Assert.Equal(0x80, Read(0x0A) & 0x80);
            Assert.Equal(0x26, Read(0x0A) & 0x7F);
            Assert.Equal(0x80, Read(0x0D));
        }

        [Fact]
        public void SetBitFreezesAndWritesSetTheClock()
        {
            Write(0x0B, 0x82); // SET
            Write(0x09, 0x30);
            Write(0x08, 0x01);
            Write(0x07, 0x15);
            _clock.Advance(5 * Second);
            Assert.Equal(0x09, Read(0)); // frozen
            Write(0x0B, 0x02);
            _clock.Advance(7 * Second);
            Assert.Equal(0x11, Read(0));
            Assert.Equal(0x30, Read(9));
            Assert.Equal(0x15, Read(7));
        }

        [Fact]
        public void UpdateEndedInterruptRaisesIrq8UntilRegisterCIsRead()
        {
            Write(0x0B, 0x12); // UIE
            Assert.Equal(Second, _rtc.NextDeadline());
            _clock.Advance(Second);
            _rtc.Update();
            Assert.True(_irq8.Level);
            Assert.Equal(0x90, Read(0x0C) & 0x90); // IRQF and UF (PF too: the 1024 Hz flag runs regardless)
            Assert.False(_irq8.Level);
            Assert.Equal(0, Read(0x0C));
        }

        [Fact]
        public void PeriodicFlagAndNmiMaskBit()
        {
            Write(0x0A, 0x26); // 1024 Hz
            _clock.Advance(Second / 1000);
            Assert.Equal(0x40, Read(0x0C) & 0x40); // flag set without its interrupt enabled
            Assert.False(_irq8.Level);
            _rtc.Out(0, 1, 0x80 | 0x0F);
            Assert.True(_rtc.NmiMasked);
            _rtc.Out(0, 1, 0x0F);
            Assert.False(_rtc.NmiMasked);
        }

        [Fact]
        public void NvramHoldsWhatWasWritten()
        {
            Write(0x40, 0xA5);
            Assert.Equal(0xA5, Read(0x40));
            Write(0x0C, 0xFF);
            Assert.Equal(0, Read(0x0C));
        }

        [Fact]
        public void CivilTimeRoundTripsAcrossLeapDays()
        {
            for (ulong s = 0; s < 200UL * 366 * 86400; s += 86400 * 7 + 3601)
            {
                CivilTime t = CivilTime.FromUnixSeconds(s);
                Assert.Equal(s, t.ToUnixSeconds());
            }
            CivilTime leap = CivilTime.FromUnixSeconds(951_782_400); // 2000-02-29
            Assert.Equal((2000, 2, 29), (leap.Year, leap.Month, leap.Day));
        }
    }
}
