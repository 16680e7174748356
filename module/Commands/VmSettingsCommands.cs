using System.Collections.Generic;
using System.Management.Automation;

namespace Hv.PowerShell.Commands
{
    /// <summary>
    /// Set-HvVm: changes VMs' settings, each VM's all or none: memory (while the VM is off; it takes effect at its next
    /// start), processor count (1 only: one vCPU per VM in this version, anything else is refused), CPU weight and cap
    /// (at once, also for a running VM), name and notes.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class SetHvVmCommand : VmCmdlet
    {
        /// <summary>Guest memory (MiB) from the VM's next start.</summary>
        [Parameter]
        [ValidateRange(1, 1048576)]
        public uint MemoryMB { get; set; }

        /// <summary>Virtual processors (1..4; above 1 only for a VM whose template boots Linux), from the VM's next start.</summary>
        [Parameter]
        [ValidateRange(1, 4)]
        public uint ProcessorCount { get; set; }

        /// <summary>The VM's share of the CPU relative to other VMs' weights (1..10000; 100 by default).</summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        [Alias("RelativeWeight")]
        public uint CpuWeight { get; set; }

        /// <summary>The most of a core the VM may use, in percent of host time (1..100; 0 removes the cap).</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        [Alias("Maximum")]
        public uint CpuCapPercent { get; set; }

        /// <summary>A new name (one VM at a time).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [Alias("NewVMName")]
        public string NewName { get; set; }

        /// <summary>Free text about the VM (up to 255 bytes of UTF-8, one line); "" removes it.</summary>
        [Parameter]
        [AllowEmptyString]
        public string Notes { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Set " + string.Join(", ", Changes());
        protected override string Activity => "Changing VM settings";

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (Changes().Count == 0)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.NothingToSet", ErrorCategory.InvalidArgument,
                    "Say what to change: -MemoryMB, -ProcessorCount, -CpuWeight, -CpuCapPercent, -NewName or -Notes.", null));
            }
        }

        protected override void BeforeWork(List<HvVm> vms)
        {
            if (NewName != null && vms.Count > 1)
            {
                ThrowTerminatingError(HvErrors.Make("Hv.OneNameForMany", ErrorCategory.InvalidArgument,
                    "-NewName renames one VM; " + vms.Count + " were given.", NewName));
            }
        }

        protected override void Work(HvVm vm, Sink sink)
        {
            vm.Server.Client.SetVm(vm.Id,
                Given(nameof(MemoryMB)) ? MemoryMB : (uint?)null,
                Given(nameof(ProcessorCount)) ? ProcessorCount : (uint?)null,
                Given(nameof(CpuWeight)) ? CpuWeight : (uint?)null,
                Given(nameof(CpuCapPercent)) ? CpuCapPercent : (uint?)null,
                NewName, Notes);
            if (PassThru)
            {
                sink.Output(Fresh(vm));
            }
        }

        private bool Given(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

        private List<string> Changes()
        {
            var changes = new List<string>();
            if (Given(nameof(MemoryMB))) changes.Add("memory " + MemoryMB + " MB");
            if (Given(nameof(ProcessorCount))) changes.Add("processors " + ProcessorCount);
            if (Given(nameof(CpuWeight))) changes.Add("CPU weight " + CpuWeight);
            if (Given(nameof(CpuCapPercent))) changes.Add(CpuCapPercent == 0 ? "no CPU cap" : "CPU cap " + CpuCapPercent + "%");
            if (NewName != null) changes.Add("name '" + NewName + "'");
            if (Notes != null) changes.Add("notes");
            return changes;
        }
    }
}
