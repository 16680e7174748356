using Hv.Management;

namespace Hv.Protocol.Tests
{
    /// <summary>The bounds on TCP connections that have not proved the key: the handshake deadline and the key-exchange budget.</summary>
    public class HandshakeGateTests
    {
        [Fact]
        public void A_connection_expires_only_after_the_whole_deadline_of_host_time()
        {
            Assert.False(HandshakeGate.Expired(1000, 1000));
            Assert.False(HandshakeGate.Expired(1000, 1000 + HandshakeGate.DeadlineMs));
            Assert.True(HandshakeGate.Expired(1000, 1000 + HandshakeGate.DeadlineMs + 1));
            Assert.False(HandshakeGate.Expired(5000, 10)); // a clock that seems to run back never expires anyone
        }

        [Fact]
        public void A_burst_of_key_exchanges_is_allowed_then_they_wait_for_the_budget_to_refill()
        {
            var gate = new HandshakeGate();
            for (int i = 0; i < HandshakeGate.KeyExchangesPerSecond; i++) Assert.True(gate.TryStartKeyExchange(100));
            Assert.False(gate.TryStartKeyExchange(100));
            Assert.False(gate.TryStartKeyExchange(100 + 1000 / HandshakeGate.KeyExchangesPerSecond - 1));
            Assert.True(gate.TryStartKeyExchange(100 + 1000 / HandshakeGate.KeyExchangesPerSecond));
            Assert.False(gate.TryStartKeyExchange(100 + 1000 / HandshakeGate.KeyExchangesPerSecond));
            Assert.Equal(3UL, gate.Deferred);
        }

        [Fact]
        public void A_flood_gets_at_most_the_rate_over_any_stretch_of_time_and_idle_time_is_not_banked()
        {
            var gate = new HandshakeGate();
            // A flooder asking every millisecond for 10 s of host time.
            int started = 0;
            for (ulong t = 0; t < 10_000; t++) if (gate.TryStartKeyExchange(t)) started++;
            Assert.InRange(started, 10 * HandshakeGate.KeyExchangesPerSecond, 11 * HandshakeGate.KeyExchangesPerSecond);

            // An hour of quiet buys one burst, not thousands.
            started = 0;
            for (int i = 0; i < 1000; i++) if (gate.TryStartKeyExchange(3_600_000)) started++;
            Assert.Equal(HandshakeGate.KeyExchangesPerSecond, started);
        }
    }
}
