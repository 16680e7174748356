using System;
using System.Collections.Generic;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;

namespace Hv.PowerShell
{
    /// <summary>
    /// Base of the cmdlets that act on VMs: by -Name (wildcards, on -Server or the default connection) or by VM
    /// objects from the pipeline (each carries its host). Targets are gathered over the whole pipeline input, names
    /// resolved with one listing per host, confirmed one by one (ShouldProcess), then worked on — hosts in parallel.
    /// </summary>
    public abstract class VmCmdlet : HvCmdlet
    {
        internal const string NameSet = "Name";
        internal const string VmSet = "VM";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        [Alias("VMName")]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = VmSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvVm[] VM { get; set; }

        [Parameter(ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<HvVm> _vms = new List<HvVm>();
        private readonly List<KeyValuePair<HvHost, string>> _names = new List<KeyValuePair<HvHost, string>>();

        /// <summary>The ShouldProcess action ("Stop"), or null for cmdlets that change nothing.</summary>
        protected virtual string Action => null;

        /// <summary>Progress activity for several VMs.</summary>
        protected abstract string Activity { get; }

        /// <summary>-Force (skips confirmation) where the cmdlet has it.</summary>
        protected virtual bool ForceConfirm => false;

        /// <summary>Keeps the hosts' order in the output.</summary>
        protected virtual bool Ordered => false;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == VmSet)
            {
                foreach (HvVm vm in VM)
                {
                    if (vm != null)
                    {
                        _vms.Add(vm);
                    }
                }
                return;
            }
            foreach (HvHost host in ResolveServers(Server))
            {
                foreach (string n in Name)
                {
                    _names.Add(new KeyValuePair<HvHost, string>(host, n));
                }
            }
        }

        protected override void EndProcessing()
        {
            List<HvVm> targets = new List<HvVm>(_vms);
            if (_names.Count > 0)
            {
                targets.AddRange(ResolveNames(_names));
            }
            List<HvVm> approved = new List<HvVm>();
            HashSet<string> seen = new HashSet<string>();
            foreach (HvVm vm in targets)
            {
                if (vm.Server == null)
                {
                    WriteError(HvErrors.Make("Hv.NoServer", ErrorCategory.InvalidArgument, "The VM object '" + vm.Name + "' has no host connection.", vm));
                    continue;
                }
                if (!seen.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(vm.Server) + "/" + vm.Id))
                {
                    continue;
                }
                if (Action == null || Approve(Describe(vm), Action, ForceConfirm))
                {
                    approved.Add(vm);
                }
            }
            BeforeWork(approved);
            if (!WorkPerHost)
            {
                RunParallel(approved, vm => vm.Server, Work, Activity, vm => vm.Name, Ordered);
                return;
            }
            List<List<HvVm>> groups = new List<List<HvVm>>();
            foreach (HvVm vm in approved)
            {
                List<HvVm> g = groups.Find(x => ReferenceEquals(x[0].Server, vm.Server));
                if (g == null)
                {
                    groups.Add(g = new List<HvVm>());
                }
                g.Add(vm);
            }
            RunParallel(groups, g => g[0].Server, WorkHost, null, null, Ordered);
        }

        /// <summary>True: <see cref="WorkHost"/> gets all the VMs of one host at once (to interleave long waits).</summary>
        protected virtual bool WorkPerHost => false;

        /// <summary>The work for all the VMs of one host, when <see cref="WorkPerHost"/>.</summary>
        protected virtual void WorkHost(List<HvVm> vms, Sink sink)
        {
            foreach (HvVm vm in vms)
            {
                Work(vm, sink);
            }
        }

        /// <summary>
        /// Polls each VM's <paramref name="step"/> in turn until every one says it is done (true), with a delay that
        /// grows from 5 to 200 ms while nothing happens. A step that throws ends that VM's wait with its error.
        /// </summary>
        protected static void PollAll(List<HvVm> vms, Func<HvVm, bool> step, Sink sink)
        {
            List<HvVm> pending = new List<HvVm>(vms);
            int delay = 5;
            while (pending.Count > 0)
            {
                for (int i = 0; i < pending.Count; i++)
                {
                    bool done;
                    try
                    {
                        done = step(pending[i]);
                    }
                    catch (HvErrorRecordException e)
                    {
                        sink.Error(e.Record);
                        done = true;
                    }
                    catch (Exception e) when (!(e is PipelineStoppedException))
                    {
                        sink.Error(HvErrors.From(e, pending[i]));
                        done = true;
                    }
                    if (done)
                    {
                        pending.RemoveAt(i--);
                    }
                }
                if (pending.Count == 0 || !Pause(sink, delay))
                {
                    return;
                }
                delay = Math.Min(delay * 2, 200);
            }
        }

        /// <summary>Called on the pipeline thread with the confirmed targets, before the work starts.</summary>
        protected virtual void BeforeWork(List<HvVm> vms)
        {
        }

        /// <summary>The work for one VM (on a worker thread: use the sink, not WriteObject).</summary>
        protected abstract void Work(HvVm vm, Sink sink);

        internal static string Describe(HvVm vm) => "VM '" + vm.Name + "' (id " + vm.Id + ") on " + vm.ComputerName;

        /// <summary>Lists each host once and matches the names; a literal name found on no host is ObjectNotFound.</summary>
        private List<HvVm> ResolveNames(List<KeyValuePair<HvHost, string>> names)
        {
            List<HvHost> hosts = new List<HvHost>();
            foreach (KeyValuePair<HvHost, string> p in names)
            {
                if (!hosts.Contains(p.Key))
                {
                    hosts.Add(p.Key);
                }
            }
            Dictionary<HvHost, VmInfo[]> lists = new Dictionary<HvHost, VmInfo[]>();
            RunParallel(hosts, h => h, (h, sink) =>
            {
                VmInfo[] list = h.Client.ListVms();
                lock (lists)
                {
                    lists[h] = list;
                }
            }, null, null);
            List<HvVm> result = new List<HvVm>();
            Dictionary<string, bool> found = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<HvHost, string> p in names)
            {
                if (!found.ContainsKey(p.Value))
                {
                    found[p.Value] = false;
                }
                if (!lists.TryGetValue(p.Key, out VmInfo[] list))
                {
                    found[p.Value] = true; // the listing failed and was reported; do not also say "not found"
                    continue;
                }
                WildcardPattern pattern = WildcardPattern.Get(p.Value, WildcardOptions.IgnoreCase);
                foreach (VmInfo info in list)
                {
                    if (pattern.IsMatch(info.Name))
                    {
                        result.Add(new HvVm(p.Key, info));
                        found[p.Value] = true;
                    }
                }
            }
            foreach (KeyValuePair<string, bool> f in found)
            {
                if (!f.Value && !WildcardPattern.ContainsWildcardCharacters(f.Key))
                {
                    WriteError(NotFound(f.Key));
                }
            }
            return result;
        }

        internal static ErrorRecord NotFound(string name)
        {
            return HvErrors.Make("Hv.VmNotFound", ErrorCategory.ObjectNotFound, "No VM named '" + name + "' was found.", name);
        }

        // ---- helpers for the work ---------------------------------------------------------------------------

        /// <summary>The VM as the host sees it now (all fields).</summary>
        internal static HvVm Fresh(HvVm vm)
        {
            return new HvVm(vm.Server, vm.Server.Client.GetVm(vm.Id));
        }

        /// <summary>Polls until the VM is Stopped (or gone), up to <paramref name="timeoutMs"/>.</summary>
        protected static HvVm WaitStopped(HvVm vm, int timeoutMs, Sink sink)
        {
            System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
            int delay = 5;
            while (true)
            {
                HvVm now = Fresh(vm);
                if (now.State == VmState.Stopped || now.State == VmState.Removed)
                {
                    return now;
                }
                if (watch.ElapsedMilliseconds >= timeoutMs)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.StopTimeout", ErrorCategory.OperationTimeout,
                        Describe(vm) + " did not stop within " + (timeoutMs / 1000.0) + " s (it is " + now.State + ").", vm));
                }
                if (!Pause(sink, delay))
                {
                    throw new PipelineStoppedException();
                }
                delay = Math.Min(delay * 2, 100);
            }
        }

        /// <summary>
        /// Asks the host to stop the VM and waits until it has. A VM already stopped is left alone (so clean-up
        /// pipelines can run twice).
        /// </summary>
        protected static HvVm StopAndWait(HvVm vm, bool turnOff, int gracefulMs, Sink sink)
        {
            try
            {
                vm.Server.Client.StopVm(vm.Id, turnOff, (uint)gracefulMs);
            }
            catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidState)
            {
                HvVm now = Fresh(vm);
                if (now.State == VmState.Stopped)
                {
                    sink.Verbose(Describe(vm) + " was already stopped.");
                    return now;
                }
                throw;
            }
            return WaitStopped(vm, gracefulMs + vm.Server.TimeoutMs, sink);
        }
    }
}
