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
        public void A_client_gets_in_right_behind_a_320_kib_garbage_flood_taken_at_line_pace_while_a_guest_spins()
        {
            using var host = RunningHost.Start(cmdline: "hv.run=spin");
            host.WaitForLog("spin start", TimeSpan.FromSeconds(60));
            SerialFlood flood;
            // About 35 s of host time at the emulated line's pace (Bochs runs slower than that on the wall).
            using (host.Within(TimeSpan.FromSeconds(1500)))
            {
                flood = SerialFlood.Run(host, 320 * 1024, seed: 14);
            }
            _output.WriteLine($"{flood.Bytes} bytes in {flood.Seconds:F2} host s = {flood.KibPerSecond:F2} KiB/s; in {flood.SecondsAfterFlood:F3} s after it");
            Assert.True(flood.Bytes >= 320 * 1024, $"the host counted {flood.Bytes} bytes");
            // Bochs feeds its socket-backed UART below 115200 baud's 11.25 KiB/s: 9.2-9.3 KiB/s measured alike with
            // 10,000-tick slices and with slices paced to the FIFO's fill, so that is the emulated line's own pace. One
            // byte per slice, as before the FIFO, was about 1 KiB/s (320 KiB took over 5 minutes). At 8 KiB/s or more
            // the host keeps up with the line, so the handshake queued right behind the flood is taken as it arrives.
            Assert.True(flood.KibPerSecond >= 8.0,
                        $"{flood.Bytes} bytes in {flood.Seconds:F2} s of host time ({flood.KibPerSecond:F1} KiB/s)");
            // The rule: the client is in within 2 s of host time after the flood's last (refused) frame.
            Assert.True(flood.LastRefusedTsc > 0 && flood.SecondsAfterFlood >= 0 && flood.SecondsAfterFlood <= 2.0,
                        $"the handshake came {flood.SecondsAfterFlood:F3} s of host time after the flood's last frame");
            Assert.Matches(new System.Text.RegularExpressions.Regex(@"-> vm \d+ spin-1"), host.Log); // the spinning guest ran the whole time
            Assert.DoesNotContain("spin-1) stopped", host.Log);
        }
    }
}
