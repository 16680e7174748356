using System;
using System.Collections.Generic;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell
{
    /// <summary>
    /// What every cmdlet that acts on existing VMs shares: the VMs come by name (wildcards, on -Server or the default
    /// connection) or as VM objects from the pipeline (each carries its host). Targets are gathered over the whole
    /// pipeline input and names resolved with one listing per host (<see cref="Targets"/>). Derived classes declare
    /// the parameters (<see cref="VmCmdlet"/>: -Name/-VM/-Server; <see cref="VmSubjectCmdlet"/>: -VMName/-VM/-Server).
    /// </summary>
    public abstract class VmTargetCmdlet : HvCmdlet
    {
        internal const string VmSet = "VM";

        private readonly List<HvVm> _vms = new List<HvVm>();
        private readonly List<KeyValuePair<HvHost, string>> _names = new List<KeyValuePair<HvHost, string>>();

        /// <summary>True when this record's VMs come as objects (-VM), false when by name.</summary>
        protected abstract bool ByObject { get; }

        /// <summary>The -VM parameter's value.</summary>
        protected abstract HvVm[] InputVms { get; }

        /// <summary>The VM names parameter's value.</summary>
        protected abstract string[] InputVmNames { get; }

        /// <summary>The -Server parameter's value.</summary>
        protected abstract HvHost[] InputServers { get; }

        protected override void ProcessRecord()
        {
            CollectRecord();
        }

        /// <summary>Adds this record's VMs (objects, or names per host) to the targets.</summary>
        protected void CollectRecord()
        {
            if (ByObject)
            {
                foreach (HvVm vm in InputVms)
                {
                    if (vm != null)
                    {
                        _vms.Add(vm);
                    }
                }
                return;
            }
            foreach (HvHost host in ResolveServers(InputServers))
            {
                foreach (string n in InputVmNames)
                {
                    _names.Add(new KeyValuePair<HvHost, string>(host, n));
                }
            }
        }

        /// <summary>Every VM gathered so far, names resolved (one listing per host), duplicates dropped, in input order.</summary>
        protected List<HvVm> Targets()
        {
            List<HvVm> targets = new List<HvVm>(_vms);
            if (_names.Count > 0)
            {
                targets.AddRange(ResolveNames(_names));
            }
            List<HvVm> result = new List<HvVm>();
            HashSet<string> seen = new HashSet<string>();
            foreach (HvVm vm in targets)
            {
                if (vm.Server == null)
                {
                    WriteError(HvErrors.Make("Hv.NoServer", ErrorCategory.InvalidArgument, "The VM object '" + vm.Name + "' has no host connection.", vm));
                    continue;
                }
                if (seen.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(vm.Server) + "/" + vm.Id))
                {
                    result.Add(vm);
                }
            }
            return result;
        }

        internal static string Describe(HvVm vm) => "VM '" + vm.Name + "' (id " + vm.Id + ") on " + vm.ComputerName;

        /// <summary>Lists each host once and matches the names; a literal name found on no host is ObjectNotFound.</summary>
        private List<HvVm> ResolveNames(List<KeyValuePair<HvHost, string>> names)
        {
            return FindByName(names, h => h.Client.ListVms(), info => info.Name, NotFound).ConvertAll(p => new HvVm(p.Key, p.Value));
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

        /// <summary>Turns a paused or running VM off and removes it (the removal was confirmed already).</summary>
        protected static void RemoveForce(HvVm vm, Sink sink)
        {
            try
            {
                vm.Server.Client.RemoveVm(vm.Id);
            }
            catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidState)
            {
                StopAndWait(vm, true, 0, sink);
                vm.Server.Client.RemoveVm(vm.Id);
            }
        }
    }

    /// <summary>
    /// Base of the cmdlets that act on VMs given as -Name (wildcards, on -Server or the default connection) or as VM
    /// objects from the pipeline: targets are gathered over the whole pipeline input, confirmed one by one
    /// (ShouldProcess), then worked on — hosts in parallel.
    /// </summary>
    public abstract class VmCmdlet : VmTargetCmdlet
    {
        internal const string NameSet = "Name";

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

        protected override bool ByObject => ParameterSetName == VmSet;
        protected override HvVm[] InputVms => VM;
        protected override string[] InputVmNames => Name;
        protected override HvHost[] InputServers => Server;

        /// <summary>The ShouldProcess action ("Stop"), or null for cmdlets that change nothing.</summary>
        protected virtual string Action => null;

        /// <summary>Progress activity for several VMs.</summary>
        protected abstract string Activity { get; }

        /// <summary>-Force (skips confirmation) where the cmdlet has it.</summary>
        protected virtual bool ForceConfirm => false;

        /// <summary>Keeps the hosts' order in the output.</summary>
        protected virtual bool Ordered => false;

        /// <summary>The ShouldProcess target for a VM (default: <see cref="VmTargetCmdlet.Describe"/>).</summary>
        protected virtual string ConfirmTarget(HvVm vm) => Describe(vm);

        protected override void EndProcessing()
        {
            List<HvVm> approved = new List<HvVm>();
            foreach (HvVm vm in Targets())
            {
                if (Action == null || Approve(ConfirmTarget(vm), Action, ForceConfirm))
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
    }

    /// <summary>
    /// Base of the cmdlets whose -Name is not the VM's (a snapshot's, a copy's): the VM comes as -VMName (wildcards, on
    /// -Server or the default connection) or as -VM objects from the pipeline. Derived cmdlets make the VM parameter
    /// set their default: PowerShell binds pipeline input to the default set when it can take it, and an HvVm object
    /// has no VMName property to bind by name.
    /// </summary>
    public abstract class VmSubjectCmdlet : VmTargetCmdlet
    {
        internal const string VmNameSet = "VMName";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = VmNameSet, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        public string[] VMName { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = VmSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvVm[] VM { get; set; }

        [Parameter(ParameterSetName = VmNameSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        protected override bool ByObject => ParameterSetName == VmSet;
        protected override HvVm[] InputVms => VM;
        protected override string[] InputVmNames => VMName;
        protected override HvHost[] InputServers => Server;
    }
}
