using System.Runtime.CompilerServices;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// What a guest sees from CPUID: the host's answers, edited so the guest knows it is virtualised and
    /// does not try to use features we do not virtualise.
    ///
    /// - Leaf 1 ECX: VMX (bit 5) and SMX (bit 6) cleared: we offer no nested VMX, and GETSEC exits
    ///   unconditionally (SDM Vol. 3C "Instructions That Cause VM Exits Unconditionally").
    ///   Hypervisor-present (bit 31, reserved for this use by Intel and AMD) set. OSXSAVE (bit 27) reflects the guest's CR4.OSXSAVE, not the host's (SDM Vol. 2A CPUID).
    /// - Leaf 0x40000000 (the range hypervisors share by convention, Linux arch/x86/kernel/cpu/hypervisor.c):
    ///   EAX = highest hypervisor leaf (0x40000001), EBX:ECX:EDX = "HvHypervisor".
    /// - Leaf 0x40000001: EAX = this VM's id, EBX = hypercall ABI version, ECX = EDX = 0.
    /// - Leaves 0x40000002-0x400000FF: all zero.
    /// - Everything else: the host's answer unchanged.
    /// </summary>
    public sealed class CpuidPolicy
    {
        public const uint HypervisorBaseLeaf = 0x40000000;
        public const uint HypervisorInfoLeaf = 0x40000001;
        public const uint HypervisorRangeEnd = 0x400000FF;
        public const uint HypercallAbiVersion = 1;

        // "HvHypervisor" as little-endian register contents: "HvHy", "perv", "isor".
        public const uint SignatureEbx = 0x79487648;
        public const uint SignatureEcx = 0x76726570;
        public const uint SignatureEdx = 0x726F7369;

        private readonly CpuidSource _host;

        public CpuidPolicy(CpuidSource host)
        {
            _host = host;
        }

        /// <param name="guestCr4">The guest's CR4, for the OSXSAVE bit.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CpuidResult Query(VirtualMachine vm, uint leaf, uint subleaf, ulong guestCr4)
        {
            if (leaf == HypervisorBaseLeaf)
            {
                return new CpuidResult(HypervisorInfoLeaf, SignatureEbx, SignatureEcx, SignatureEdx);
            }
            if (leaf == HypervisorInfoLeaf)
            {
                return new CpuidResult(vm.Id, HypercallAbiVersion, 0, 0);
            }
            if (leaf > HypervisorInfoLeaf && leaf <= HypervisorRangeEnd)
            {
                return new CpuidResult(0, 0, 0, 0);
            }
            CpuidResult result = _host.Query(leaf, subleaf);
            if (leaf == 1)
            {
                result.Ecx &= ~(CpuidBits.Leaf1EcxVmx | CpuidBits.Leaf1EcxSmx | CpuidBits.Leaf1EcxOsXsave);
                result.Ecx |= CpuidBits.Leaf1EcxHypervisor;
                if ((guestCr4 & ControlRegisterBits.Cr4OsXsave) != 0)
                {
                    result.Ecx |= CpuidBits.Leaf1EcxOsXsave;
                }
            }
            return result;
        }
    }
}
