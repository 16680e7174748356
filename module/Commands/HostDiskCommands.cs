using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Hv.Protocol.Messages;

namespace Hv.PowerShell.Commands
{
    /// <summary>Get-HvDisk: the disk images in the stores of one or more hosts (New-HvDisk), with the memory each holds.</summary>
    [Cmdlet(VerbsCommon.Get, "HvDisk")]
    [OutputType(typeof(HvDisk))]
    public sealed class GetHvDiskCommand : HostCmdlet
    {
        [Parameter(Position = 0)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(DiskNameCompleter))]
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
                foreach (DiskInfo d in h.Client.ListDisks())
                {
                    if (names.Matches(d.Name)) sink.Output(new HvDisk(h, d));
                }
            }, "Listing disks");
            if (EveryHostFailed) return;
            foreach (string name in names.Missing()) WriteError(DiskNotFound(name));
        }

        internal static ErrorRecord DiskNotFound(string name)
        {
            return HvErrors.Make("Hv.DiskNotFound", ErrorCategory.ObjectNotFound, "No host disk named '" + name + "' was found.", name);
        }

        /// <summary>The disk as the host lists it now, or null.</summary>
        internal static HvDisk Fresh(HvHost host, string name)
        {
            DiskInfo d = host.Client.ListDisks().FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.Ordinal));
            return d == null ? null : new HvDisk(host, d);
        }
    }

    /// <summary>
    /// Remove-HvDisk: removes disk images from hosts' stores, giving back the memory only they hold. VMs whose drives got
    /// the image (Add-HvVmHardDiskDrive) keep their copy-on-write forks of it: removing an image never changes a VM's disk.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "HvDisk", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvDiskCommand : HostObjectRemoval
    {
        private const string NameSet = "Name";
        private const string DiskSet = "Disk";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(DiskNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = DiskSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvDisk[] Disk { get; set; }

        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        public HvHost[] Server { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == DiskSet)
            {
                foreach (HvDisk d in Disk) AddTarget(d?.Server, d?.Name);
            }
            else
            {
                AddPatterns(Server, Name);
            }
        }

        protected override void EndProcessing()
        {
            RemoveCollected("disk", Force, h => h.Client.ListDisks(), d => d.Name, GetHvDiskCommand.DiskNotFound,
                (host, name) => host.Client.RemoveDisk(name));
        }
    }

    /// <summary>Completes host disk names on the hosts in -Server (or the default connection).</summary>
    public sealed class DiskNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            return CompletionHosts.HostNames(fakeBoundParameters, wordToComplete, "Disk",
                c => c.ListDisks(CompletionHosts.TimeoutMs).Select(d => d.Name));
        }
    }
}
