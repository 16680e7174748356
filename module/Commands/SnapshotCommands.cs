using System;
using System.Collections.Generic;
using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Checkpoint-HvVm: takes a snapshot of each VM (a running VM is paused for the capture and runs on).</summary>
    [Cmdlet(VerbsData.Checkpoint, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVmSnapshot))]
    public sealed class CheckpointHvVmCommand : VmCmdlet
    {
        /// <summary>The snapshot's name (unique per VM); default: the local date and time.</summary>
        [Parameter(Position = 1)]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 64)]
        public string SnapshotName { get; set; }

        protected override string Action => "Checkpoint";
        protected override string Activity => "Taking snapshots";
        protected override bool Ordered => true;

        protected override void Work(HvVm vm, Sink sink)
        {
            string name = SnapshotName;
            uint id;
            if (name != null)
            {
                id = Checkpoint(vm, name);
            }
            else
            {
                // The default name is the time; a second snapshot within the same second gets " (2)", " (3)", ...
                string stamp = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
                id = 0;
                for (int attempt = 1; ; attempt++)
                {
                    name = attempt == 1 ? stamp : stamp + " (" + attempt + ")";
                    try
                    {
                        id = vm.Server.Client.CheckpointVm(vm.Id, name);
                        break;
                    }
                    catch (HvProtocolException e) when (e.Code == ErrorCode.AlreadyExists && attempt < 20)
                    {
                    }
                    catch (HvProtocolException e)
                    {
                        throw SnapshotErrors.Translate(e, vm, name, "take a snapshot of");
                    }
                }
            }
            sink.Output(SnapshotCmdlet.Find(vm, id, name));
        }

        private static uint Checkpoint(HvVm vm, string name)
        {
            try
            {
                return vm.Server.Client.CheckpointVm(vm.Id, name);
            }
            catch (HvProtocolException e)
            {
                throw SnapshotErrors.Translate(e, vm, name, "take a snapshot of");
            }
        }
    }

    internal static class SnapshotErrors
    {
        /// <summary>Host errors with the words a user needs (the host's own detail stays in the inner exception).</summary>
        public static Exception Translate(HvProtocolException e, HvVm vm, string snapshot, string doing)
        {
            switch (e.Code)
            {
                case ErrorCode.AlreadyExists:
                    return new HvErrorRecordException(HvErrors.Make("Hv.SnapshotExists", ErrorCategory.ResourceExists,
                        VmTargetCmdlet.Describe(vm) + " already has a snapshot named '" + snapshot + "'.", snapshot, e));
                case ErrorCode.Unsupported:
                    return new HvErrorRecordException(HvErrors.Make("Hv.Unsupported", ErrorCategory.NotImplemented,
                        "Cannot " + doing + " " + VmTargetCmdlet.Describe(vm) + ": the host does not support snapshots (" + e.Message + ").", vm, e));
                default:
                    return e;
            }
        }
    }

    /// <summary>
    /// Base of the snapshot cmdlets: the VM by -VMName or -VM (see <see cref="VmSubjectCmdlet"/>), the snapshots by
    /// -Name (wildcards) or, for Restore/Remove, as snapshot objects from the pipeline (-Snapshot).
    /// </summary>
    public abstract class SnapshotCmdlet : VmSubjectCmdlet
    {
        internal const string SnapshotSet = "Snapshot";

        /// <summary>The snapshots given as objects (the Snapshot parameter set), or null.</summary>
        protected virtual HvVmSnapshot[] InputSnapshots => null;

        /// <summary>The snapshot names given (wildcards), or null for all.</summary>
        protected abstract string[] SnapshotNames { get; }

        private readonly List<HvVmSnapshot> _snapshots = new List<HvVmSnapshot>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == SnapshotSet)
            {
                foreach (HvVmSnapshot s in InputSnapshots ?? new HvVmSnapshot[0])
                {
                    if (s != null)
                    {
                        _snapshots.Add(s);
                    }
                }
                return;
            }
            CollectRecord();
        }

        /// <summary>
        /// The snapshots to work on: the objects given, or each target VM's snapshots matching the names (one listing per
        /// VM, hosts in parallel). A literal name that matches nothing on a VM is an ObjectNotFound error for that VM.
        /// Pairs come back grouped by VM in input order, snapshots in id order.
        /// </summary>
        protected List<KeyValuePair<HvVm, HvVmSnapshot>> Resolve(string activity)
        {
            List<KeyValuePair<HvVm, HvVmSnapshot>> result = new List<KeyValuePair<HvVm, HvVmSnapshot>>();
            foreach (HvVmSnapshot s in _snapshots)
            {
                if (s.Server == null)
                {
                    WriteError(HvErrors.Make("Hv.NoServer", ErrorCategory.InvalidArgument, "The snapshot object '" + s.Name + "' has no host connection.", s));
                    continue;
                }
                VmInfo info = new VmInfo(false) { Id = s.VmId, Name = s.VmName };
                result.Add(new KeyValuePair<HvVm, HvVmSnapshot>(new HvVm(s.Server, info), s));
            }
            if (ParameterSetName == SnapshotSet)
            {
                return result;
            }
            List<HvVm> vms = Targets();
            List<HvVmSnapshot>[] found = new List<HvVmSnapshot>[vms.Count];
            List<int> indexes = new List<int>();
            for (int i = 0; i < vms.Count; i++)
            {
                indexes.Add(i);
            }
            string[] names = SnapshotNames;
            RunParallel(indexes, i => vms[i].Server, (i, sink) =>
            {
                HvVm vm = vms[i];
                SnapshotInfo[] list;
                try
                {
                    list = vm.Server.Client.ListSnapshots(vm.Id);
                }
                catch (HvProtocolException e)
                {
                    throw SnapshotErrors.Translate(e, vm, null, "list the snapshots of");
                }
                List<HvVmSnapshot> matches = new List<HvVmSnapshot>();
                NameFilter filter = new NameFilter(names);
                foreach (SnapshotInfo info in list)
                {
                    if (filter.Matches(info.Name))
                    {
                        matches.Add(new HvVmSnapshot(vm, info));
                    }
                }
                foreach (string name in filter.Missing())
                {
                    sink.Error(HvErrors.Make("Hv.SnapshotNotFound", ErrorCategory.ObjectNotFound,
                        VmTargetCmdlet.Describe(vm) + " has no snapshot named '" + name + "' (Get-HvVmSnapshot lists them).", name));
                }
                found[i] = matches;
            }, activity, i => vms[i].Name);
            for (int i = 0; i < vms.Count; i++)
            {
                foreach (HvVmSnapshot s in found[i] ?? new List<HvVmSnapshot>())
                {
                    result.Add(new KeyValuePair<HvVm, HvVmSnapshot>(vms[i], s));
                }
            }
            return result;
        }

        internal static string Describe(HvVmSnapshot s) => "snapshot '" + s.Name + "' (id " + s.Id + ") of VM '" + s.VmName + "' (id " + s.VmId + ") on " + s.ComputerName;

        /// <summary>The snapshot just made, as the host lists it (falls back to what is known if the list lacks it).</summary>
        internal static HvVmSnapshot Find(HvVm vm, uint id, string name)
        {
            foreach (SnapshotInfo info in vm.Server.Client.ListSnapshots(vm.Id))
            {
                if (info.Id == id)
                {
                    return new HvVmSnapshot(vm, info);
                }
            }
            return new HvVmSnapshot(vm, new SnapshotInfo { Id = id, VmId = vm.Id, Name = name });
        }
    }

    /// <summary>Get-HvVmSnapshot: the snapshots of VMs.</summary>
    [Cmdlet(VerbsCommon.Get, "HvVmSnapshot", DefaultParameterSetName = VmSet)]
    [OutputType(typeof(HvVmSnapshot))]
    public sealed class GetHvVmSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>Snapshot names (wildcards); all when omitted.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SnapshotNameCompleter))]
        public string[] Name { get; set; }

        protected override string[] SnapshotNames => Name;

        protected override void EndProcessing()
        {
            foreach (KeyValuePair<HvVm, HvVmSnapshot> p in Resolve("Listing snapshots"))
            {
                WriteObject(p.Value);
            }
        }
    }

    /// <summary>Restore-HvVmSnapshot: memory and registers as captured; the VM is left Paused.</summary>
    [Cmdlet(VerbsData.Restore, "HvVmSnapshot", DefaultParameterSetName = SnapshotSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVm))]
    public sealed class RestoreHvVmSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>The snapshot to restore (a wildcard must match exactly one snapshot of each VM).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = VmNameSet)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = VmSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SnapshotNameCompleter))]
        public string Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SnapshotSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvVmSnapshot[] Snapshot { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Return the restored (paused) VM.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override HvVmSnapshot[] InputSnapshots => Snapshot;
        protected override string[] SnapshotNames => new[] { Name };

        protected override void EndProcessing()
        {
            List<KeyValuePair<HvVm, HvVmSnapshot>> pairs = Resolve(null);
            // One snapshot per VM: a wildcard matching several is ambiguous.
            Dictionary<string, int> perVm = new Dictionary<string, int>();
            foreach (KeyValuePair<HvVm, HvVmSnapshot> p in pairs)
            {
                string key = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(p.Key.Server) + "/" + p.Key.Id;
                perVm[key] = perVm.TryGetValue(key, out int n) ? n + 1 : 1;
            }
            List<KeyValuePair<HvVm, HvVmSnapshot>> approved = new List<KeyValuePair<HvVm, HvVmSnapshot>>();
            HashSet<string> reported = new HashSet<string>();
            foreach (KeyValuePair<HvVm, HvVmSnapshot> p in pairs)
            {
                string key = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(p.Key.Server) + "/" + p.Key.Id;
                if (ParameterSetName != SnapshotSet && perVm[key] > 1)
                {
                    if (reported.Add(key))
                    {
                        WriteError(HvErrors.Make("Hv.SnapshotAmbiguous", ErrorCategory.InvalidArgument,
                            "'" + Name + "' matches " + perVm[key] + " snapshots of " + VmTargetCmdlet.Describe(p.Key) + "; name one.", Name));
                    }
                    continue;
                }
                if (Approve(Describe(p.Value), "Restore (the VM's current memory and registers are replaced; it is left Paused)", Force))
                {
                    approved.Add(p);
                }
            }
            RunParallel(approved, p => p.Key.Server, (p, sink) =>
            {
                try
                {
                    p.Key.Server.Client.RestoreSnapshot(p.Value.VmId, p.Value.Id);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                {
                    throw new HvErrorRecordException(HvErrors.Make("Hv.SnapshotNotFound", ErrorCategory.ObjectNotFound,
                        "Cannot restore " + Describe(p.Value) + ": the host no longer has it (" + e.Message + ").", p.Value, e));
                }
                catch (HvProtocolException e)
                {
                    throw SnapshotErrors.Translate(e, p.Key, p.Value.Name, "restore");
                }
                if (PassThru)
                {
                    sink.Output(VmTargetCmdlet.Fresh(p.Key));
                }
            }, "Restoring snapshots", p => p.Value.Name);
        }
    }

    /// <summary>Remove-HvVmSnapshot: forgets snapshots (the VMs are not touched).</summary>
    [Cmdlet(VerbsCommon.Remove, "HvVmSnapshot", DefaultParameterSetName = SnapshotSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvVmSnapshotCommand : SnapshotCmdlet
    {
        /// <summary>Snapshot names (wildcards: '*' removes them all).</summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = VmNameSet)]
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = VmSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SnapshotNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = SnapshotSet, ValueFromPipeline = true)]
        [ValidateNotNull]
        public HvVmSnapshot[] Snapshot { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override HvVmSnapshot[] InputSnapshots => Snapshot;
        protected override string[] SnapshotNames => Name;

        protected override void EndProcessing()
        {
            List<KeyValuePair<HvVm, HvVmSnapshot>> approved = new List<KeyValuePair<HvVm, HvVmSnapshot>>();
            foreach (KeyValuePair<HvVm, HvVmSnapshot> p in Resolve(null))
            {
                if (Approve(Describe(p.Value), "Remove", Force))
                {
                    approved.Add(p);
                }
            }
            RunParallel(approved, p => p.Key.Server, (p, sink) =>
            {
                try
                {
                    p.Key.Server.Client.RemoveSnapshot(p.Value.VmId, p.Value.Id);
                }
                catch (HvProtocolException e) when (e.Code == ErrorCode.NotFound)
                {
                    sink.Verbose(Describe(p.Value) + " was already gone.");
                }
                catch (HvProtocolException e)
                {
                    throw SnapshotErrors.Translate(e, p.Key, p.Value.Name, "remove a snapshot of");
                }
            }, "Removing snapshots", p => p.Value.Name);
        }
    }
}
