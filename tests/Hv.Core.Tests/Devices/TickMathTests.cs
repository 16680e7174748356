using System;
using Hv.Core.Devices.Time;
using Hv.Core.Tests.Virtio;

namespace Hv.Core.Tests.Devices
{
    public class TickMathTests
    {
        [Fact]
        public void MulDivMatches128BitArithmetic()
        {
            var random = new FastRandom(5);
            for (int n = 0; n < 100_000; n++)
            {
                ulong value = random.NextUInt64() >> random.Next(64);
                ulong multiplier = random.NextUInt64() >> random.Next(64);
                ulong divisor = (random.NextUInt64() >> random.Next(64)) | 1;
                UInt128 exact = (UInt128)value * multiplier / divisor;
                ulong expected = exact > ulong.MaxValue ? ulong.MaxValue : (ulong)exact;
                Assert.Equal(expected, TickMath.MulDiv(value, multiplier, divisor));
                UInt128 up = ((UInt128)value * multiplier + divisor - 1) / divisor;
                if (up <= ulong.MaxValue && exact < ulong.MaxValue)
                {
                    Assert.Equal((ulong)up, TickMath.MulDivUp(value, multiplier, divisor));
                }
            }
            Assert.Equal(ulong.MaxValue, TickMath.MulDiv(1, 1, 0));
        }

        [Fact]
        public void ClockConvertsBothWaysAndNeverRunsBackwards()
        {
            var clock = new DeviceClock(2_900_000_000);
            Assert.Equal(1_193_182UL, clock.ToDeviceTicks(2_900_000_000, 1_193_182));
            Assert.Equal(2_431UL, clock.ToTscTicks(1, 1_193_182)); // 2430.47 rounded up
            clock.Advance(500);
            clock.Advance(100);
            Assert.Equal(500UL, clock.Now);
        }
    }
}
