using System;
using System.Collections.Generic;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>
    /// Get-HvVm: the VMs of one or more hosts. One paged listing per host (a few round trips for hundreds of VMs),
    /// hosts in parallel; -Detailed or -Id read every field of each VM.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "HvVm", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVm))]
    public sealed class GetHvVmCommand : HvCmdlet
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

        private readonly List<HvHost> _hosts = new List<HvHost>();

        protected override void ProcessRecord()
        {
            foreach (HvHost h in ResolveServers(Server))
            {
                if (!_hosts.Contains(h))
                {
                    _hosts.Add(h);
                }
            }
        }

        protected override void EndProcessing()
        {
            Dictionary<string, bool> found = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            List<KeyValuePair<string, WildcardPattern>> patterns = new List<KeyValuePair<string, WildcardPattern>>();
            if (Name != null)
            {
                foreach (string n in Name)
                {
                    found[n] = false;
                    patterns.Add(new KeyValuePair<string, WildcardPattern>(n, WildcardPattern.Get(n, WildcardOptions.IgnoreCase)));
                }
            }
            Dictionary<uint, bool> foundIds = new Dictionary<uint, bool>();
            if (Id != null)
            {
                foreach (uint id in Id)
                {
                    foundIds[id] = false;
                }
            }
            HashSet<HvHost> failed = new HashSet<HvHost>();
            RunParallel(_hosts, h => h, (h, sink) =>
            {
                try
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
                        if (!NameMatches(info.Name, patterns, found) || !StateMatches(info.State))
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
                }
                catch
                {
                    lock (failed)
                    {
                        failed.Add(h);
                    }
                    throw;
                }
            }, Detailed || ParameterSetName == IdSet ? "Reading VMs" : "Listing VMs", h => h.ToString(), ordered: true);

            if (failed.Count == _hosts.Count)
            {
                return; // every host failed and said so; "not found" would only add noise
            }
            foreach (KeyValuePair<string, bool> f in found)
            {
                if (!f.Value && !WildcardPattern.ContainsWildcardCharacters(f.Key))
                {
                    WriteError(VmCmdlet.NotFound(f.Key));
                }
            }
            foreach (KeyValuePair<uint, bool> f in foundIds)
            {
                if (!f.Value)
                {
                    WriteError(HvErrors.Make("Hv.VmNotFound", ErrorCategory.ObjectNotFound, "No VM with id " + f.Key + " was found.", f.Key));
                }
            }
        }

        private static bool NameMatches(string name, List<KeyValuePair<string, WildcardPattern>> patterns, Dictionary<string, bool> found)
        {
            if (patterns.Count == 0)
            {
                return true;
            }
            bool any = false;
            foreach (KeyValuePair<string, WildcardPattern> pattern in patterns)
            {
                if (pattern.Value.IsMatch(name))
                {
                    any = true;
                    lock (found)
                    {
                        found[pattern.Key] = true;
                    }
                }
            }
            return any;
        }

        private bool StateMatches(VmState state)
        {
            return State == null || State.Length == 0 || Array.IndexOf(State, state) >= 0;
        }
    }

    /// <summary>Get-HvTemplate: the templates of one or more hosts.</summary>
    [Cmdlet(VerbsCommon.Get, "HvTemplate")]
    [OutputType(typeof(HvTemplate))]
    public sealed class GetHvTemplateCommand : HvCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<HvHost> _hosts = new List<HvHost>();

        protected override void ProcessRecord()
        {
            foreach (HvHost h in ResolveServers(Server))
            {
                if (!_hosts.Contains(h))
                {
                    _hosts.Add(h);
                }
            }
        }

        protected override void EndProcessing()
        {
            Dictionary<string, bool> found = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            if (Name != null)
            {
                foreach (string n in Name)
                {
                    found[n] = false;
                }
            }
            int failures = 0;
            RunParallel(_hosts, h => h, (h, sink) =>
            {
                TemplateInfo[] list;
                try
                {
                    list = h.Client.ListTemplates();
                }
                catch
                {
                    System.Threading.Interlocked.Increment(ref failures);
                    throw;
                }
                foreach (TemplateInfo t in list)
                {
                    bool match = Name == null;
                    if (Name != null)
                    {
                        foreach (string n in Name)
                        {
                            if (WildcardPattern.Get(n, WildcardOptions.IgnoreCase).IsMatch(t.Name))
                            {
                                match = true;
                                lock (found)
                                {
                                    found[n] = true;
                                }
                            }
                        }
                    }
                    if (match)
                    {
                        sink.Output(new HvTemplate(h, t));
                    }
                }
            }, "Listing templates", h => h.ToString(), ordered: true);
            if (failures == _hosts.Count)
            {
                return;
            }
            foreach (KeyValuePair<string, bool> f in found)
            {
                if (!f.Value && !WildcardPattern.ContainsWildcardCharacters(f.Key))
                {
                    WriteError(HvErrors.Make("Hv.TemplateNotFound", ErrorCategory.ObjectNotFound, "No template named '" + f.Key + "' was found.", f.Key));
                }
            }
        }
    }

    /// <summary>
    /// New-HvVm: creates VMs from a template (and starts them with -Start). With -Count each name is a base name and the
    /// host makes Name-1 .. Name-Count in one request, all or none.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "HvVm", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class NewHvVmCommand : HvCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [Alias("VMName")]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(TemplateNameCompleter))]
        public string Template { get; set; }

        /// <summary>Guest memory (MiB); the template's when omitted.</summary>
        [Parameter]
        [ValidateRange(1, 1048576)]
        public uint MemoryMB { get; set; }

        /// <summary>Virtual processors; the template's when omitted.</summary>
        [Parameter]
        [ValidateRange(1, 256)]
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

        private readonly List<KeyValuePair<HvHost, string>> _work = new List<KeyValuePair<HvHost, string>>();

        private bool Counted => MyInvocation.BoundParameters.ContainsKey("Count");

        protected override void ProcessRecord()
        {
            foreach (HvHost h in ResolveServers(Server))
            {
                foreach (string n in Name)
                {
                    string what = Counted
                        ? (Count == 1 ? "VM '" + n + "-1'" : "VMs '" + n + "-1' .. '" + n + "-" + Count + "'")
                        : "VM '" + n + "'";
                    if (ShouldProcess(what + " from template '" + Template + "' on " + h, "Create"))
                    {
                        _work.Add(new KeyValuePair<HvHost, string>(h, n));
                    }
                }
            }
        }

        protected override void EndProcessing()
        {
            RunParallel(_work, p => p.Key, (p, sink) =>
            {
                HvHost h = p.Key;
                uint[] ids;
                string made = Counted ? "VMs '" + p.Value + "-1' .. '" + p.Value + "-" + Count + "'" : "VM '" + p.Value + "'";
                try
                {
                    ids = Counted
                        ? h.Client.CreateVms(Template, p.Value, Count, MemoryMB, ProcessorCount)
                        : new[] { h.Client.CreateVm(Template, p.Value, MemoryMB, ProcessorCount) };
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.TemplateNotFound", ErrorCategory.ObjectNotFound,
                        "Cannot create " + made + ": " + h + " has no template '" + Template + "' (Get-HvTemplate lists them).", Template, e));
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.VmExists", ErrorCategory.ResourceExists,
                        "Cannot create " + made + ": " + h + " already has a VM with " + (Counted ? "one of those names" : "that name")
                        + (Counted ? " (none was created)." : "."), p.Value, e));
                }
                catch (HvProtocolException e) when (Counted && e.Code == ErrorCode.Unsupported)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        "Cannot create " + made + ": " + h + " does not support -Count (" + e.Message + ").", p.Value, e));
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
            }, Start ? "Creating and starting VMs" : "Creating VMs", p => p.Value);
        }
    }
}
