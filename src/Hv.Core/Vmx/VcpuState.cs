using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// Everything that makes up a vCPU between two instructions: the guest-state area of the VMCS (SDM Vol. 3C 24.4),
    /// the guest's view of CR0/CR4 (read shadows), the general registers, the MSRs the VMCS does not switch and the
    /// x87/SSE state. Captured from a paused VM for snapshots, primed templates, forks and exports, and loaded into a
    /// fresh vCPU to continue exactly there.
    /// </summary>
    public sealed class VcpuState
    {
        public const int FpuStateBytes = 512; // the FXSAVE image (SDM Vol. 1 10.5.1)

        /// <summary>The VMCS fields captured, in a fixed order (the export format relies on it: append only).</summary>
        public static readonly uint[] Fields = BuildFields();

        public readonly ulong[] Values = new ulong[Fields.Length];
        public readonly GuestRegisters Registers = new GuestRegisters();
        public readonly GuestMsrs Msrs = new GuestMsrs();
        public readonly byte[] FpuState = new byte[FpuStateBytes];

        /// <summary>Gives back the state and its parts (its owner, a snapshot, a primed template or an import, is done with it).</summary>
        public void Free()
        {
            Owned.Free(Values);
            Owned.Free(Registers);
            Owned.Free(Msrs);
            Owned.Free(FpuState);
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
            Registers.CopyFrom(other.Registers);
            Msrs.CopyFrom(other.Msrs);
        }

        // RSP, RIP and RFLAGS travel in Registers, not here.
        private static uint[] BuildFields()
        {
            uint[] f = new uint[54];
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
            f[i++] = VmcsField.GuestPdpte0; f[i++] = VmcsField.GuestPdpte1; f[i++] = VmcsField.GuestPdpte2; f[i++] = VmcsField.GuestPdpte3;
            return f;
        }
    }
}
