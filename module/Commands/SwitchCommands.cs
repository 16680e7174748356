using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Get-HvSwitch: the virtual switches of one or more hosts, with their counters.</summary>
    [Cmdlet(VerbsCommon.Get, "HvSwitch")]
    [OutputType(typeof(HvSwitch))]
    public sealed class GetHvSwitchCommand : HostCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SwitchNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        protected override HvHost[] InputServers => Server;

        protected override void EndProcessing()
        {
            NameFilter names = new NameFilter(Name);
            ForEachHost((h, sink) =>
            {
                foreach (SwitchInfo s in h.Client.ListSwitches())
                {
                    if (names.Matches(s.Name))
                    {
                        sink.Output(new HvSwitch(h, s));
                    }
                }
            }, "Listing switches");
            if (EveryHostFailed)
            {
                return;
            }
            foreach (string name in names.Missing())
            {
                WriteError(SwitchNotFound(name));
            }
        }

        internal static ErrorRecord SwitchNotFound(string name)
        {
            return HvErrors.Make("Hv.SwitchNotFound", ErrorCategory.ObjectNotFound, "No switch named '" + name + "' was found.", name);
        }

        /// <summary>The switch as the host lists it now, or null.</summary>
        internal static HvSwitch Fresh(HvHost host, string name)
        {
            foreach (SwitchInfo s in host.Client.ListSwitches())
            {
                if (string.Equals(s.Name, name, StringComparison.Ordinal))
                {
                    return new HvSwitch(host, s);
                }
            }
            return null;
        }
    }

    /// <summary>New-HvSwitch: makes named virtual switches (one per name and host) that VMs' network adapters connect to.</summary>
    [Cmdlet(VerbsCommon.New, "HvSwitch", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HvSwitch))]
    public sealed class NewHvSwitchCommand : HvCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[] Name { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        private readonly List<KeyValuePair<HvHost, string>> _work = new List<KeyValuePair<HvHost, string>>();

        protected override void ProcessRecord()
        {
            foreach (HvHost h in ResolveServers(Server))
            {
                foreach (string n in Name)
                {
                    if (ShouldProcess("switch '" + n + "' on " + h, "Create"))
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
                try
                {
                    p.Key.Client.CreateSwitch(p.Value);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.SwitchExists", ErrorCategory.ResourceExists,
                        p.Key + " already has a switch named '" + p.Value + "'.", p.Value, e));
                }
                HvSwitch made = GetHvSwitchCommand.Fresh(p.Key, p.Value);
                if (made != null)
                {
                    sink.Output(made);
                }
            }, "Creating switches", p => p.Value);
        }
    }

    /// <summary>
    /// Remove-HvSwitch: removes switches from hosts. A switch with connected adapters is not removed (Hv.SwitchInUse):
    /// disconnect them first (Connect-HvVmNetworkAdapter -SwitchName ''), so removing a switch never cuts a VM off as a side
    /// effect.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "HvSwitch", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvSwitchCommand : HostObjectRemoval
    {
        private const string NameSet = "Name";
        private const string SwitchSet = "Switch";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SwitchNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SwitchSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvSwitch[] Switch { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == SwitchSet)
            {
                foreach (HvSwitch s in Switch) AddTarget(s?.Server, s?.Name);
            }
            else
            {
                AddPatterns(Server, Name);
            }
        }

        protected override void EndProcessing()
        {
            RemoveCollected("switch", Force, h => h.Client.ListSwitches(), s => s.Name, GetHvSwitchCommand.SwitchNotFound, (host, name) =>
            {
                try
                {
                    host.Client.RemoveSwitch(name);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidState)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.SwitchInUse", ErrorCategory.InvalidOperation,
                        "The switch '" + name + "' on " + host + " has network adapters connected; disconnect them first " +
                        "(Connect-HvVmNetworkAdapter -SwitchName '').", name, e));
                }
            });
        }
    }

    /// <summary>Completes switch names on the hosts in -Server (or the default connection).</summary>
    public sealed class SwitchNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return CompletionHosts.HostNames(fakeBoundParameters, wordToComplete, "Switch",
                c => c.ListSwitches(CompletionHosts.TimeoutMs).Select(s => s.Name));
        }
    }
}
