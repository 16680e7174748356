using Hv.Core.Guests.Acpi;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// A VM's vCPUs: the bootstrap processor (index 0, made with the VM's memory) and the application processors, which
    /// exist only from the STARTUP IPI that starts them (<see cref="VmRunner"/>) until an INIT or the VM's stop. Each has
    /// its own halted state; one is selected at a time (the one the host runs, whose exits are being handled), and
    /// <see cref="NextInTurn"/> goes round them so siblings share the VM's time slice.
    /// </summary>
    public sealed class VcpuSet
    {
        /// <summary>
        /// The most processors a VM may have: they share one host core, and the MADT's slot in the ACPI block holds this
        /// many local APIC entries.
        /// </summary>
        public const int MaxCount = AcpiTables.MaxProcessors;

        private readonly Vcpu[] _cpus = new Vcpu[MaxCount];
        private readonly bool[] _halted = new bool[MaxCount];
        private int _count = 1, _current, _next;

        public void Free()
        {
            Owned.Free(_cpus);
            Owned.Free(_halted);
            Owned.Free(this);
        }

        /// <summary>The VM's processor count (1..<see cref="MaxCount"/>).</summary>
        public int Count { get { return _count; } }
        /// <summary>The index of the selected vCPU, which is also its APIC ID.</summary>
        public int Current { get { return _current; } }
        public Vcpu Bsp { get { return _cpus[0]; } }

        /// <summary>vCPU <paramref name="index"/>, or null (an AP not started, or the VM is off).</summary>
        public Vcpu At(int index)
        {
            return _cpus[index];
        }

        /// <summary>The processor count of the VM's next start; the VM is off (no vCPU exists).</summary>
        internal void SetCount(int count)
        {
            _count = count;
            _next = _current = 0;
        }

        internal void Select(int index)
        {
            _current = index;
        }

        /// <summary>The selected vCPU executed HLT and waits for an interrupt.</summary>
        public bool Halted { get { return _halted[_current]; } set { _halted[_current] = value; } }

        /// <summary>The index whose turn is next, round-robin over all processors (the runner skips those that cannot run).</summary>
        public int NextInTurn()
        {
            int index = _next;
            _next = index + 1 == _count ? 0 : index + 1;
            return index;
        }

        /// <summary>
        /// Puts <paramref name="cpu"/> in place <paramref name="index"/>, the previous one released by the caller. On a VM
        /// with siblings, PAUSE exits, so a vCPU spinning on a lock or waiting for an IPI's answer hands the slice on.
        /// </summary>
        internal void Put(int index, Vcpu cpu)
        {
            _cpus[index] = cpu;
            _halted[index] = false;
            if (cpu != null && _count > 1) cpu.YieldOnPause();
        }

        /// <summary>Releases AP <paramref name="index"/>'s vCPU (an INIT): it waits for a STARTUP again.</summary>
        internal void ReleaseAt(int index)
        {
            if (_cpus[index] != null) _cpus[index].Release();
            _cpus[index] = null;
            _halted[index] = false;
        }

        /// <summary>Releases every vCPU (the VM stopped or is being removed).</summary>
        internal void ReleaseAll()
        {
            for (int i = 0; i < MaxCount; i++) ReleaseAt(i);
            _next = _current = 0;
        }

        /// <summary>No vCPU is halted (a restart, or captured state put back: a captured vCPU had completed its HLT).</summary>
        internal void WakeAll()
        {
            for (int i = 0; i < MaxCount; i++) _halted[i] = false;
        }
    }
}
