using System;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vm
{
    /// <summary>
    /// The application processors of a captured VM with several vCPUs (a snapshot, or the source of a copy): for each AP
    /// its vCPU state (none while it waits for a STARTUP IPI) and its local APIC with its INIT/STARTUP state. The BSP and
    /// the devices are the <see cref="VcpuState"/> beside it.
    /// </summary>
    public sealed class ApStates
    {
        private readonly int _count;
        // Indexed by vCPU index; [0] (the BSP) stays null.
        private readonly VcpuState[] _cpus;
        private readonly byte[] _apics;

        private ApStates(int count)
        {
            _count = count;
            _cpus = new VcpuState[count];
            _apics = new byte[count * LocalApic.ProcessorStateSize];
        }

        /// <summary>The processor count of the VM it was captured from.</summary>
        public int ProcessorCount { get { return _count; } }

        public void Free()
        {
            for (int i = 1; i < _count; i++) if (_cpus[i] != null) _cpus[i].Free();
            Owned.Free(_cpus);
            Owned.Free(_apics);
            Owned.Free(this);
        }

        private Span<byte> Apic(int index)
        {
            return new Span<byte>(_apics, index * LocalApic.ProcessorStateSize, LocalApic.ProcessorStateSize);
        }

        /// <summary>The APs of <paramref name="vm"/> (not running: paused, or at an exit), or null for a VM of one processor.</summary>
        public static ApStates Capture(VirtualMachine vm)
        {
            if (vm.ProcessorCount == 1 || vm.Platform == null) return null;
            var states = new ApStates(vm.ProcessorCount);
            for (int i = 1; i < states._count; i++)
            {
                Vcpu cpu = vm.Cpus.At(i);
                if (cpu != null)
                {
                    states._cpus[i] = new VcpuState();
                    cpu.Capture(states._cpus[i]);
                }
                vm.Platform.SaveProcessor(i, states.Apic(i));
            }
            return states;
        }

        /// <summary>
        /// Puts the APs back into <paramref name="vm"/>, whose BSP and devices were put back already and whose processor
        /// count is this one: its AP vCPUs are replaced, each on the BSP's TSC offset (one TSC for all). False when an
        /// APIC state is refused or a vCPU cannot be made (the APs are then left waiting for STARTUP).
        /// </summary>
        public bool Restore(HostProcessor processor, VirtualMachine vm)
        {
            Vcpu bsp = vm.Cpu;
            if (vm.ProcessorCount != _count || !bsp.Activate()) return false;
            ulong offset = bsp.ReadField(VmcsField.TscOffset);
            for (int i = 1; i < _count; i++)
            {
                vm.Cpus.ReleaseAt(i);
                if (!vm.Platform.LoadProcessor(i, Apic(i))) return false;
                if (_cpus[i] == null) continue;
                Vcpu ap = processor.ResumeVcpu(_cpus[i], vm.Memory.Eptp, vm.VpidOf(i));
                if (ap == null)
                {
                    vm.Platform.Apics.At(i).PowerOn();
                    return false;
                }
                ap.WriteField(VmcsField.TscOffset, offset);
                vm.Cpus.Put(i, ap);
            }
            return true;
        }
    }
}
