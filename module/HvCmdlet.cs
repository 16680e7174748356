using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace Hv.PowerShell
{
    /// <summary>
    /// Base of every Hv cmdlet: finds the connections to use (-Server, else the session's default connection),
    /// fans work out over them in parallel (-ThrottleLimit hosts at a time; calls to one host are sequential,
    /// as its connection carries one request at a time), and brings results, errors and progress back to the
    /// pipeline thread — the only thread allowed to write to the pipeline.
    /// </summary>
    public abstract class HvCmdlet : PSCmdlet
    {
        /// <summary>The session variable holding the default connection (the last Connect-HvHost).</summary>
        internal const string DefaultServerVariable = "DefaultHvServer";

        private CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>How many hosts to work on at once.</summary>
        [Parameter]
        [ValidateRange(1, 1024)]
        public int ThrottleLimit { get; set; } = 32;

        protected override void StopProcessing()
        {
            _stop.Cancel();
        }

        // ---- connections --------------------------------------------------------------------------------------

        internal static HvHost GetDefaultServer(SessionState state)
        {
            object value = state.PSVariable.GetValue("global:" + DefaultServerVariable);
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }
            HvHost host = value as HvHost;
            return host == null || host.IsClosed ? null : host;
        }

        /// <summary>
        /// -Server if given, else the default connection. Without either it is a terminating error: the module never
        /// guesses a host.
        /// </summary>
        protected HvHost[] ResolveServers(HvHost[] servers)
        {
            if (servers != null && servers.Length > 0)
            {
                List<HvHost> list = new List<HvHost>();
                foreach (HvHost s in servers)
                {
                    if (s != null && !list.Contains(s))
                    {
                        list.Add(s);
                    }
                }
                return list.ToArray();
            }
            HvHost host = GetDefaultServer(SessionState);
            if (host == null)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.NotConnected", ErrorCategory.ConnectionError,
                    "No Hv host to talk to: pass -Server (a connection from Connect-HvHost), or run Connect-HvHost first to set a default connection.",
                    null));
            }
            return new[] { host };
        }

        /// <summary>
        /// Lists each host of <paramref name="names"/> once (hosts in parallel) and keeps what matches the names given for
        /// that host, each item once, in the order of the pairs; a literal name found on no host is written as
        /// <paramref name="notFound"/>'s error. A host whose listing failed has said so (its names are not "not found").
        /// </summary>
        internal List<KeyValuePair<HvHost, T>> FindByName<T>(List<KeyValuePair<HvHost, string>> names, Func<HvHost, T[]> list,
            Func<T, string> nameOf, Func<string, ErrorRecord> notFound)
        {
            List<HvHost> hosts = new List<HvHost>();
            foreach (KeyValuePair<HvHost, string> p in names)
            {
                if (!hosts.Contains(p.Key))
                {
                    hosts.Add(p.Key);
                }
            }
            Dictionary<HvHost, T[]> lists = new Dictionary<HvHost, T[]>();
            RunParallel(hosts, h => h, (h, sink) =>
            {
                T[] items = list(h);
                lock (lists)
                {
                    lists[h] = items;
                }
            }, null, null);
            NameFilter filter = new NameFilter(names.ConvertAll(p => p.Value));
            List<KeyValuePair<HvHost, T>> result = new List<KeyValuePair<HvHost, T>>();
            Dictionary<HvHost, bool[]> taken = new Dictionary<HvHost, bool[]>();
            foreach (KeyValuePair<HvHost, string> p in names)
            {
                if (!lists.TryGetValue(p.Key, out T[] items))
                {
                    filter.Found(p.Value); // the listing failed and was reported; do not also say "not found"
                    continue;
                }
                if (!taken.TryGetValue(p.Key, out bool[] hostTaken))
                {
                    taken[p.Key] = hostTaken = new bool[items.Length];
                }
                for (int i = 0; i < items.Length; i++)
                {
                    if (filter.Matches(p.Value, nameOf(items[i])) && !hostTaken[i])
                    {
                        hostTaken[i] = true;
                        result.Add(new KeyValuePair<HvHost, T>(p.Key, items[i]));
                    }
                }
            }
            foreach (string name in filter.Missing())
            {
                WriteError(notFound(name));
            }
            return result;
        }

        // ---- confirmation -------------------------------------------------------------------------------------

        /// <summary>
        /// ShouldProcess, except that -Force skips the confirmation prompt (not -WhatIf, and not an explicit -Confirm).
        /// </summary>
        protected bool Approve(string target, string action, bool force)
        {
            if (force && !MyInvocation.BoundParameters.ContainsKey("Confirm"))
            {
                if (IsWhatIf())
                {
                    return ShouldProcess(target, action);
                }
                WriteVerbose("Performing the operation \"" + action + "\" on target \"" + target + "\" (-Force).");
                return true;
            }
            return ShouldProcess(target, action);
        }

        private bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object w))
            {
                return w is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(w);
            }
            return LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
        }

        // ---- fan-out ------------------------------------------------------------------------------------------

        /// <summary>Where a progress record goes (a worker's <see cref="Sink.Progress"/>).</summary>
        internal delegate void ProgressSink(ProgressRecord record);

        /// <summary>What a worker gives back; written on the pipeline thread.</summary>
        protected sealed class Sink
        {
            private readonly HvCmdlet _cmdlet;
            private readonly BlockingCollection<Message> _queue;
            internal int Group;

            internal Sink(HvCmdlet cmdlet, BlockingCollection<Message> queue, CancellationToken token)
            {
                _cmdlet = cmdlet;
                _queue = queue;
                Token = token;
            }

            public CancellationToken Token { get; }

            public void Output(object value) => Post(new Message(MessageKind.Output, value, Group));
            public void Error(ErrorRecord record) => Post(new Message(MessageKind.Error, record, Group));
            public void Warning(string text) => Post(new Message(MessageKind.Warning, text, Group));
            public void Verbose(string text) => Post(new Message(MessageKind.Verbose, text, Group));
            public void Progress(ProgressRecord record) => Post(new Message(MessageKind.Progress, record, Group));

            private void Post(Message m)
            {
                if (_queue == null)
                {
                    _cmdlet.Deliver(m);
                }
                else
                {
                    _queue.Add(m);
                }
            }

            internal void Done(string item) => Post(new Message(MessageKind.ItemDone, item, Group));
        }

        protected enum MessageKind { Output, Error, Warning, Verbose, ItemDone, GroupDone, Progress }

        protected struct Message
        {
            public Message(MessageKind kind, object value, int group)
            {
                Kind = kind;
                Value = value;
                Group = group;
            }

            public MessageKind Kind;
            public object Value;
            public int Group;
        }

        private ProgressState _progress;

        private sealed class ProgressState
        {
            public int ActivityId;
            public string Activity;
            public int Total;
            public int Done;
            public long LastTicks;
        }

        private void Deliver(Message m)
        {
            switch (m.Kind)
            {
                case MessageKind.Output: WriteObject(m.Value); break;
                case MessageKind.Error: WriteError((ErrorRecord)m.Value); break;
                case MessageKind.Warning: WriteWarning((string)m.Value); break;
                case MessageKind.Verbose: WriteVerbose((string)m.Value); break;
                case MessageKind.ItemDone: Progress((string)m.Value); break;
                case MessageKind.Progress: WriteProgress((ProgressRecord)m.Value); break;
            }
        }

        private void Progress(string item)
        {
            ProgressState p = _progress;
            if (p == null)
            {
                return;
            }
            p.Done++;
            long now = Stopwatch.GetTimestamp();
            // Not noisy: at most ~10 records a second, and always the last one.
            if (p.Done < p.Total && now - p.LastTicks < Stopwatch.Frequency / 10)
            {
                return;
            }
            p.LastTicks = now;
            ProgressRecord record = new ProgressRecord(p.ActivityId, p.Activity, p.Done + " of " + p.Total + (item == null ? "" : ": " + item))
            {
                PercentComplete = (int)(100L * p.Done / p.Total),
            };
            WriteProgress(record);
        }

        /// <summary>
        /// Runs <paramref name="work"/> for each item: items of one host one after the other, hosts in parallel (at
        /// most ThrottleLimit at once). Outputs keep the items' order within a host; with <paramref name="ordered"/>
        /// they also keep the hosts' order (each host's output is held until the hosts before it are done). Errors
        /// thrown by the work become non-terminating ErrorRecords for that item. Progress is written for more than
        /// one item (and not at all when $ProgressPreference is SilentlyContinue).
        /// </summary>
        protected void RunParallel<T>(IList<T> items, Func<T, object> hostOf, Action<T, Sink> work,
            string activity, Func<T, string> describe, bool ordered = false)
        {
            if (items.Count == 0)
            {
                return;
            }
            List<object> hosts = new List<object>();
            List<List<T>> groups = new List<List<T>>();
            foreach (T item in items)
            {
                object h = hostOf(item);
                int g = hosts.IndexOf(h);
                if (g < 0)
                {
                    hosts.Add(h);
                    groups.Add(new List<T>());
                    g = groups.Count - 1;
                }
                groups[g].Add(item);
            }
            if (items.Count > 1 && activity != null)
            {
                _progress = new ProgressState
                {
                    ActivityId = (GetType().FullName.GetHashCode() & 0x7fffffff) % 100000 + 1,
                    Activity = activity,
                    Total = items.Count,
                    LastTicks = Stopwatch.GetTimestamp(),
                };
                WriteProgress(new ProgressRecord(_progress.ActivityId, activity, "0 of " + items.Count) { PercentComplete = 0 });
            }
            try
            {
                if (groups.Count == 1)
                {
                    // One host: no threads; its calls are sequential anyway.
                    Sink sink = new Sink(this, null, _stop.Token);
                    RunGroup(groups[0], work, describe, sink);
                }
                else
                {
                    RunGroups(groups, work, describe, ordered);
                }
            }
            finally
            {
                if (_progress != null)
                {
                    WriteProgress(new ProgressRecord(_progress.ActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
                    _progress = null;
                }
            }
        }

        private static void RunGroup<T>(List<T> group, Action<T, Sink> work, Func<T, string> describe, Sink sink)
        {
            foreach (T item in group)
            {
                if (sink.Token.IsCancellationRequested)
                {
                    return;
                }
                try
                {
                    work(item, sink);
                }
                catch (HvErrorRecordException e)
                {
                    sink.Error(e.Record);
                }
                catch (Exception e) when (!(e is PipelineStoppedException))
                {
                    sink.Error(HvErrors.From(e, item));
                }
                sink.Done(describe?.Invoke(item));
            }
        }

        private void RunGroups<T>(List<List<T>> groups, Action<T, Sink> work, Func<T, string> describe, bool ordered)
        {
            using (BlockingCollection<Message> queue = new BlockingCollection<Message>())
            using (SemaphoreSlim throttle = new SemaphoreSlim(ThrottleLimit))
            {
                int remaining = groups.Count;
                for (int g = 0; g < groups.Count; g++)
                {
                    List<T> group = groups[g];
                    Sink sink = new Sink(this, queue, _stop.Token) { Group = g };
                    Task.Factory.StartNew(() =>
                    {
                        bool entered = false;
                        try
                        {
                            throttle.Wait(sink.Token);
                            entered = true;
                            RunGroup(group, work, describe, sink);
                        }
                        catch (OperationCanceledException)
                        {
                        }
                        finally
                        {
                            if (entered)
                            {
                                throttle.Release();
                            }
                            queue.Add(new Message(MessageKind.GroupDone, null, sink.Group));
                        }
                    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }

                List<Message>[] held = ordered ? new List<Message>[groups.Count] : null;
                bool[] done = new bool[groups.Count];
                int next = 0;
                while (remaining > 0)
                {
                    Message m;
                    try
                    {
                        m = queue.Take(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    if (m.Kind == MessageKind.GroupDone)
                    {
                        remaining--;
                        done[m.Group] = true;
                    }
                    else if (ordered && m.Kind == MessageKind.Output && m.Group != next)
                    {
                        (held[m.Group] ?? (held[m.Group] = new List<Message>())).Add(m);
                    }
                    else
                    {
                        Deliver(m);
                    }
                    if (ordered)
                    {
                        while (next < groups.Count && done[next])
                        {
                            next++;
                            if (next < groups.Count && held[next] != null)
                            {
                                foreach (Message h in held[next])
                                {
                                    Deliver(h);
                                }
                                held[next] = null;
                            }
                        }
                    }
                }
            }
        }

        /// <summary>Sleeps up to <paramref name="ms"/>; false when the pipeline is being stopped.</summary>
        protected static bool Pause(Sink sink, int ms)
        {
            return !sink.Token.WaitHandle.WaitOne(ms);
        }
    }
}
