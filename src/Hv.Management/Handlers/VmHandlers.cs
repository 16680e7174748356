using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>CreateVm: one VM from a template, state Created.</summary>
    internal sealed class CreateVmHandler : AdapterHandler
    {
        private readonly CreateVmMessage _message = new CreateVmMessage();

        public CreateVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VirtualMachine vm;
            Reply reply = Adapter.CreateVm(_message.Template, _message.Name, _message.MemoryMiB, _message.Vcpus, out vm);
            if (reply.IsOk) _message.VmId = vm.Id;
            return reply;
        }
    }

    /// <summary>CreateVms: base-1 .. base-count from one template, all or none (the ones made are removed again on a failure).</summary>
    internal sealed class CreateVmsHandler : AdapterHandler
    {
        private readonly CreateVmsMessage _message = new CreateVmsMessage();
        private readonly Utf8Field _name = new Utf8Field(ProtocolInfo.MaxNameBytes);

        public CreateVmsHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            for (uint i = 1; i <= _message.Count; i++)
            {
                VirtualMachine vm = null;
                Reply reply = VmNames.Numbered(_message.BaseName, i, _name)
                    ? Adapter.CreateVm(_message.Template, _name, _message.MemoryMiB, _message.Vcpus, out vm)
                    : new Reply(ErrorCode.TooLarge, null);
                if (!reply.IsOk)
                {
                    for (uint k = 1; k < i; k++) Hypervisor.Remove(_message.VmIds[k - 1]);
                    return reply;
                }
                _message.VmIds[i - 1] = vm.Id;
            }
            return Reply.Ok;
        }
    }

    /// <summary>The requests that change one VM's state and answer only the status (Start, Pause, Resume, Remove).</summary>
    internal abstract class VmChangeHandler : AdapterHandler
    {
        private readonly VmRequest _message;

        protected VmChangeHandler(HypervisorAdapter adapter, VmRequest message) : base(adapter)
        {
            _message = message;
        }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return HypervisorAdapter.Translate(Change(_message.VmId));
        }

        /// <summary>The hypervisor call for the request.</summary>
        protected abstract HypervisorStatus Change(uint vmId);
    }

    /// <summary>StartVm: Created → Running; a Stopped VM restarts from its template.</summary>
    internal sealed class StartVmHandler : VmChangeHandler
    {
        public StartVmHandler(HypervisorAdapter adapter) : base(adapter, new StartVmMessage()) { }

        protected override HypervisorStatus Change(uint vmId) { return Hypervisor.Start(vmId); }
    }

    /// <summary>
    /// StopVm. Forced: turned off at once. Graceful: a PC guest (Linux) gets the ACPI power button and the request's
    /// timeout to switch itself off before the host turns it off; a guest without ACPI is stopped at once, as requested.
    /// </summary>
    internal sealed class StopVmHandler : AdapterHandler
    {
        private readonly StopVmMessage _message = new StopVmMessage();

        public StopVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            return HypervisorAdapter.Translate(_message.Force ? Hypervisor.Stop(_message.VmId, StopCause.Forced)
                                                              : Hypervisor.Shutdown(_message.VmId, _message.GracefulTimeoutMs));
        }
    }

    /// <summary>PauseVm: Running → Paused.</summary>
    internal sealed class PauseVmHandler : VmChangeHandler
    {
        public PauseVmHandler(HypervisorAdapter adapter) : base(adapter, new PauseVmMessage()) { }

        protected override HypervisorStatus Change(uint vmId) { return Hypervisor.Pause(vmId); }
    }

    /// <summary>ResumeVm: Paused → Running.</summary>
    internal sealed class ResumeVmHandler : VmChangeHandler
    {
        public ResumeVmHandler(HypervisorAdapter adapter) : base(adapter, new ResumeVmMessage()) { }

        protected override HypervisorStatus Change(uint vmId) { return Hypervisor.Resume(vmId); }
    }

    /// <summary>RemoveVm: a Created or Stopped VM, with its snapshots.</summary>
    internal sealed class RemoveVmHandler : VmChangeHandler
    {
        public RemoveVmHandler(HypervisorAdapter adapter) : base(adapter, new RemoveVmMessage()) { }

        protected override HypervisorStatus Change(uint vmId) { return Hypervisor.Remove(vmId); }
    }

    /// <summary>ListVms: the VMs in ascending id order from the requested id, as many as fit in the response.</summary>
    internal sealed class ListVmsHandler : AdapterHandler
    {
        private readonly ListVmsMessage _message = new ListVmsMessage();

        public ListVmsHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            _message.Begin(response);
            // In id order, so a client can continue a list cut at the frame limit from NextId.
            for (VirtualMachine vm = LowestIdFrom(_message.FromId); vm != null; vm = vm.Id == uint.MaxValue ? null : LowestIdFrom(vm.Id + 1))
            {
                ulong privatePages, sharedPages;
                vm.MemoryUse(out privatePages, out sharedPages);
                if (!_message.Add(vm.Id, vm.Name, vm.State, vm.StopReason, (uint)(vm.MemorySize / HypervisorAdapter.MiB), (uint)vm.ProcessorCount,
                                  privatePages, sharedPages, vm.CpuWeight, vm.CpuCapPercent)) break;
            }
            return Reply.Ok;
        }

        private VirtualMachine LowestIdFrom(uint fromId)
        {
            VmTable vms = Hypervisor.Vms;
            VirtualMachine best = null;
            for (int i = 0; i < vms.Count; i++)
            {
                VirtualMachine vm = vms.At(i);
                if (vm.Id >= fromId && (best == null || vm.Id < best.Id)) best = vm;
            }
            return best;
        }
    }

    /// <summary>GetVm: every field of one VM, the stop detail written here from its typed cause.</summary>
    internal sealed class GetVmHandler : AdapterHandler
    {
        private readonly GetVmMessage _message = new GetVmMessage();
        private readonly Utf8FieldText _detail = new Utf8FieldText();

        public GetVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VirtualMachine vm = Hypervisor.Find(_message.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            VmInfo info = _message.Vm;
            info.Id = vm.Id;
            info.Name = vm.Name;
            info.State = vm.State;
            info.StopReason = vm.StopReason;
            _detail.Reset(info.StopDetail);
            StopCauses.Describe(_detail, vm.StopCause, vm.StopDetail, vm.StopAccess);
            info.ExitCode = (int)vm.ExitCode;
            info.MemoryMiB = (uint)(vm.MemorySize / HypervisorAdapter.MiB);
            info.Vcpus = (uint)vm.ProcessorCount;
            info.Template = vm.Template == null ? null : vm.Template.Name;
            Adapter.FillCounters(vm, info.Metrics);
            info.CpuWeight = vm.CpuWeight;
            info.CpuCapPercent = vm.CpuCapPercent;
            info.Notes = vm.Notes;
            return Reply.Ok;
        }
    }

    /// <summary>GetMetrics: one VM's counters.</summary>
    internal sealed class GetMetricsHandler : AdapterHandler
    {
        private readonly GetMetricsMessage _message = new GetMetricsMessage();

        public GetMetricsHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VirtualMachine vm = Hypervisor.Find(_message.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            Adapter.FillCounters(vm, _message.Metrics);
            return Reply.Ok;
        }
    }

    /// <summary>ForkVm: a copy-on-write copy of a Paused VM, Paused too.</summary>
    internal sealed class ForkVmHandler : AdapterHandler
    {
        private readonly ForkVmMessage _message = new ForkVmMessage();

        public ForkVmHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            // The source is checked before the new name is copied, so a refused request allocates nothing.
            VirtualMachine source = Hypervisor.Find(_message.VmId);
            if (source == null) return HypervisorAdapter.Translate(HypervisorStatus.NotFound);
            if (source.State != VmState.Paused) return HypervisorAdapter.Fail(ErrorCode.InvalidState, "only a paused VM can be copied");
            Reply named = Adapter.CheckName(_message.Name);
            if (!named.IsOk) return named;
            VirtualMachine vm;
            string name = _message.Name.ToNewString();
            HypervisorStatus status = Hypervisor.Fork(_message.VmId, name, out vm);
            if (status != HypervisorStatus.Ok) Owned.Free(name);
            if (status != HypervisorStatus.Ok) return HypervisorAdapter.Translate(status);
            _message.NewId = vm.Id;
            return Reply.Ok;
        }
    }
}
