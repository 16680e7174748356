using System.Management.Automation;
using Hv.Protocol.Client;
using Hv.Protocol.Messages;
using Hv.Protocol.Wire;

namespace Hv.PowerShell.Commands
{
    /// <summary>Get-HvVmNetworkAdapter: the network adapters of VMs (MAC, switch, counters); VMs without one output nothing.</summary>
    [Cmdlet(VerbsCommon.Get, "HvVmNetworkAdapter", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(HvVmNetworkAdapter))]
    public sealed class GetHvVmNetworkAdapterCommand : VmCmdlet
    {
        protected override string Activity => "Reading network adapters";
        protected override bool Ordered => true;

        protected override void Work(HvVm vm, Sink sink)
        {
            NetworkAdapterInfo info = vm.Server.Client.GetNetworkAdapter(vm.Id);
            if (info != null)
            {
                sink.Output(new HvVmNetworkAdapter(vm, info));
            }
        }

        /// <summary>The VM's adapter as the host has it now; an error when it has none.</summary>
        internal static HvVmNetworkAdapter FreshAdapter(HvVm vm)
        {
            NetworkAdapterInfo info = vm.Server.Client.GetNetworkAdapter(vm.Id);
            if (info == null)
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.NoNetworkAdapter", ErrorCategory.ObjectNotFound,
                    Describe(vm) + " has no network adapter.", vm));
            }
            return new HvVmNetworkAdapter(vm, info);
        }

        /// <summary>The host's refusals of adapter changes, as the module's stable error ids.</summary>
        internal static void Explain(HvVm vm, HvProtocolException e)
        {
            if (e.Code == ErrorCode.NotFound && e.Message.Contains("no network adapter"))
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.NoNetworkAdapter", ErrorCategory.ObjectNotFound,
                    Describe(vm) + " has no network adapter.", vm, e));
            }
            if (e.Code == ErrorCode.NotFound && e.Message.Contains("no switch"))
            {
                throw new HvErrorRecordException(HvErrors.Make("Hv.SwitchNotFound", ErrorCategory.ObjectNotFound,
                    vm.Server + " has no such switch (New-HvSwitch makes one).", vm, e));
            }
        }
    }

    /// <summary>
    /// Add-HvVmNetworkAdapter: gives VMs their virtio network adapter (PCI 00:02.0, the VM's own MAC), optionally
    /// connected to a switch. Only while the VM is off and its next start boots the guest afresh; a VM that continues a
    /// captured state (a clone of a primed template) gets its adapter from its template's nic=1 instead.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "HvVmNetworkAdapter", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(HvVmNetworkAdapter))]
    public sealed class AddHvVmNetworkAdapterCommand : VmCmdlet
    {
        /// <summary>A switch to connect the new adapter to.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SwitchNameCompleter))]
        public string SwitchName { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => SwitchName == null ? "Add a network adapter" : "Add a network adapter on switch '" + SwitchName + "'";
        protected override string Activity => "Adding network adapters";

        protected override void Work(HvVm vm, Sink sink)
        {
            try
            {
                vm.Server.Client.AddNetworkAdapter(vm.Id);
                if (SwitchName != null)
                {
                    vm.Server.Client.ConnectNetworkAdapter(vm.Id, SwitchName);
                }
            }
            catch (HvProtocolException e)
            {
                GetHvVmNetworkAdapterCommand.Explain(vm, e);
                throw;
            }
            if (PassThru)
            {
                sink.Output(GetHvVmNetworkAdapterCommand.FreshAdapter(vm));
            }
        }
    }

    /// <summary>Remove-HvVmNetworkAdapter: takes VMs' adapters away (they leave their switch); the VM off and booting afresh.</summary>
    [Cmdlet(VerbsCommon.Remove, "HvVmNetworkAdapter", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(void))]
    public sealed class RemoveHvVmNetworkAdapterCommand : VmCmdlet
    {
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override string Action => "Remove the network adapter";
        protected override string Activity => "Removing network adapters";
        protected override bool ForceConfirm => Force;

        protected override void Work(HvVm vm, Sink sink)
        {
            try
            {
                vm.Server.Client.RemoveNetworkAdapter(vm.Id);
            }
            catch (HvProtocolException e)
            {
                GetHvVmNetworkAdapterCommand.Explain(vm, e);
                throw;
            }
        }
    }

    /// <summary>
    /// Connect-HvVmNetworkAdapter: connects VMs' adapters to a switch (leaving any other), in any VM state; the guest sees
    /// its link come up. -SwitchName '' disconnects (as Disconnect-HvVmNetworkAdapter does).
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "HvVmNetworkAdapter", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HvVmNetworkAdapter))]
    public sealed class ConnectHvVmNetworkAdapterCommand : AdapterLinkCmdlet
    {
        [Parameter(Mandatory = true, Position = 1)]
        [AllowEmptyString]
        [ArgumentCompleter(typeof(SwitchNameCompleter))]
        public string SwitchName { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => string.IsNullOrEmpty(SwitchName) ? "Disconnect the network adapter" : "Connect the network adapter to switch '" + SwitchName + "'";
        protected override string Activity => "Connecting network adapters";

        protected override void Work(HvVm vm, Sink sink)
        {
            Link(vm, SwitchName, PassThru, sink);
        }
    }

    /// <summary>Disconnect-HvVmNetworkAdapter: takes VMs' adapters off their switch; the guest sees its link go down.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "HvVmNetworkAdapter", DefaultParameterSetName = NameSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(HvVmNetworkAdapter))]
    public sealed class DisconnectHvVmNetworkAdapterCommand : AdapterLinkCmdlet
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override string Action => "Disconnect the network adapter";
        protected override string Activity => "Disconnecting network adapters";

        protected override void Work(HvVm vm, Sink sink)
        {
            Link(vm, null, PassThru, sink);
        }
    }

    /// <summary>What Connect- and Disconnect-HvVmNetworkAdapter share: one request, its errors, and -PassThru.</summary>
    public abstract class AdapterLinkCmdlet : VmCmdlet
    {
        protected static void Link(HvVm vm, string switchName, bool passThru, Sink sink)
        {
            try
            {
                vm.Server.Client.ConnectNetworkAdapter(vm.Id, switchName);
            }
            catch (HvProtocolException e)
            {
                GetHvVmNetworkAdapterCommand.Explain(vm, e);
                throw;
            }
            if (passThru)
            {
                sink.Output(GetHvVmNetworkAdapterCommand.FreshAdapter(vm));
            }
        }
    }
}
