using System;
using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>A pre-authentication flood on COM1 while a guest spins: the host keeps up with the line, so the client behind it gets in.</summary>
    public class SerialFloodTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;
        public SerialFloodTests(Xunit.Abstractions.ITestOutputHelper output) { _output = output; }

        [Fact]
        public void A_client_gets_in_within_two_host_seconds_of_a_320_kib_garbage_flood_ending_while_a_guest_spins()
        {
            using var host = RunningHost.Start(cmdline: "hv.run=spin");
            host.WaitForLog("spin start", TimeSpan.FromSeconds(60));
            SerialFlood flood;
            // At the line's 11.5 KB/s, 320 KiB is 28 s of host time (Bochs runs slower than that on the wall).
            using (host.Within(TimeSpan.FromSeconds(1500)))
            {
                flood = SerialFlood.Run(host, 320 * 1024, seed: 14);
            }
            _output.WriteLine($"{flood.Bytes} bytes in {flood.Seconds:F2} host s = {flood.KibPerSecond:F2} KiB/s; handshake {flood.SecondsAfterLineRateEnd:F2} s after the line-rate end");
            Assert.True(flood.Bytes >= 320 * 1024, $"the host counted {flood.Bytes} bytes");
            // Measured from the first garbage byte, at the line's pace the flood ends Bytes character times later; the
            // handshake must follow within 2 s of host time of that (a host that lags the line falls further behind).
            Assert.True(flood.SecondsAfterLineRateEnd <= 2.0,
                        $"{flood.Bytes} bytes in {flood.Seconds:F2} s of host time ({flood.KibPerSecond:F1} KiB/s): " +
                        $"the handshake came {flood.SecondsAfterLineRateEnd:F2} s after the flood would have ended at line rate");
            Assert.Contains("-> vm 1 spin-1", host.Log); // the spinning guest ran the whole time
            Assert.DoesNotContain("spin-1) stopped", host.Log);
        }
    }
}
