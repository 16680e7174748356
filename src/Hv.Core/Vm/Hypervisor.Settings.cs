using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>A VM's settings (Set-HvVm): memory size, processor count, name, CPU weight and cap.</summary>
    public sealed partial class Hypervisor
    {
        /// <summary>
        /// Gives a VM that is not running another memory size: a Stopped VM gets it when it next starts from its template;
        /// a Created one (never started) is rebuilt from its template at that size now. A running or paused VM, or one
        /// with no template to start from, is InvalidState; a size that is not whole pages or over the limit is
        /// InvalidArgument; a Created VM keeps its memory when the new one cannot be built.
        /// </summary>
        public HypervisorStatus SetMemorySize(uint id, ulong memorySize)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (memorySize == 0 || memorySize > MaxMemorySize || (memorySize & (PageSource.PageSize - 1)) != 0) return HypervisorStatus.InvalidArgument;
            TemplateImage image = vm.Template == null ? null : _templates.Find(vm.Template.Name);
            if (image == null || (vm.State != VmState.Stopped && vm.State != VmState.Created)) return HypervisorStatus.InvalidState;
            if (memorySize == vm.MemorySize) return HypervisorStatus.Ok;
            if (vm.State == VmState.Stopped)
            {
                vm.ResizeForNextStart(memorySize);
                return HypervisorStatus.Ok;
            }
            AddressSpace oldMemory = vm.Memory;
            Vcpu oldCpu = vm.Cpu;
            HypervisorStatus status = Build(image, vm, memorySize);
            if (status != HypervisorStatus.Ok) return status;
            oldCpu.Release();
            oldMemory.Free();
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Gives a VM that is not running another processor count (1..<see cref="VcpuSet.MaxCount"/>; above 1 only for a PC,
        /// whose APICs start the others): a Stopped VM gets it when it next starts; a Created one is rebuilt now. Either way
        /// a VM with several processors boots its template's image afresh, since the template's golden (or primed)
        /// memory is a one-processor machine. A Created VM keeps its memory and count when the new one cannot be built.
        /// </summary>
        public HypervisorStatus SetProcessorCount(uint id, int count)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (count < 1 || count > VcpuSet.MaxCount || (count > 1 && vm.Platform == null)) return HypervisorStatus.InvalidProcessorCount;
            TemplateImage image = vm.Template == null ? null : _templates.Find(vm.Template.Name);
            if (image == null || (vm.State != VmState.Stopped && vm.State != VmState.Created)) return HypervisorStatus.InvalidState;
            int old = vm.ProcessorCount;
            if (count == old) return HypervisorStatus.Ok;
            vm.SetProcessorCountForNextStart(count);
            if (vm.State == VmState.Stopped) return HypervisorStatus.Ok;
            AddressSpace oldMemory = vm.Memory;
            Vcpu oldCpu = vm.Cpu;
            HypervisorStatus status = Build(image, vm, vm.MemorySize);
            if (status != HypervisorStatus.Ok)
            {
                vm.SetProcessorCountForNextStart(old);
                return status;
            }
            oldCpu.Release();
            oldMemory.Free();
            // A clone of a primed template continues its devices; a fresh boot starts them at power-on.
            vm.ContinuesCapture = Clones(image, vm, vm.MemorySize) && image.IsPrimed && vm.LoadDevices(image.PrimedState);
            if (!vm.ContinuesCapture) vm.Platform.Reset(0);
            return HypervisorStatus.Ok;
        }

        /// <summary>Renames a VM (any state): <paramref name="name"/> becomes the hypervisor's on Ok and the old name is freed.</summary>
        public HypervisorStatus Rename(uint id, string name)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            if (NameRule.Check(name, out _) != NameStatus.Ok) return HypervisorStatus.InvalidName;
            VirtualMachine holder = _vms.FindByName(name);
            if (holder != null && holder != vm) return HypervisorStatus.NameInUse;
            vm.Rename(name);
            return HypervisorStatus.Ok;
        }

        /// <summary>Sets a VM's CPU weight and cap (any state; a running VM is scheduled by them from its next turn).</summary>
        public HypervisorStatus SetCpuShare(uint id, uint weight, uint capPercent)
        {
            VirtualMachine vm = _vms.Find(id);
            if (vm == null) return HypervisorStatus.NotFound;
            return vm.SetCpuShare(weight, capPercent) ? HypervisorStatus.Ok : HypervisorStatus.InvalidArgument;
        }
    }
}
