using System;
using Hv.Core.Vm;
using Hv.Protocol.Messages;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;

namespace Hv.Management
{
    /// <summary>ReadConsole: a VM's console output from a stream offset (from the oldest byte still kept when it is older).</summary>
    internal sealed class ReadConsoleHandler : AdapterHandler
    {
        private readonly ReadConsoleMessage _message = new ReadConsoleMessage();

        public ReadConsoleHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VirtualMachine vm = Hypervisor.Find(_message.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            ulong start;
            _message.Count = vm.Console.ReadOutput(_message.FromOffset, new Span<byte>(_message.Data, 0, _message.MaxBytes), out start);
            _message.NextOffset = start + (ulong)_message.Count;
            _message.Dropped = start > _message.FromOffset;
            return Reply.Ok;
        }
    }

    /// <summary>WriteConsole: console input for a VM that has not stopped.</summary>
    internal sealed class WriteConsoleHandler : AdapterHandler
    {
        private readonly WriteConsoleMessage _message = new WriteConsoleMessage();

        public WriteConsoleHandler(HypervisorAdapter adapter) : base(adapter) { }

        protected override Message Message { get { return _message; } }

        protected override Reply Execute(MessageWriter response)
        {
            VirtualMachine vm = Hypervisor.Find(_message.VmId);
            if (vm == null) return HypervisorAdapter.NoSuchVm;
            if (vm.State == VmState.Stopped || vm.State == VmState.Removed) return HypervisorAdapter.Fail(ErrorCode.InvalidState, "the VM has stopped");
            _message.Accepted = vm.Console.QueueInput(new ReadOnlySpan<byte>(_message.Data, _message.DataOffset, _message.DataCount));
            return Reply.Ok;
        }
    }
}
