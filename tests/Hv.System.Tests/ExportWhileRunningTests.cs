using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Hv.Emulators;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;

namespace Hv.SystemTests
{
    /// <summary>
    /// No operation monopolises the host: a 256 MiB VM's export is prepared in bounded steps, while another VM keeps
    /// ticking and management requests keep being answered; the image then imports back as the same VM.
    /// </summary>
    public class ExportWhileRunningTests
    {
        private static int Ticks(string console) => Regex.Matches(console, "tick ").Count;

        [Fact]
        public void A_256_mib_export_leaves_time_for_a_running_vm_and_for_requests()
        {
            // 256 MiB exported and 256 MiB imported back beside it: the machine needs more than hv-boot's 512 MiB.
            using var host = RunningHost.Start(memoryMiB: 768);
            using var guard = host.Within(TimeSpan.FromSeconds(900));
            using var client = host.Connect();
            uint big = client.CreateVm("ticker", "big", memoryMiB: 256);
            var bigConsole = new ConsoleReader(host, client, big);
            client.StartVm(big);
            bigConsole.WaitFor("tick 1 ", 0);
            client.PauseVm(big);
            int paused = bigConsole.CatchUp();
            uint clock = client.CreateVm("ticker", "clock");
            var clockConsole = new ConsoleReader(host, client, clock);
            client.StartVm(clock);
            clockConsole.WaitFor("tick 1 ", 0);

            // While the host prepares the image, every answer to GetExport is followed by a listing and a console read.
            int polls = 0, ticksBefore = Ticks(clockConsole.Text);
            ulong lastDone = 0;
            TransferStart export = client.BeginExport(big, preparing: (done, work) =>
            {
                polls++;
                Assert.True(done >= lastDone && done <= work, $"progress {done} of {work} after {lastDone}");
                lastDone = done;
                Assert.Equal(new[] { "big", "clock" }, client.ListVms().Select(v => v.Name).OrderBy(n => n));
                clockConsole.ReadOnce();
            });
            int ticksDuring = Ticks(clockConsole.Text) - ticksBefore;
            // 65,536 pages to scan, then the few with content to hash, in steps of a few pages: the host answered many times.
            Assert.True(polls >= 20, $"only {polls} answers while the image was prepared");
            Assert.True(ticksDuring >= 5, $"the running VM ticked {ticksDuring} times during the export");

            var image = new MemoryStream();
            client.CopyExport(export, (data, count) => image.Write(data, 0, count));
            client.EndExport(export.Id);
            Assert.Equal(export.TotalBytes, (ulong)image.Length);
            client.StopVm(clock, force: true);
            client.RemoveVm(clock);

            image.Position = 0;
            uint copy = client.ImportVm("big-copy", image, (ulong)image.Length);
            Assert.Equal(VmState.Paused, client.GetVm(copy).State);
            var copyConsole = new ConsoleReader(host, client, copy);
            client.ResumeVm(big);
            client.ResumeVm(copy);
            string next = bigConsole.Lines(paused, 3);
            Assert.Matches(@"tick \d+ sum=\w+\n", next);
            Assert.Equal(next, copyConsole.Lines(0, 3));
        }
    }
}
