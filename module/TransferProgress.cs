using System.Diagnostics;
using System.Management.Automation;
using System.Threading;

namespace Hv.PowerShell
{
    /// <summary>
    /// Progress of one byte transfer (upload, export, import, move), written through a worker's sink: at most ten
    /// records a second plus the last one, then a Completed record. Each transfer has its own activity id, so transfers
    /// to several hosts show as separate bars. $ProgressPreference silences it like any progress.
    /// </summary>
    internal sealed class TransferProgress
    {
        private static int _next;
        private readonly HvCmdlet.ProgressSink _sink;
        private readonly int _id;
        private readonly string _activity;
        private long _last;
        private bool _any;

        public TransferProgress(HvCmdlet.ProgressSink sink, string activity)
        {
            _sink = sink;
            _activity = activity;
            _id = 1_000_000 + Interlocked.Increment(ref _next) % 1_000_000;
        }

        public void Report(ulong done, ulong total)
        {
            long now = Stopwatch.GetTimestamp();
            if (_any && done < total && now - _last < Stopwatch.Frequency / 10)
            {
                return;
            }
            _any = true;
            _last = now;
            _sink(new ProgressRecord(_id, _activity, Kib(done) + " of " + Kib(total) + " KiB")
            {
                PercentComplete = total == 0 ? 100 : (int)(100.0 * done / total),
            });
        }

        public void Status(string text)
        {
            _any = true;
            _sink(new ProgressRecord(_id, _activity, text));
        }

        public void Complete()
        {
            if (_any)
            {
                _sink(new ProgressRecord(_id, _activity, "Done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
            }
        }

        private static string Kib(ulong bytes) => ((bytes + 1023) / 1024).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
