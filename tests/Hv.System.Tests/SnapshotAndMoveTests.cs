using System;
using System.IO;
using System.Text;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;
using Hv.Emulators;

namespace Hv.SystemTests
{
    /// <summary>
    /// Snapshots and moves on real VT-x. The ticker guest prints "tick N sum=S" where S fingerprints a table it rewrites
    /// every tick, so identical lines mean identical registers and memory.
    /// </summary>
    public class SnapshotAndMoveTests
    {
        [Fact]
        public void Snapshot_run_restore_gives_back_the_same_memory_and_registers()
        {
            using var host = RunningHost.Start();
            using var guard = host.Within(TimeSpan.FromSeconds(300));
            using var client = host.Connect();
            uint id = client.CreateVm("ticker", "clock");
            var console = new ConsoleReader(host, client, id);
            client.StartVm(id);
            console.WaitFor("tick 3 ", 0);
            client.PauseVm(id);
            uint snapshot = client.CheckpointVm(id, "at-3");
            int atSnapshot = console.CatchUp();
            client.ResumeVm(id);

            int sixth = console.WaitFor("tick 6 ", atSnapshot);
            client.PauseVm(id);
            string afterSnapshot = console.Text.Substring(atSnapshot, sixth - atSnapshot); // the rest of tick 3 .. tick 5

            client.RestoreSnapshot(id, snapshot);
            Assert.Equal(VmState.Paused, client.GetVm(id).State);
            int atRestore = console.CatchUp();
            client.ResumeVm(id);
            console.WaitFor("tick 6 ", atRestore);

            Assert.Equal(afterSnapshot, console.Text.Substring(atRestore, afterSnapshot.Length));
            Assert.Single(client.ListSnapshots(id));
            client.RemoveSnapshot(id, snapshot);
            Assert.Empty(client.ListSnapshots(id));
            client.StopVm(id, force: true);
            client.RemoveVm(id);
        }

        [Fact]
        public void A_vm_exported_from_one_host_continues_on_another()
        {
            using var first = RunningHost.Start();
            using var second = RunningHost.Start();
            using var guardFirst = first.Within(TimeSpan.FromSeconds(300));
            using var guardSecond = second.Within(TimeSpan.FromSeconds(300));
            using var a = first.Connect();
            using var b = second.Connect();
            uint id = a.CreateVm("ticker", "mover");
            var here = new ConsoleReader(first, a, id);
            a.StartVm(id);
            here.WaitFor("tick 2 ", 0);
            a.PauseVm(id);
            int paused = here.CatchUp();

            var image = new MemoryStream();
            ulong size = a.ExportVm(id, image);
            Assert.Equal((ulong)image.Length, size);
            image.Position = 0;
            uint moved = b.ImportVm("mover", image, size);
            Assert.Equal(VmState.Paused, b.GetVm(moved).State);

            // Both continue from the same instruction with the same memory: they print the same next three lines.
            var there = new ConsoleReader(second, b, moved);
            a.ResumeVm(id);
            b.ResumeVm(moved);
            string next = here.Lines(paused, 3);
            Assert.Matches(@"^[^\n]*\ntick \d+ sum=\w+\ntick \d+ sum=\w+\n$|^tick \d+ sum=\w+\n", next);
            Assert.Equal(next, there.Lines(0, 3));
        }
    }
}
