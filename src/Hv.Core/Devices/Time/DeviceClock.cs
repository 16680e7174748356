namespace Hv.Core.Devices.Time
{
    /// <summary>
    /// The time seam between the vCPU and the device models: every device reads "now" as the guest's TSC, set by the
    /// VM's run loop (<see cref="Advance"/>) before it lets devices see an exit or computes the next deadline. Devices
    /// keep their own instants as guest-TSC values too, so they are driven deterministically (a test advances the
    /// clock by hand) and their saved state stays meaningful in a clone, whose guest TSC continues the original's.
    /// </summary>
    public sealed class DeviceClock
    {
        /// <summary>The TSC rate assumed when none is given: 1 GHz keeps test arithmetic readable.</summary>
        public const ulong DefaultTscHz = 1_000_000_000;

        private readonly ulong _tscHz;
        private ulong _now;

        public DeviceClock(ulong tscHz)
        {
            _tscHz = tscHz == 0 ? DefaultTscHz : tscHz;
        }

        /// <summary>Guest TSC ticks per second.</summary>
        public ulong TscHz { get { return _tscHz; } }

        /// <summary>The guest TSC value devices treat as the present.</summary>
        public ulong Now { get { return _now; } }

        /// <summary>Moves the present to <paramref name="guestTsc"/>; time never runs backwards for the devices.</summary>
        public void Advance(ulong guestTsc)
        {
            if (guestTsc > _now)
            {
                _now = guestTsc;
            }
        }

        /// <summary>Sets the present exactly (a restored snapshot's instant).</summary>
        public void Restore(ulong guestTsc)
        {
            _now = guestTsc;
        }

        /// <summary>Whole ticks of a <paramref name="hz"/> clock in the TSC interval <paramref name="tscTicks"/>.</summary>
        public ulong ToDeviceTicks(ulong tscTicks, ulong hz)
        {
            return TickMath.MulDiv(tscTicks, hz, _tscHz);
        }

        /// <summary>TSC ticks until <paramref name="deviceTicks"/> of a <paramref name="hz"/> clock have passed (rounded up).</summary>
        public ulong ToTscTicks(ulong deviceTicks, ulong hz)
        {
            return TickMath.MulDivUp(deviceTicks, _tscHz, hz);
        }

        /// <summary><paramref name="start"/> + <paramref name="delta"/>, saturating at "never".</summary>
        public static ulong After(ulong start, ulong delta)
        {
            ulong sum = start + delta;
            return sum < start ? ulong.MaxValue : sum;
        }
    }
}
