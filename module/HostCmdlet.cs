using System;
using System.Collections.Generic;
using System.Threading;

namespace Hv.PowerShell
{
    /// <summary>
    /// Base of the cmdlets that do one thing on each target host: the hosts come from -Server (pipeline input included)
    /// or the default connection, each once, in order; <see cref="ForEachHost"/> works on them in parallel and keeps the
    /// hosts' order in the output.
    /// </summary>
    public abstract class HostCmdlet : HvCmdlet
    {
        private readonly List<HvHost> _hosts = new List<HvHost>();
        private int _failed;

        /// <summary>The -Server parameter's value.</summary>
        protected abstract HvHost[] InputServers { get; }

        /// <summary>The target hosts gathered so far.</summary>
        protected IReadOnlyList<HvHost> Hosts => _hosts;

        /// <summary>True when the work failed on every host (each said why: "not found" errors would only add noise).</summary>
        protected bool EveryHostFailed => _hosts.Count > 0 && _failed == _hosts.Count;

        protected override void ProcessRecord()
        {
            foreach (HvHost h in ResolveServers(InputServers))
            {
                if (!_hosts.Contains(h))
                {
                    _hosts.Add(h);
                }
            }
        }

        /// <summary>Runs <paramref name="work"/> on every target host (in parallel, at most ThrottleLimit at once).</summary>
        protected void ForEachHost(Action<HvHost, Sink> work, string activity)
        {
            RunParallel(_hosts, h => h, (h, sink) =>
            {
                try
                {
                    work(h, sink);
                }
                catch
                {
                    Interlocked.Increment(ref _failed);
                    throw;
                }
            }, activity, h => h.ToString(), ordered: true);
        }
    }
}
