using System;
using System.Collections.Generic;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>A Haswell-like host (the leaves Bochs' corei7_haswell_4770 answers, with every feature bit of interest set).</summary>
    internal static class HaswellCpuid
    {
        public static TableCpuidSource Create()
        {
            var host = new TableCpuidSource();
            host.Table[(0, 0)] = new CpuidResult(0xD, 0x756E6547, 0x6C65746E, 0x49656E69);
            // Leaf 1: every ECX/EDX bit set, so whatever reaches the guest is the allow-list's doing.
            host.Table[(1, 0)] = new CpuidResult(0x306C3, 0x00100800, 0xFFFFFFFF, 0xFFFFFFFF);
            host.Table[(6, 0)] = new CpuidResult(0x77, 2, 9, 0);
            host.Table[(7, 0)] = new CpuidResult(0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF);
            host.Table[(0xA, 0)] = new CpuidResult(0x07300403, 0, 0, 0x603);
            host.Table[(0xD, 0)] = new CpuidResult(0x1F, 0x340, 0x440, 0);
            host.Table[(0xD, 1)] = new CpuidResult(0xF, 0, 0, 0);
            host.Table[(0xD, 2)] = new CpuidResult(256, 576, 0, 0);
            host.Table[(0xD, 3)] = new CpuidResult(64, 960, 0, 0);
            host.Table[(0x80000000, 0)] = new CpuidResult(0x80000008, 0, 0, 0);
            host.Table[(0x80000001, 0)] = new CpuidResult(0, 0, 0xFFFFFFFF, 0xFFFFFFFF);
            host.Table[(0x80000002, 0)] = new CpuidResult(0x65746E49, 0x2952286C, 0x726F4320, 0x4D542865); // "Intel(R) Core(TM"
            host.Table[(0x80000006, 0)] = new CpuidResult(0, 0, 0x01006040, 0);
            host.Table[(0x80000007, 0)] = new CpuidResult(0, 0, 0, 0x1FF);
            host.Table[(0x80000008, 0)] = new CpuidResult(0x3027, 0, 0, 0);
            return host;
        }
    }

    public class CpuidAllowListTests
    {
        private static CpuidResult Query(uint leaf, uint subleaf = 0, ulong cr4 = 0, ulong xcr0 = 1, bool rdtscp = true)
            => new CpuidPolicy(HaswellCpuid.Create(), rdtscp).Query(TestVm.Running(3), leaf, subleaf, cr4, xcr0);

        [Fact]
        public void Leaf1_hides_what_nothing_backs()
        {
            CpuidResult r = Query(1);
            foreach (int bit in new[] { 3, 5, 6, 7, 8, 14, 15, 18, 21, 24 }) // MONITOR VMX SMX EIST TM2 xTPR PDCM DCA x2APIC TSC-deadline
                Assert.True((r.Ecx & (1u << bit)) == 0, $"ECX bit {bit}");
            foreach (int bit in new[] { 7, 9, 14, 18, 21, 22, 29, 31 }) // MCE APIC MCA PN DS ACPI TM PBE
                Assert.True((r.Edx & (1u << bit)) == 0, $"EDX bit {bit}");
            Assert.Equal(CpuidAllowList.Leaf1Ecx | CpuidBits.Leaf1EcxHypervisor, r.Ecx);
            Assert.Equal(CpuidAllowList.Leaf1Edx, r.Edx);
        }

        [Fact]
        public void The_pmu_leaf_spec_ctrl_and_invpcid_are_hidden()
        {
            Assert.Equal(default, Query(0xA));
            CpuidResult seven = Query(7);
            Assert.Equal(0u, seven.Edx); // SPEC_CTRL, STIBP, ARCH_CAPABILITIES, ...
            Assert.Equal(0u, seven.Ebx & CpuidBits.Leaf7EbxInvpcid);
            Assert.Equal(CpuidBits.Leaf7EbxTscAdjust, seven.Ebx & CpuidBits.Leaf7EbxTscAdjust); // emulated (Vcpu.TscAdjust)
            Assert.Equal(0u, seven.Ebx & (1u << 14)); // MPX
            Assert.Equal(CpuidBits.Leaf7EcxRdpid, seven.Ecx & CpuidBits.Leaf7EcxRdpid);
            Assert.Equal(default, Query(7, 1));
            Assert.Equal(new CpuidResult(4, 0, 0, 0), Query(6)); // of the host's 0x77/2/9: ARAT only
        }

        [Fact]
        public void Extended_leaves_report_the_hosts_range_brand_and_sizes()
        {
            // Linux reads 0x80000001 (NX, long mode, ...) only if 0x80000000 says the leaf exists: a zero here leaves
            // the guest without NX, and every writable kernel page executable (W+X).
            Assert.Equal(new CpuidResult(0x80000008, 0, 0, 0), Query(0x80000000));
            Assert.Equal(1u << 20, Query(0x80000001).Edx & (1u << 20)); // NX
            Assert.Equal(new CpuidResult(0x65746E49, 0x2952286C, 0x726F4320, 0x4D542865), Query(0x80000002));
            Assert.Equal(new CpuidResult(0, 0, 0x01006040, 0), Query(0x80000006));
            Assert.Equal(new CpuidResult(0x3027, 0, 0, 0), Query(0x80000008));
        }

        [Fact]
        public void The_power_management_leaf_offers_only_the_invariant_tsc_and_only_when_the_host_has_it()
        {
            Assert.Equal(new CpuidResult(0, 0, 0, CpuidBits.Extended7EdxInvariantTsc), Query(0x80000007)); // of the host's 0x1FF
            var host = new TableCpuidSource();
            host.Table[(0x80000007, 0)] = new CpuidResult(0, 0, 0, 0xFF); // every bit but the invariant TSC
            Assert.Equal(new CpuidResult(0, 0, 0, 0), new CpuidPolicy(host, true).Query(TestVm.Running(), 0x80000007, 0, 0, 0));
        }

        [Fact]
        public void Rdtscp_is_advertised_only_when_the_vm_controls_enable_it()
        {
            Assert.Equal(CpuidBits.Extended1EdxRdtscp, Query(0x80000001).Edx & CpuidBits.Extended1EdxRdtscp);
            Assert.Equal(0u, Query(0x80000001, rdtscp: false).Edx & CpuidBits.Extended1EdxRdtscp);
        }

        [Fact]
        public void The_xsave_leaf_offers_x87_sse_avx_and_sizes_the_area_for_the_guests_xcr0()
        {
            CpuidResult d = Query(0xD, 0, xcr0: 3);
            Assert.Equal(7u, d.Eax);
            Assert.Equal(576u, d.Ebx);
            Assert.Equal(832u, d.Ecx);
            Assert.Equal(832u, Query(0xD, 0, xcr0: 7).Ebx);
            Assert.Equal(7u, Query(0xD, 1).Eax); // XSAVEOPT, XSAVEC, XGETBV1; not XSAVES
            Assert.Equal(new CpuidResult(256, 576, 0, 0), Query(0xD, 2));
            Assert.Equal(default, Query(0xD, 3)); // MPX state: not offered
            Assert.Equal(7UL, CpuidPolicy.SupportedXcr0(HaswellCpuid.Create()));
        }

        [Fact]
        public void A_host_without_xsave_offers_neither_xsave_nor_avx_nor_osxsave_in_cr4()
        {
            var host = HaswellCpuid.Create();
            host.Table[(1, 0)] = new CpuidResult(0x306C3, 0, 0xFFFFFFFF & ~CpuidBits.Leaf1EcxXsave, 0xFFFFFFFF);
            CpuidResult r = new CpuidPolicy(host).Query(TestVm.Running(3), 1, 0, 0, 1);
            Assert.Equal(0u, r.Ecx & (CpuidBits.Leaf1EcxXsave | CpuidBits.Leaf1EcxAvx));
            Assert.Equal(0UL, CpuidPolicy.GuestCr4Bits(host) & ControlRegisterBits.Cr4OsXsave);
            Assert.Equal(default, new CpuidPolicy(host).Query(TestVm.Running(3), 0xD, 0, 0, 1));
        }

        [Fact]
        public void No_host_bit_outside_the_allow_list_reaches_a_guest_for_random_hosts()
        {
            var rng = new Random(11);
            VirtualMachine vm = TestVm.Running(3);
            for (int i = 0; i < 100_000; i++)
            {
                var host = HaswellCpuid.Create();
                host.Table[(1, 0)] = new CpuidResult((uint)rng.Next(), (uint)rng.Next(), (uint)rng.Next() * 2u, (uint)rng.Next() * 2u);
                host.Table[(7, 0)] = new CpuidResult((uint)rng.Next(), (uint)rng.Next() * 2u, (uint)rng.Next() * 2u, (uint)rng.Next() * 2u);
                host.Table[(0x80000001, 0)] = new CpuidResult(0, 0, (uint)rng.Next() * 2u, (uint)rng.Next() * 2u);
                var policy = new CpuidPolicy(host);
                CpuidResult one = policy.Query(vm, 1, 0, 0, 1);
                Assert.Equal(0u, one.Ecx & ~(CpuidAllowList.Leaf1Ecx | CpuidBits.Leaf1EcxHypervisor));
                Assert.Equal(0u, one.Edx & ~CpuidAllowList.Leaf1Edx);
                CpuidResult seven = policy.Query(vm, 7, 0, 0, 1);
                Assert.Equal(0u, seven.Eax | seven.Edx | (seven.Ebx & ~CpuidAllowList.Leaf7Ebx) | (seven.Ecx & ~CpuidAllowList.Leaf7Ecx));
                CpuidResult ext = policy.Query(vm, 0x80000001, 0, 0, 1);
                Assert.Equal(0u, (ext.Ecx & ~CpuidAllowList.Extended1Ecx) | (ext.Edx & ~CpuidAllowList.Extended1Edx));
            }
        }
    }
}
