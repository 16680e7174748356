using System;
using Hv.Core.Vm;
using Hv.Protocol.Server;
using Hv.Protocol.Wire;
using ProtocolState = Hv.Protocol.Wire.VmState;
using ProtocolCounters = Hv.Protocol.Server.VmCounters;

namespace Hv.Core.Management
{
    /// <summary>
    /// The management server's requests carried out on a <see cref="Hypervisor"/>: the one place that translates between
    /// the wire's view of VMs and the hypervisor's. Runs in the image and, with a test CPU backend, in .NET.
    /// </summary>
    public sealed class HypervisorControl : HostControl
    {
        private const ulong MiB = 1UL << 20;
        private readonly Hypervisor _hypervisor;
        private readonly HostPlatform _platform;

        public HypervisorControl(Hypervisor hypervisor, HostPlatform platform)
        {
            _hypervisor = hypervisor;
            _platform = platform;
        }

        public override ulong UptimeMilliseconds() => _platform.UptimeMilliseconds();

        public override ErrorCode GetHostInfo(HostInfoResult result)
        {
            result.Version = _platform.Version;
            result.CpuFeatures = _platform.CpuFeatures;
            result.CpuFeatureNames = _platform.CpuFeatureNames;
            result.MemoryTotalBytes = _platform.MemoryTotalBytes;
            result.MemoryFreeBytes = _platform.MemoryFreeBytes();
            result.UptimeMs = _platform.UptimeMilliseconds();
            result.VmCount = (uint)_hypervisor.VmCount;
            return ErrorCode.Ok;
        }

        public override ErrorCode ListTemplates(TemplateListWriter list)
        {
            for (int i = 0; i < _hypervisor.TemplateCount; i++)
            {
                Template t = _hypervisor.TemplateAt(i);
                if (!list.Add(t.Name, (uint)(t.MemorySize / MiB), 1, ModeName(t.Mode))) break;
            }
            return ErrorCode.Ok;
        }

        public override ErrorCode CreateVm(CreateVmRequest request, out uint vmId)
        {
            vmId = 0;
            if (!request.Template.IsCleanText() || !request.Name.IsCleanText() || request.Name.Length == 0)
                return Fail(ErrorCode.InvalidArgument, "template and name must be printable text");
            if (request.Vcpus > 1) return Fail(ErrorCode.Unsupported, "one vCPU per VM in this version");
            if (request.MemoryMiB > Hypervisor.MaxMemorySize / MiB)
                return Fail(ErrorCode.InvalidArgument, "memory above the per-VM limit of 1024 MiB");
            VirtualMachine vm;
            HypervisorStatus status = _hypervisor.Create(request.Template.ToNewString(), request.Name.ToNewString(),
                                                         request.MemoryMiB * MiB, out vm);
            if (status != HypervisorStatus.Ok) return Translate(status);
            vmId = vm.Id;
            return ErrorCode.Ok;
        }

        public override ErrorCode StartVm(uint vmId) => Translate(_hypervisor.Start(vmId));
        public override ErrorCode PauseVm(uint vmId) => Translate(_hypervisor.Pause(vmId));
        public override ErrorCode ResumeVm(uint vmId) => Translate(_hypervisor.Resume(vmId));
        public override ErrorCode RemoveVm(uint vmId) => Translate(_hypervisor.Remove(vmId));

        // Guests have no shutdown signal yet (no ACPI), so a graceful stop is a turn-off that is recorded as requested.
        public override ErrorCode StopVm(uint vmId, bool force, uint gracefulTimeoutMs)
            => Translate(_hypervisor.Stop(vmId, force ? Hypervisor.ForcedStopReason : Hypervisor.RequestedStopReason));

        public override ErrorCode ListVms(uint fromId, VmListWriter list)
        {
            // In id order, so a client can continue a list cut at the frame limit from NextId.
            uint next = fromId;
            for (;;)
            {
                VirtualMachine vm = LowestIdFrom(next);
                if (vm == null) return ErrorCode.Ok;
                if (!list.Add(vm.Id, vm.Name, StateOf(vm), ReasonOf(vm), (uint)(vm.MemorySize / MiB), 1)) return ErrorCode.Ok;
                if (vm.Id == uint.MaxValue) return ErrorCode.Ok;
                next = vm.Id + 1;
            }
        }

        private VirtualMachine LowestIdFrom(uint fromId)
        {
            VirtualMachine best = null;
            for (int i = 0; i < _hypervisor.VmCount; i++)
            {
                VirtualMachine vm = _hypervisor.VmAt(i);
                if (vm.Id >= fromId && (best == null || vm.Id < best.Id)) best = vm;
            }
            return best;
        }

        public override ErrorCode GetVm(uint vmId, VmDetails result)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            Template template = _hypervisor.TemplateOf(vmId);
            result.Id = vm.Id;
            result.Name = vm.Name;
            result.State = StateOf(vm);
            result.StopReason = ReasonOf(vm);
            result.StopDetail = vm.StopReason;
            result.ExitCode = (int)vm.ExitCode;
            result.MemoryMiB = (uint)(vm.MemorySize / MiB);
            result.Vcpus = 1;
            result.Template = template == null ? null : template.Name;
            FillCounters(vm, result.Counters);
            return ErrorCode.Ok;
        }

        public override ErrorCode GetMetrics(uint vmId, ProtocolCounters counters)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            FillCounters(vm, counters);
            return ErrorCode.Ok;
        }

        public override ErrorCode ReadConsole(uint vmId, ulong fromOffset, int maxBytes, ConsoleReadResult result)
        {
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            int max = maxBytes < 0 ? 0 : maxBytes > result.Data.Length ? result.Data.Length : maxBytes;
            ulong start;
            result.Count = vm.Console.ReadOutput(fromOffset, new Span<byte>(result.Data, 0, max), out start);
            result.NextOffset = start + (ulong)result.Count;
            result.Dropped = start > fromOffset;
            return ErrorCode.Ok;
        }

        public override ErrorCode WriteConsole(uint vmId, byte[] data, int offset, int count, out int accepted)
        {
            accepted = 0;
            VirtualMachine vm = _hypervisor.Find(vmId);
            if (vm == null) return Fail(ErrorCode.NotFound, "no VM with that id");
            if (vm.State == Hv.Core.Vm.VmState.Stopped || vm.State == Hv.Core.Vm.VmState.Removed)
                return Fail(ErrorCode.InvalidState, "the VM has stopped");
            accepted = vm.Console.QueueInput(new ReadOnlySpan<byte>(data, offset, count));
            return ErrorCode.Ok;
        }

        private void FillCounters(VirtualMachine vm, ProtocolCounters c)
        {
            Hv.Core.Vm.VmCounters v = vm.Counters;
            c.Clear();
            c.TotalExits = v.TotalExits;
            c.IoExits = v.ExitsFor(ExitReasons.IoInstruction);
            c.EptExits = v.ExitsFor(ExitReasons.EptViolation) + v.ExitsFor(ExitReasons.EptMisconfiguration);
            c.HltExits = v.ExitsFor(ExitReasons.Hlt);
            c.CpuidExits = v.ExitsFor(ExitReasons.Cpuid);
            c.MsrExits = v.ExitsFor(ExitReasons.Rdmsr) + v.ExitsFor(ExitReasons.Wrmsr);
            c.InterruptExits = v.ExitsFor(ExitReasons.ExternalInterrupt) + v.ExitsFor(ExitReasons.PreemptionTimer);
            c.OtherExits = v.TotalExits - c.IoExits - c.EptExits - c.HltExits - c.CpuidExits - c.MsrExits - c.InterruptExits;
            c.ConsoleBytesOut = v.ConsoleBytes;
            c.GuestTsc = v.GuestTscTicks;
            ulong rate = _platform.TscTicksPerMillisecond;
            c.RunTimeMs = rate == 0 ? 0 : v.GuestTscTicks / rate;
        }

        // The basic exit reasons the counters group (SDM Vol. 3D Appendix C).
        private static class ExitReasons
        {
            public const uint ExternalInterrupt = 1, Cpuid = 10, Hlt = 12, IoInstruction = 30, Rdmsr = 31, Wrmsr = 32,
                              EptViolation = 48, EptMisconfiguration = 49, PreemptionTimer = 52;
        }

        private static ProtocolState StateOf(VirtualMachine vm)
        {
            switch (vm.State)
            {
                case Hv.Core.Vm.VmState.Created: return ProtocolState.Created;
                case Hv.Core.Vm.VmState.Running: return ProtocolState.Running;
                case Hv.Core.Vm.VmState.Paused: return ProtocolState.Paused;
                case Hv.Core.Vm.VmState.Stopped: return ProtocolState.Stopped;
                case Hv.Core.Vm.VmState.Removed: return ProtocolState.Removed;
                default: return ProtocolState.Unknown;
            }
        }

        // The stop reason's kind, from the reason text the hypervisor and exit handlers record.
        private static StopReason ReasonOf(VirtualMachine vm)
        {
            string r = vm.StopReason;
            if (vm.State != Hv.Core.Vm.VmState.Stopped || r == null) return StopReason.None;
            if (r == Hypervisor.RequestedStopReason) return StopReason.Requested;
            if (r == Hypervisor.ForcedStopReason || r == Hypervisor.HostTurnOffReason) return StopReason.Forced;
            if (StartsWith(r, "debug-exit") || StartsWith(r, "guest exit")) return StopReason.GuestExit;
            if (StartsWith(r, "triple fault")) return StopReason.TripleFault;
            if (StartsWith(r, "hlt")) return StopReason.GuestHalt;
            if (StartsWith(r, "unhandled exit")) return StopReason.UnhandledExit;
            if (StartsWith(r, "vm-entry failed")) return StopReason.HostError;
            return StopReason.GuestFault;
        }

        private static bool StartsWith(string text, string prefix)
        {
            if (text.Length < prefix.Length) return false;
            for (int i = 0; i < prefix.Length; i++) if (text[i] != prefix[i]) return false;
            return true;
        }

        private static string ModeName(GuestEntryMode mode)
            => mode == GuestEntryMode.RealMode ? "real" : mode == GuestEntryMode.LongMode ? "long" : "multiboot";

        private ErrorCode Translate(HypervisorStatus status)
        {
            switch (status)
            {
                case HypervisorStatus.Ok: return ErrorCode.Ok;
                case HypervisorStatus.NotFound: return Fail(ErrorCode.NotFound, "no such VM or template");
                case HypervisorStatus.InvalidState: return Fail(ErrorCode.InvalidState, "the VM is not in a state that allows this");
                case HypervisorStatus.InvalidArgument: return Fail(ErrorCode.InvalidArgument, "invalid name or memory size (whole 4 KiB pages, 1 GiB at most)");
                case HypervisorStatus.NameInUse: return Fail(ErrorCode.AlreadyExists, "a VM with that name exists");
                case HypervisorStatus.TooManyVms: return Fail(ErrorCode.ResourceUnavailable, "the host runs its maximum number of VMs");
                case HypervisorStatus.OutOfMemory: return Fail(ErrorCode.ResourceUnavailable, "not enough free host memory");
                case HypervisorStatus.LoadFailed: return Fail(ErrorCode.InvalidArgument, "the template's image does not fit this memory size");
                case HypervisorStatus.PrimeFailed: return Fail(ErrorCode.InvalidState, "the template's guest stopped or took too long before its Ready hypercall");
                default: return Fail(ErrorCode.ResourceUnavailable, "this host cannot run the VM (no usable VT-x, or the CPU refused it)");
            }
        }
    }
}
