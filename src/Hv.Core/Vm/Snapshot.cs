using Hv.Core.Memory;
using Hv.Core.Vmx;

using Hv.Core.Storage;

namespace Hv.Core.Vm
{
    /// <summary>
    /// A VM as it was at one instant: a copy-on-write fork of its memory and its captured vCPUs (registers, MSRs, FPU).
    /// Restoring one puts both back exactly.
    /// </summary>
    public sealed class Snapshot
    {
        /// <summary>Per host, from 1, never reused.</summary>
        public uint Id;
        /// <summary>Unique among the VM's snapshots.</summary>
        public string Name;
        /// <summary>The host TSC when it was taken.</summary>
        public ulong CreatedTicks;
        public AddressSpace Memory;
        public readonly VcpuState State = new VcpuState();
        /// <summary>A copy-on-write fork of the VM's disk, or null for a VM without one.</summary>
        public DiskImage Disk;
        /// <summary>The application processors of a VM with several vCPUs; null for one.</summary>
        public ApStates Aps;

        /// <summary>Gives back its pages, name, state and record (it is being removed).</summary>
        public void Free()
        {
            if (Memory != null) Memory.Free();
            if (Disk != null) Disk.Free();
            Owned.Free(Name);
            State.Free();
            if (Aps != null) Aps.Free();
            Owned.Free(this);
        }
    }
}
