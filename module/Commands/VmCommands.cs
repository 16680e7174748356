using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>
    /// New-HvVm: creates VMs from a template (and starts them with -Start). With -Count each name is a base name and the
    /// host makes Name-1 .. Name-Count in one request, all or none.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "HvVm", DefaultParameterSetName = TemplateObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class NewHvVmCommand : HvCmdlet
    {
        private const string NameSet = "Name";
        // The default, so that positional names still bind before a piped template object arrives; -Template
        // (or a second positional argument) selects the Name set.
        private const string TemplateObjectSet = "TemplateObject";

        /// <summary>The VM names; with a template object from the pipeline they default to the template's name.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
        [Parameter(Position = 0, ParameterSetName = TemplateObjectSet)]
        [ValidateNotNullOrEmpty]
        [Alias("VMName")]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string Template { get; set; }

        /// <summary>Template objects (Get-HvTemplate): each carries its host, so VMs are made where the template is.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = TemplateObjectSet)]
        [ValidateNotNull]
        public HvTemplate InputObject { get; set; }

        /// <summary>Guest memory (MiB); the template's when omitted.</summary>
        [Parameter]
        [ValidateRange(1, 1048576)]
        public uint MemoryMB { get; set; }

        /// <summary>Virtual processors (1..4; above 1 only for a template that boots Linux); 1 when omitted.</summary>
        [Parameter]
        [ValidateRange(1, 4)]
        public uint ProcessorCount { get; set; }

        /// <summary>Make Name-1 .. Name-Count from each name, in one request per name and host, all or none.</summary>
        [Parameter]
        [ValidateRange(1, ProtocolInfo.MaxVmsPerCreate)]
        public int Count { get; set; }

        [Parameter]
        public SwitchParameter Start { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private sealed class Creation
        {
            public HvHost Host;
            public string Name;
            public string Template;
        }

        private readonly List<Creation> _work = new List<Creation>();

        private bool Counted => MyInvocation.BoundParameters.ContainsKey("Count");

        protected override void ProcessRecord()
        {
            string template = InputObject != null ? InputObject.Name : Template;
            HvHost[] hosts = InputObject != null && Server == null ? new[] { InputObject.Server } : ResolveServers(Server);
            string[] names = Name ?? new[] { InputObject.Name };
            foreach (HvHost h in hosts)
            {
                foreach (string n in names)
                {
                    string what = Counted
                        ? (Count == 1 ? "VM '" + n + "-1'" : "VMs '" + n + "-1' .. '" + n + "-" + Count + "'")
                        : "VM '" + n + "'";
                    if (ShouldProcess(what + " from template '" + template + "' on " + h, "Create"))
                    {
                        _work.Add(new Creation { Host = h, Name = n, Template = template });
                    }
                }
            }
        }

        protected override void EndProcessing()
        {
            RunParallel(_work, p => p.Host, (p, sink) =>
            {
                HvHost h = p.Host;
                string template = p.Template;
                uint[] ids;
                string made = Counted ? "VMs '" + p.Name + "-1' .. '" + p.Name + "-" + Count + "'" : "VM '" + p.Name + "'";
                try
                {
                    ids = Counted
                        ? h.Client.CreateVms(template, p.Name, Count, MemoryMB, ProcessorCount)
                        : new[] { h.Client.CreateVm(template, p.Name, MemoryMB, ProcessorCount) };
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.TemplateNotFound", ErrorCategory.ObjectNotFound,
                        "Cannot create " + made + ": " + h + " has no template '" + template + "' (Get-HvTemplate lists them).", template, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.VmExists", ErrorCategory.ResourceExists,
                        "Cannot create " + made + ": " + h + " already has a VM with " + (Counted ? "one of those names" : "that name")
                        + (Counted ? " (none was created)." : "."), p.Name, e));
                }
                catch (HvProtocolException e) when (Counted && e.Code == ErrorCode.Unsupported)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        "Cannot create " + made + ": " + h + " does not support -Count (" + e.Message + ").", p.Name, e));
                }
                if (Start)
                {
                    foreach (uint id in ids)
                    {
                        h.Client.StartVm(id);
                    }
                }
                if (!Counted)
                {
                    sink.Output(new HvVm(h, h.Client.GetVm(ids[0])));
                    return;
                }
                // Many VMs: one paged listing instead of a request per VM (summary fields).
                Dictionary<uint, VmInfo> listed = new Dictionary<uint, VmInfo>();
                foreach (VmInfo info in h.Client.ListVms())
                {
                    listed[info.Id] = info;
                }
                foreach (uint id in ids)
                {
                    sink.Output(new HvVm(h, listed.TryGetValue(id, out VmInfo info) ? info : h.Client.GetVm(id)));
                }
            }, Start ? "Creating and starting VMs" : "Creating VMs", p => p.Name);
        }
    }

    /// <summary>
    /// Get-HvVm: the VMs of one or more hosts. One paged listing per host (a few round trips for hundreds of VMs),
    /// hosts in parallel; -Detailed or -Id read every field of each VM.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "HvVm", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVm))]
    public sealed class GetHvVmCommand : HostCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VmNameCompleter))]
        [Alias("VMName")]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = IdSet)]
        public uint[] Id { get; set; }

        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        /// <summary>Only VMs in these states.</summary>
        [Parameter]
        public VmState[] State { get; set; }

        /// <summary>Read every field (template, stop detail, exit code, run time): one more call per VM.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override HvHost[] InputServers => Server;

        protected override void EndProcessing()
        {
            NameFilter names = new NameFilter(Name);
            Dictionary<uint, bool> foundIds = new Dictionary<uint, bool>();
            foreach (uint id in Id ?? new uint[0])
            {
                foundIds[id] = false;
            }
            ForEachHost((h, sink) =>
            {
                if (ParameterSetName == IdSet)
                {
                    foreach (uint id in Id)
                    {
                        VmInfo info;
                        try
                        {
                            info = h.Client.GetVm(id);
                        }
                        catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                        {
                            continue;
                        }
                        lock (foundIds)
                        {
                            foundIds[id] = true;
                        }
                        if (StateMatches(info.State))
                        {
                            sink.Output(new HvVm(h, info));
                        }
                    }
                    return;
                }
                foreach (VmInfo info in h.Client.ListVms())
                {
                    if (!names.Matches(info.Name) || !StateMatches(info.State))
                    {
                        continue;
                    }
                    if (Detailed)
                    {
                        VmInfo full;
                        try
                        {
                            full = h.Client.GetVm(info.Id);
                        }
                        catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                        {
                            continue; // removed meanwhile
                        }
                        sink.Output(new HvVm(h, full));
                    }
                    else
                    {
                        sink.Output(new HvVm(h, info));
                    }
                }
            }, Detailed || ParameterSetName == IdSet ? "Reading VMs" : "Listing VMs");

            if (EveryHostFailed)
            {
                return;
            }
            foreach (string name in names.Missing())
            {
                WriteError(VmCmdlet.NotFound(name));
            }
            foreach (KeyValuePair<uint, bool> f in foundIds)
            {
                if (!f.Value)
                {
                    WriteError(HvErrors.Make("Hv.VmNotFound", ErrorCategory.ObjectNotFound, "No VM with id " + f.Key + " was found.", f.Key));
                }
            }
        }

        private bool StateMatches(VmState state)
        {
            return State == null || State.Length == 0 || Array.IndexOf(State, state) >= 0;
        }
    }

    /// <summary>Remove-HvVm: turns the VM off if it runs, then removes it.</summary>
    [Cmdlet(VerbsCommon.Remove, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvVmCommand : VmCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override string Action => "Remove";
        protected override string Activity => "Removing VMs";
        protected override bool ForceConfirm => Force;

        protected override void Work(HvVm vm, Sink sink)
        {
            // Running or paused: turned off first (the removal was confirmed already).
            RemoveForce(vm, sink);
        }
    }

    /// <summary>Measure-HvVm: per-VM counters.</summary>
    [Cmdlet(VerbsDiagnostic.Measure, "HvVm", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVmMetrics))]
    public sealed class MeasureHvVmCommand : VmCmdlet
    {
        protected override string Activity => "Measuring VMs";
        protected override bool Ordered => true;

        protected override void Work(HvVm vm, Sink sink)
        {
            // GetVm: the counters with the CPU weight and cap they are measured against, in one request.
            VmInfo info = vm.Server.Client.GetVm(vm.Id);
            sink.Output(new HvVmMetrics(vm, info.Metrics, info));
        }
    }

    /// <summary>Wait-HvVm: waits until VMs reach a state or print a console pattern, with a timeout.</summary>
    [Cmdlet(VerbsLifecycle.Wait, "HvVm", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVm))]
    public sealed class WaitHvVmCommand : VmCmdlet
    {
        /// <summary>The state to wait for (Stopped when neither -State nor -ConsolePattern is given).</summary>
        [Parameter]
        public VmState State { get; set; }

        /// <summary>A regular expression to wait for in the console output (from offset 0).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ConsolePattern { get; set; }

        /// <summary>Seconds to wait before giving up (an OperationTimeout error).</summary>
        [Parameter]
        [ValidateRange(1, 604800)]
        public int Timeout { get; set; } = 60;

        /// <summary>Output the VM (all fields, as it is when the wait ends).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private Regex _regex;
        private bool _wantState;

        protected override string Activity => "Waiting for VMs";

        protected override void BeginProcessing()
        {
            _wantState = MyInvocation.BoundParameters.ContainsKey("State") || ConsolePattern == null;
            if (!MyInvocation.BoundParameters.ContainsKey("State"))
            {
                State = VmState.Stopped;
            }
            if (ConsolePattern != null)
            {
                try
                {
                    _regex = new Regex(ConsolePattern, RegexOptions.Multiline | RegexOptions.CultureInvariant);
                }
                catch (ArgumentException e)
                {
                    ThrowTerminatingError(HvErrors.Make("Hv.InvalidPattern", ErrorCategory.InvalidArgument,
                        "-ConsolePattern is not a valid regular expression: " + e.Message, ConsolePattern, e));
                }
            }
        }

        protected override bool WorkPerHost => true;

        protected override void BeforeWork(List<HvVm> vms)
        {
            _deadline = Stopwatch.GetTimestamp() + Timeout * Stopwatch.Frequency;
        }

        private long _deadline;

        protected override void Work(HvVm vm, Sink sink)
        {
            WorkHost(new List<HvVm> { vm }, sink);
        }

        /// <summary>Polls the VMs of one host in turn (one shared deadline for all).</summary>
        protected override void WorkHost(List<HvVm> vms, Sink sink)
        {
            Dictionary<HvVm, KeyValuePair<ConsoleReader, StringBuilder>> consoles = new Dictionary<HvVm, KeyValuePair<ConsoleReader, StringBuilder>>();
            foreach (HvVm vm in vms)
            {
                consoles[vm] = new KeyValuePair<ConsoleReader, StringBuilder>(_regex != null ? new ConsoleReader(vm, 0) : null, new StringBuilder());
            }
            PollAll(vms, vm => Step(vm, consoles[vm].Key, consoles[vm].Value, sink), sink);
        }

        private bool Step(HvVm vm, ConsoleReader reader, StringBuilder text, Sink sink)
        {
            HvVm now;
            try
            {
                now = Fresh(vm);
            }
            catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound && _wantState && State == VmState.Removed)
            {
                return true;
            }
            if (reader != null)
            {
                reader.Drain(text);
                if (_regex.IsMatch(text.ToString()))
                {
                    Done(now, sink);
                    return true;
                }
                if (text.Length > 65536)
                {
                    text.Remove(0, text.Length - 32768);
                }
            }
            if (_wantState && now.State == State)
            {
                Done(now, sink);
                return true;
            }
            if (now.State == VmState.Stopped || now.State == VmState.Removed)
            {
                bool patternOnly = reader != null && !_wantState;
                string why = patternOnly
                    ? "stopped without printing anything that matches '" + ConsolePattern + "'"
                    : "stopped, so it will not become " + State;
                throw new HvErrorRecordException(HvErrors.Make(patternOnly ? "Hv.ConsolePatternNotFound" : "Hv.StateUnreachable",
                    ErrorCategory.InvalidResult, Describe(vm) + " " + why + " (" + now.StopReason
                    + (string.IsNullOrEmpty(now.StopDetail) ? "" : ": " + now.StopDetail) + ").", now));
            }
            if (Stopwatch.GetTimestamp() >= _deadline)
            {
                string what = (_wantState ? "state " + State : "") + (_wantState && reader != null ? " or " : "")
                    + (reader != null ? "console pattern '" + ConsolePattern + "'" : "");
                throw new HvErrorRecordException(HvErrors.Make("Hv.WaitTimeout", ErrorCategory.OperationTimeout,
                    Describe(vm) + " did not reach " + what + " within " + Timeout + " s (it is " + now.State + ").", now));
            }
            return false;
        }

        private void Done(HvVm vm, Sink sink)
        {
            if (PassThru)
            {
                sink.Output(vm);
            }
        }
    }
}
