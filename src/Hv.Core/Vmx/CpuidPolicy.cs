using System.Runtime.CompilerServices;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Vmx
{
    /// <summary>
    /// What a guest sees from CPUID: an allow-list over the host's answers, so a guest is told only of features that
    /// work inside Hv (SDM Vol. 2A CPUID). The list, in one place (<see cref="CpuidAllowList"/> has the bits):
    ///
    /// - Leaf 4 and 0xB of a VM with several vCPUs: <see cref="CpuTopology"/>; leaf 1 EBX too.
    /// - Leaf 0, 2, 4, 0xB, 0x80000000, 0x80000002-0x80000006, 0x80000008: the host's answer (vendor, highest extended
    ///   leaf, brand, caches, address sizes).
    /// - Leaf 1: ECX/EDX masked by the allow-list. Hidden because nothing backs them: VMX, SMX (no nested VMX; GETSEC
    ///   exits), x2APIC, TSC-deadline, PDCM (no IA32_PERF_CAPABILITIES), xTPR, DCA, MONITOR (no MWAIT emulation),
    ///   EIST/TM/TM2/ACPI thermal and the debug-store features (no such MSRs), MCE/MCA (no machine-check MSRs), APIC
    ///   (no local APIC model yet; IA32_APIC_BASE then faults as on such a CPU). OSXSAVE reflects the guest's
    ///   CR4.OSXSAVE; hypervisor-present (bit 31) set.
    /// - Leaf 6: only ARAT (the APIC timer does not stop in deep C-states), no thermal or energy interfaces.
    /// - Leaf 7 subleaf 0: EBX/ECX masked (no INVPCID, it is not enabled in the VM controls; no MPX, PT, AVX-512, PKU,
    ///   SGX); TSC_ADJUST always set (MsrPolicy emulates it as the TSC offset); EDX zero (no SPEC_CTRL/
    ///   ARCH_CAPABILITIES MSRs); EAX = 0 (no further subleaves).
    /// - Leaf 0xA (architectural PMU) and every basic leaf not named here: all zero.
    /// - Leaf 0xD: the XSAVE components the world switch saves (<see cref="SupportedXcr0"/>), the area size for the
    ///   guest's own XCR0, no XSAVES (no IA32_XSS).
    /// - Leaf 0x80000007: only EDX.InvariantTsc, and only when the host has it (the guest TSC is the host's, offset), no
    ///   power-management bits.
    /// - Leaf 0x80000001: LAHF, LZCNT, PREFETCHW, SYSCALL, NX, 1-GiB pages, RDTSCP (backed: enabled in the VM controls,
    ///   IA32_TSC_AUX per VM), long mode.
    /// - Leaves 0x40000000-0x400000FF (the range hypervisors share by convention, Linux
    ///   arch/x86/kernel/cpu/hypervisor.c): 0x40000000 EAX = highest leaf, EBX:ECX:EDX = "HvHypervisor";
    ///   0x40000001 EAX = this VM's id, EBX = hypercall ABI version; the rest zero.
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
        private readonly ulong _supportedXcr0;
        private readonly bool _rdtscp;

        /// <param name="rdtscpEnabled">The VM controls enable RDTSCP (else CPUID hides it, and RDTSCP faults with #UD).</param>
        public CpuidPolicy(CpuidSource host, bool rdtscpEnabled = true)
        {
            _host = host;
            _supportedXcr0 = SupportedXcr0(host);
            _rdtscp = rdtscpEnabled;
        }

        /// <summary>The XCR0 bits a guest may set: what the host supports of x87, SSE and AVX (SDM Vol. 1 13.2).</summary>
        public ulong SupportedXcr0Bits => _supportedXcr0;

        /// <summary>
        /// The XCR0 components the host CPU supports and Hv saves per VM (x87, SSE, AVX); 0 without XSAVE. MPX, AVX-512
        /// and PKRU state are left out, so guests cannot enable them (their CPUID bits are hidden as well).
        /// </summary>
        public static ulong SupportedXcr0(CpuidSource host)
        {
            if ((host.Query(1, 0).Ecx & CpuidBits.Leaf1EcxXsave) == 0 || host.Query(0, 0).Eax < 0xD) return 0;
            return host.Query(0xD, 0).Eax & CpuidAllowList.Xcr0;
        }

        /// <summary>
        /// The CR4 bits a guest may set (the rest fault with #GP, as on a CPU without the feature): the ones every x86-64
        /// has, plus those whose CPUID feature this policy advertises (SDM Vol. 3A 2.5 "Control Registers").
        /// </summary>
        public static ulong GuestCr4Bits(CpuidSource host)
        {
            ulong bits = CpuidAllowList.Cr4Always;
            CpuidResult one = host.Query(1, 0);
            if ((one.Ecx & CpuidBits.Leaf1EcxPcid) != 0) bits |= ControlRegisterBits.Cr4PcidEnable;
            if (SupportedXcr0(host) != 0) bits |= ControlRegisterBits.Cr4OsXsave;
            if (host.Query(0, 0).Eax >= 7)
            {
                uint ebx = host.Query(7, 0).Ebx & CpuidAllowList.Leaf7Ebx;
                if ((ebx & CpuidBits.Leaf7EbxFsgsbase) != 0) bits |= ControlRegisterBits.Cr4FsgsBase;
                if ((ebx & CpuidBits.Leaf7EbxSmep) != 0) bits |= ControlRegisterBits.Cr4Smep;
                if ((ebx & CpuidBits.Leaf7EbxSmap) != 0) bits |= ControlRegisterBits.Cr4Smap;
            }
            return bits;
        }

        /// <param name="guestCr4">The guest's CR4, for the OSXSAVE bit.</param>
        /// <param name="guestXcr0">The guest's XCR0, for the XSAVE area size of leaf 0xD.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public CpuidResult Query(VirtualMachine vm, uint leaf, uint subleaf, ulong guestCr4, ulong guestXcr0)
        {
            if (leaf >= HypervisorBaseLeaf && leaf <= HypervisorRangeEnd) return HypervisorLeaf(vm, leaf);
            int count = vm.ProcessorCount;
            switch (leaf)
            {
                case 4:
                    return count > 1 ? CpuTopology.Leaf4(_host.Query(leaf, subleaf), count) : _host.Query(leaf, subleaf);
                case 0xB:
                    return count > 1 ? CpuTopology.Leaf0B(subleaf, vm.Cpus.Current, count) : _host.Query(leaf, subleaf);
                case 0: case 2:
                    return _host.Query(leaf, subleaf);
                case 1:
                    CpuidResult one = Leaf1(guestCr4, vm.Platform != null);
                    return count > 1 ? CpuTopology.Leaf1(one, vm.Cpus.Current, count) : one;
                case 6:
                    return new CpuidResult(_host.Query(6, 0).Eax & CpuidAllowList.Leaf6Eax, 0, 0, 0);
                case 7:
                    if (subleaf != 0) return default;
                    CpuidResult seven = _host.Query(7, 0);
                    return new CpuidResult(0, (seven.Ebx & CpuidAllowList.Leaf7Ebx) | CpuidBits.Leaf7EbxTscAdjust, seven.Ecx & CpuidAllowList.Leaf7Ecx, 0);
                case 0xD:
                    return XsaveLeaf(subleaf, guestXcr0);
                case 0x80000000: case 0x80000002: case 0x80000003: case 0x80000004:
                case 0x80000005: case 0x80000006: case 0x80000008:
                    return _host.Query(leaf, subleaf);
                case 0x80000007:
                    return new CpuidResult(0, 0, 0, _host.Query(leaf, 0).Edx & CpuidBits.Extended7EdxInvariantTsc);
                case 0x80000001:
                    CpuidResult ext = _host.Query(leaf, 0);
                    uint edx = ext.Edx & CpuidAllowList.Extended1Edx;
                    if (!_rdtscp) edx &= ~CpuidBits.Extended1EdxRdtscp;
                    return new CpuidResult(ext.Eax, 0, ext.Ecx & CpuidAllowList.Extended1Ecx, edx);
                default:
                    return default; // 3, 5, 8, 9, 0xA (PMU), 0xC, 0xE and above: nothing offered
            }
        }

        private static CpuidResult HypervisorLeaf(VirtualMachine vm, uint leaf)
        {
            if (leaf == HypervisorBaseLeaf) return new CpuidResult(HypervisorInfoLeaf, SignatureEbx, SignatureEcx, SignatureEdx);
            if (leaf == HypervisorInfoLeaf) return new CpuidResult(vm.Id, HypercallAbiVersion, 0, 0);
            return default;
        }

        private CpuidResult Leaf1(ulong guestCr4, bool pc)
        {
            CpuidResult result = _host.Query(1, 0);
            result.Ecx &= CpuidAllowList.Leaf1Ecx;
            if (_supportedXcr0 == 0) result.Ecx &= ~(CpuidBits.Leaf1EcxXsave | CpuidBits.Leaf1EcxAvx);
            result.Ecx |= CpuidBits.Leaf1EcxHypervisor;
            if ((guestCr4 & ControlRegisterBits.Cr4OsXsave) != 0) result.Ecx |= CpuidBits.Leaf1EcxOsXsave;
            result.Edx &= CpuidAllowList.Leaf1Edx;
            if (pc)
            {
                // A PC VM's local APIC is its platform's model (xAPIC page, x2APIC MSRs, TSC-deadline timer), ID 0 (the
                // vCPU's index with several: CpuTopology).
                result.Ebx &= 0x00FFFFFF;
                result.Ecx |= CpuidAllowList.PcLeaf1Ecx;
                result.Edx |= CpuidAllowList.PcLeaf1Edx;
            }
            return result;
        }

        // SDM Vol. 1 13.2: subleaf 0 EAX/EDX = supported XCR0 bits, EBX = area size for the XCR0 now set, ECX = size
        // for all supported; subleaf 1 = XSAVEOPT/XSAVEC/XGETBV1 (no XSAVES); subleaf i = component i's size/offset.
        private CpuidResult XsaveLeaf(uint subleaf, ulong guestXcr0)
        {
            if (_supportedXcr0 == 0) return default;
            if (subleaf == 0) return new CpuidResult((uint)_supportedXcr0, AreaSize(guestXcr0 & _supportedXcr0), AreaSize(_supportedXcr0), 0);
            if (subleaf == 1) return new CpuidResult(_host.Query(0xD, 1).Eax & CpuidAllowList.XsaveFeatures, 0, 0, 0);
            if (subleaf < 64 && (_supportedXcr0 & (1UL << (int)subleaf)) != 0 && subleaf >= 2) return _host.Query(0xD, subleaf);
            return default;
        }

        /// <summary>The standard-form XSAVE area size for these components: the legacy region and header, then the end of the last one.</summary>
        private uint AreaSize(ulong components)
        {
            uint size = 576;
            for (uint i = 2; i < 64; i++)
            {
                if ((components & (1UL << (int)i)) == 0) continue;
                CpuidResult c = _host.Query(0xD, i);
                if (c.Ebx + c.Eax > size) size = c.Ebx + c.Eax;
            }
            return size;
        }
    }
}
