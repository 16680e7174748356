using System;
using System.Collections.Generic;
using System.IO;

namespace Hv.Testing
{
    /// <summary>
    /// How far an emulated host has got, read from outside: the CPU time used by the emulator's process tree. Bochs
    /// (<c>clock: sync=none</c>) and QEMU's TCG advance the guest only while they run on a host core, so on a busy machine
    /// this clock slows down together with the emulated machine. Deadlines counted on it (<see cref="ProgressDeadline"/>)
    /// fail a host that does not get on, never one that merely ran on a slow or loaded machine.
    /// </summary>
    public sealed class EmulatorClock
    {
        private static readonly double TicksPerSecond = ClockTicksPerSecond();
        private readonly int _rootPid;
        private TimeSpan _highest;

        public EmulatorClock(int rootPid) { _rootPid = rootPid; }

        /// <summary>CPU time of the root process and everything below it (never goes back).</summary>
        public TimeSpan Now
        {
            get
            {
                lock (this)
                {
                    TimeSpan now = TimeSpan.FromSeconds(TreeTicks() / TicksPerSecond);
                    if (now > _highest) _highest = now;
                    return _highest;
                }
            }
        }

        // Each live process's own time plus that of the children it has reaped (utime, stime, cutime, cstime: proc(5)),
        // so an emulator that ends and is waited for still counts.
        private long TreeTicks()
        {
            var children = new Dictionary<int, List<int>>();
            var ticks = new Dictionary<int, long>();
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                string stat;
                try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                // The command name is in parentheses and may contain spaces: the fields start after the last ')'.
                string[] f = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                int ppid = int.Parse(f[1]);
                ticks[pid] = long.Parse(f[11]) + long.Parse(f[12]) + long.Parse(f[13]) + long.Parse(f[14]);
                if (!children.TryGetValue(ppid, out var list)) children[ppid] = list = new List<int>();
                list.Add(pid);
            }
            long total = 0;
            var pending = new Stack<int>();
            pending.Push(_rootPid);
            while (pending.Count > 0)
            {
                int pid = pending.Pop();
                if (ticks.TryGetValue(pid, out long t)) total += t;
                if (children.TryGetValue(pid, out var list)) foreach (int c in list) pending.Push(c);
            }
            return total;
        }

        private static double ClockTicksPerSecond()
        {
            // USER_HZ is 100 on every Linux architecture .NET runs on; getconf says so when it is there.
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false };
                using var p = System.Diagnostics.Process.Start(psi);
                string text = p.StandardOutput.ReadToEnd().Trim();
                p.WaitForExit();
                if (double.TryParse(text, out double hz) && hz > 0) return hz;
            }
            catch (System.ComponentModel.Win32Exception) { }
            return 100;
        }
    }

    /// <summary>
    /// A deadline on an emulated host's own progress. It expires when the emulator has used <c>budget</c> of CPU time
    /// since it started (the host had that much emulated time and still did not get there), when the emulator used
    /// no CPU at all for <see cref="StallWindow"/> (it hangs or has died: no progress), or, as a far backstop, after
    /// <see cref="WallFactor"/> times the budget in wall-clock time.
    /// </summary>
    public sealed class ProgressDeadline
    {
        public static readonly TimeSpan StallWindow = TimeSpan.FromSeconds(90);
        public const int WallFactor = 5;
        private static readonly TimeSpan StallProgress = TimeSpan.FromMilliseconds(200);

        private readonly EmulatorClock _clock;
        private readonly TimeSpan _start, _budget;
        private readonly System.Diagnostics.Stopwatch _wall = System.Diagnostics.Stopwatch.StartNew();
        private TimeSpan _lastProgress;
        private TimeSpan _lastProgressWall;

        public ProgressDeadline(EmulatorClock clock, TimeSpan budget)
        {
            _clock = clock;
            _budget = budget;
            _start = _lastProgress = clock.Now;
        }

        /// <summary>Emulator CPU time used since the deadline was set.</summary>
        public TimeSpan Used => _clock.Now - _start;

        /// <summary>
        /// Appends what this wait used to the file named by HV_PROGRESS_LOG, if set: how budgets are calibrated (about ten
        /// times the CPU time an idle machine needs).
        /// </summary>
        public void Record(string what)
        {
            string path = Environment.GetEnvironmentVariable("HV_PROGRESS_LOG");
            if (string.IsNullOrEmpty(path)) return;
            lock (typeof(ProgressDeadline))
                File.AppendAllText(path, $"{what}: {Used.TotalSeconds:0.0} s of {_budget.TotalSeconds:0} s budget, {_wall.Elapsed.TotalSeconds:0.0} s wall\n");
        }

        /// <summary>Null while the deadline holds; otherwise why it expired.</summary>
        public string Expired()
        {
            TimeSpan now = _clock.Now;
            if (now - _start >= _budget)
                return $"the emulator used its budget of {_budget.TotalSeconds:0} s of CPU time ({_wall.Elapsed.TotalSeconds:0} s wall)";
            if (now - _lastProgress >= StallProgress)
            {
                _lastProgress = now;
                _lastProgressWall = _wall.Elapsed;
            }
            else if (_wall.Elapsed - _lastProgressWall >= StallWindow)
                return $"the emulator made no progress for {StallWindow.TotalSeconds:0} s (hung or gone)";
            if (_wall.Elapsed >= _budget * WallFactor)
                return $"the wall-clock backstop of {(_budget * WallFactor).TotalSeconds:0} s passed ({Used.TotalSeconds:0} s of emulator CPU time used)";
            return null;
        }
    }
}
