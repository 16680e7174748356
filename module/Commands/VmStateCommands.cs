using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>A cmdlet that moves each VM to another state with one request (Start, Suspend, Resume): -PassThru returns it.</summary>
    public abstract class VmStateCommand : VmCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected abstract void Change(HvVm vm);

        protected override void Work(HvVm vm, Sink sink)
        {
            Change(vm);
            if (PassThru)
            {
                sink.Output(Fresh(vm));
            }
        }
    }

    /// <summary>Start-HvVm.</summary>
    [Cmdlet(VerbsLifecycle.Start, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class StartHvVmCommand : VmStateCommand
    {
        protected override string Action => "Start";
        protected override string Activity => "Starting VMs";

        protected override void Change(HvVm vm) => vm.Server.Client.StartVm(vm.Id);
    }

    /// <summary>
    /// A cmdlet that stops each VM, gracefully (the guest gets -TimeoutSec, then it is turned off) or -TurnOff at once,
    /// and waits until it has stopped (Stop, Restart).
    /// </summary>
    public abstract class VmStopCommand : VmCmdlet
    {
        /// <summary>Turn the VM off at once instead of asking the guest to stop.</summary>
        [Parameter]
        public SwitchParameter TurnOff { get; set; }

        /// <summary>Seconds the guest gets to stop before the host turns it off.</summary>
        [Parameter]
        [ValidateRange(0, 3600)]
        public int TimeoutSec { get; set; } = 30;

        /// <summary>Do not ask for confirmation.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override bool ForceConfirm => Force;

        /// <summary>Stops the VM as asked and waits until it has; the VM as it is then.</summary>
        protected HvVm StopAndWait(HvVm vm, Sink sink) => StopAndWait(vm, TurnOff, TimeoutSec * 1000, sink);
    }

    /// <summary>Stop-HvVm: graceful (the guest gets -TimeoutSec, then it is turned off) or -TurnOff at once.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVm))]
    public sealed class StopHvVmCommand : VmStopCommand
    {
        protected override string Action => TurnOff ? "Turn off" : "Stop";
        protected override string Activity => "Stopping VMs";

        protected override void Work(HvVm vm, Sink sink)
        {
            HvVm stopped = StopAndWait(vm, sink);
            if (PassThru)
            {
                sink.Output(stopped);
            }
        }
    }

    /// <summary>Suspend-HvVm: pauses a running VM.</summary>
    [Cmdlet(VerbsLifecycle.Suspend, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class SuspendHvVmCommand : VmStateCommand
    {
        protected override string Action => "Suspend";
        protected override string Activity => "Suspending VMs";

        protected override void Change(HvVm vm) => vm.Server.Client.PauseVm(vm.Id);
    }

    /// <summary>Resume-HvVm: resumes a paused VM.</summary>
    [Cmdlet(VerbsLifecycle.Resume, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVm))]
    public sealed class ResumeHvVmCommand : VmStateCommand
    {
        protected override string Action => "Resume";
        protected override string Activity => "Resuming VMs";

        protected override void Change(HvVm vm) => vm.Server.Client.ResumeVm(vm.Id);
    }

    /// <summary>Restart-HvVm: stops the VM (gracefully unless -TurnOff) and starts it again.</summary>
    [Cmdlet(VerbsLifecycle.Restart, "HvVm", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(HvVm))]
    public sealed class RestartHvVmCommand : VmStopCommand
    {
        protected override string Action => "Restart";
        protected override string Activity => "Restarting VMs";

        protected override void Work(HvVm vm, Sink sink)
        {
            StopAndWait(vm, sink);
            try
            {
                vm.Server.Client.StartVm(vm.Id);
            }
            catch (HvProtocolException e) when (e.Code == ErrorCode.InvalidState)
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.RestartRefused", ErrorCategory.InvalidOperation,
                    Describe(vm) + " stopped, but the host cannot start it again (" + e.Message
                    + "): a VM restarts from its template, and this one has none (imported, or its template was removed).", vm, e));
            }
            if (PassThru)
            {
                sink.Output(Fresh(vm));
            }
        }
    }
}
