using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Everything that makes up a vCPU between two instructions: the guest-state area of the VMCS (SDM Vol. 3C 24.4),
    /// the guest's view of CR0/CR4 (read shadows), the general registers and CR2, the MSRs the VMCS does not switch,
    /// DR0-DR3/DR6/CR8/XCR0, the MTRRs and the x87/SSE/AVX state (see <see cref="GuestStateInventory"/>). Captured from a paused VM for snapshots, primed templates, forks and exports, and loaded into a
    /// fresh vCPU to continue exactly there.
    /// </summary>
    public sealed class VcpuState
    {
        /// <summary>The standard-form XSAVE image: legacy x87/SSE region, header, AVX (SDM Vol. 1 13.4; 832 bytes used).</summary>
        public const int FpuStateBytes = 1024;

        /// <summary>The VMCS fields captured, in a fixed order (the export format relies on it: append only).</summary>
        public static readonly uint[] Fields = BuildFields();

        public readonly ulong[] Values = new ulong[Fields.Length];
        public readonly GuestRegisters Registers = new GuestRegisters();
        public readonly GuestMsrs Msrs = new GuestMsrs();
        public readonly SwitchedRegisters Switched = new SwitchedRegisters();
        public readonly GuestMtrrs Mtrrs = new GuestMtrrs();
        public readonly byte[] FpuState = new byte[FpuStateBytes];
        /// <summary>A PC VM's devices (<see cref="Hv.Core.Devices.Pc.PcPlatform.SaveState"/>), when <see cref="HasDevices"/>.</summary>
        public readonly byte[] DeviceState = new byte[Hv.Core.Devices.Pc.PcPlatform.StateSize];
        public bool HasDevices;
        /// <summary>
        /// A PC VM's network adapter (<see cref="Hv.Core.Devices.Pc.PcPciHost.SaveNetworkState"/>), when <see cref="HasNetwork"/>.
        /// Snapshots, forks and primed templates carry it; the export format does not (an imported VM has no adapter).
        /// </summary>
        public readonly byte[] NetworkState = new byte[Hv.Core.Devices.Pc.PcPciHost.NetworkStateCapacity];
        public bool HasNetwork;
        /// <summary>The guest's TSC at the capture (the VMCS keeps only an offset against the host's).</summary>
        public ulong Tsc;
        /// <summary>The guest's IA32_TSC_ADJUST (<see cref="Vcpu.TscAdjust"/>).</summary>
        public ulong TscAdjust;

        /// <summary>Gives back the state and its parts (its owner, a snapshot, a primed template or an import, is done with it).</summary>
        public void Free()
        {
            Owned.Free(Values);
            Owned.Free(Registers);
            Owned.Free(Msrs);
            Owned.Free(Switched);
            Mtrrs.Free();
            Owned.Free(FpuState);
            Owned.Free(DeviceState);
            Owned.Free(NetworkState);
            Owned.Free(this);
        }

        public ulong Get(uint field)
        {
            for (int i = 0; i < Fields.Length; i++) if (Fields[i] == field) return Values[i];
            return 0;
        }

        public void CopyFrom(VcpuState other)
        {
            for (int i = 0; i < Values.Length; i++) Values[i] = other.Values[i];
            for (int i = 0; i < FpuStateBytes; i++) FpuState[i] = other.FpuState[i];
            for (int i = 0; i < DeviceState.Length; i++) DeviceState[i] = other.DeviceState[i];
            HasDevices = other.HasDevices;
            for (int i = 0; i < NetworkState.Length; i++) NetworkState[i] = other.NetworkState[i];
            HasNetwork = other.HasNetwork;
            Tsc = other.Tsc;
            TscAdjust = other.TscAdjust;
            Registers.CopyFrom(other.Registers);
            Msrs.CopyFrom(other.Msrs);
            Switched.CopyFrom(other.Switched);
            Mtrrs.CopyFrom(other.Mtrrs);
        }

        /// <summary>
        /// False when loading this state would make the host's own instructions fault (an imported image is untrusted):
        /// an XCR0 XSETBV refuses, an XSAVE header XRSTOR refuses (SDM Vol. 1 13.8.1: XCOMP_BV and the reserved bytes
        /// zero, no component beyond those Hv saves), MXCSR reserved bits, DR6 bits 63:32, non-canonical DR0-DR3 or
        /// address MSRs, a TSC_AUX above 32 bits or a CR8 above 15.
        /// </summary>
        public bool IsLoadable()
        {
            if (!XsetbvPolicy.IsValid(0, Switched.Xcr0, CpuidAllowList.Xcr0, 0)) return false;
            if ((Little(512, 8) & ~CpuidAllowList.Xcr0) != 0) return false;
            for (int i = 520; i < 576; i++) if (FpuState[i] != 0) return false;
            if ((Little(24, 4) & 0xFFFF0000u) != 0) return false;
            if ((Switched.Dr6 >> 32) != 0 || Switched.Cr8 > 15 || (Msrs.TscAux >> 32) != 0) return false;
            for (int i = 0; i < 4; i++) if (!MsrPolicy.IsCanonical(Switched.Get(i))) return false;
            for (int i = 0; i < GuestMtrrs.Count; i++) if (!GuestMtrrs.IsValid(i, Mtrrs.Get(i))) return false;
            return MsrPolicy.IsCanonical(Msrs.Lstar) && MsrPolicy.IsCanonical(Msrs.Cstar) && MsrPolicy.IsCanonical(Msrs.KernelGsBase);
        }

        private ulong Little(int offset, int bytes)
        {
            ulong v = 0;
            for (int i = bytes - 1; i >= 0; i--) v = (v << 8) | FpuState[offset + i];
            return v;
        }

        // RSP, RIP and RFLAGS travel in Registers, not here.
        private static uint[] BuildFields()
        {
            uint[] f = new uint[58];
            int i = 0;
            f[i++] = VmcsField.GuestEsSelector; f[i++] = VmcsField.GuestCsSelector; f[i++] = VmcsField.GuestSsSelector;
            f[i++] = VmcsField.GuestDsSelector; f[i++] = VmcsField.GuestFsSelector; f[i++] = VmcsField.GuestGsSelector;
            f[i++] = VmcsField.GuestLdtrSelector; f[i++] = VmcsField.GuestTrSelector;
            f[i++] = VmcsField.GuestEsBase; f[i++] = VmcsField.GuestCsBase; f[i++] = VmcsField.GuestSsBase;
            f[i++] = VmcsField.GuestDsBase; f[i++] = VmcsField.GuestFsBase; f[i++] = VmcsField.GuestGsBase;
            f[i++] = VmcsField.GuestLdtrBase; f[i++] = VmcsField.GuestTrBase; f[i++] = VmcsField.GuestGdtrBase;
            f[i++] = VmcsField.GuestIdtrBase;
            f[i++] = VmcsField.GuestEsLimit; f[i++] = VmcsField.GuestCsLimit; f[i++] = VmcsField.GuestSsLimit;
            f[i++] = VmcsField.GuestDsLimit; f[i++] = VmcsField.GuestFsLimit; f[i++] = VmcsField.GuestGsLimit;
            f[i++] = VmcsField.GuestLdtrLimit; f[i++] = VmcsField.GuestTrLimit; f[i++] = VmcsField.GuestGdtrLimit;
            f[i++] = VmcsField.GuestIdtrLimit;
            f[i++] = VmcsField.GuestEsAccessRights; f[i++] = VmcsField.GuestCsAccessRights; f[i++] = VmcsField.GuestSsAccessRights;
            f[i++] = VmcsField.GuestDsAccessRights; f[i++] = VmcsField.GuestFsAccessRights; f[i++] = VmcsField.GuestGsAccessRights;
            f[i++] = VmcsField.GuestLdtrAccessRights; f[i++] = VmcsField.GuestTrAccessRights;
            f[i++] = VmcsField.GuestCr0; f[i++] = VmcsField.GuestCr3; f[i++] = VmcsField.GuestCr4;
            f[i++] = VmcsField.Cr0ReadShadow; f[i++] = VmcsField.Cr4ReadShadow;
            f[i++] = VmcsField.GuestDr7; f[i++] = VmcsField.GuestIa32DebugCtl; f[i++] = VmcsField.GuestIa32Efer;
            f[i++] = VmcsField.GuestIa32SysenterCs; f[i++] = VmcsField.GuestIa32SysenterEsp; f[i++] = VmcsField.GuestIa32SysenterEip;
            f[i++] = VmcsField.GuestInterruptibilityState; f[i++] = VmcsField.GuestActivityState;
            f[i++] = VmcsField.GuestPendingDebugExceptions;
            // An event queued for the next entry (an injected interrupt or exception, a re-injected one) travels too.
            f[i++] = VmcsField.EntryInterruptionInfo; f[i++] = VmcsField.EntryExceptionErrorCode; f[i++] = VmcsField.EntryInstructionLength;
            f[i++] = VmcsField.GuestPdpte0; f[i++] = VmcsField.GuestPdpte1; f[i++] = VmcsField.GuestPdpte2; f[i++] = VmcsField.GuestPdpte3;
            f[i++] = VmcsField.GuestIa32Pat;
            return f;
        }
    }
}
