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
            host.Table[(0x80000001, 0)] = new CpuidResult(0, 0, 0xFFFFFFFF, 0xFFFFFFFF);
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
            Assert.Equal(0u, seven.Ebx & (1u << 1)); // TSC_ADJUST
            Assert.Equal(0u, seven.Ebx & (1u << 14)); // MPX
            Assert.Equal(CpuidBits.Leaf7EcxRdpid, seven.Ecx & CpuidBits.Leaf7EcxRdpid);
            Assert.Equal(default, Query(7, 1));
            Assert.Equal(new CpuidResult(4, 0, 0, 0), Query(6)); // of the host's 0x77/2/9: ARAT only
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

    public class XsetbvTests
    {
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(HaswellCpuid.Create());
        private readonly VirtualMachine _vm = TestVm.Running();

        private static FakeVcpu Cpu(int cpl = 0)
        {
            var cpu = new FakeVcpu(ExitReason.Xsetbv, 0, 3);
            cpu.Fields[VmcsField.GuestSsAccessRights] = (ulong)(0x93 | (cpl << 5));
            return cpu;
        }

        [Theory]
        [InlineData(1, true)]   // x87
        [InlineData(3, true)]   // x87 SSE
        [InlineData(7, true)]   // x87 SSE AVX
        [InlineData(0, false)]  // x87 must be set
        [InlineData(2, false)]
        [InlineData(5, false)]  // AVX without SSE
        [InlineData(6, false)]
        [InlineData(0xF, false)] // BNDREGS: not offered
        [InlineData(0x1F, false)]
        [InlineData(0x207, false)] // PKRU
        [InlineData(0x1_0000_0007, false)]
        public void Xcr0_values_are_checked_as_the_sdm_says(ulong value, bool valid)
        {
            FakeVcpu cpu = Cpu();
            cpu.Registers.Rax = value & 0xFFFFFFFF;
            cpu.Registers.Rdx = value >> 32;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(valid, !cpu.HasPendingEvent);
            Assert.Equal(valid ? value : SwitchedRegisters.Xcr0Reset, cpu.Switched.Xcr0);
            Assert.Equal(valid ? 0x1003UL : 0x1000UL, cpu.Registers.Rip);
        }

        [Fact]
        public void A_million_random_xsetbvs_either_set_a_valid_xcr0_or_fault_and_change_nothing()
        {
            var rng = new Random(5);
            int accepted = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                FakeVcpu cpu = Cpu(rng.Next(8) == 0 ? rng.Next(1, 4) : 0);
                ulong value = rng.Next(4) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(16);
                cpu.Registers.Rax = (ulong)rng.NextInt64() << 32 | (value & 0xFFFFFFFF); // RAX 63:32 are ignored
                cpu.Registers.Rdx = value >> 32;
                cpu.Registers.Rcx = rng.Next(8) == 0 ? (ulong)rng.Next(1, 3) : 0;
                _dispatcher.Dispatch(_vm, cpu);
                ulong x = cpu.Switched.Xcr0;
                if (cpu.HasPendingEvent)
                {
                    Assert.Equal(ExceptionVector.GeneralProtection, cpu.PendingVector);
                    Assert.Equal(SwitchedRegisters.Xcr0Reset, x);
                    Assert.Equal(0x1000UL, cpu.Registers.Rip);
                    continue;
                }
                accepted++;
                Assert.Equal(value, x);
                Assert.Equal(0UL, cpu.Registers.Rcx);
                Assert.Equal(0, cpu.CurrentPrivilegeLevel());
                Assert.True(x == 1 || x == 3 || x == 7, x.ToString("x"));
            }
            Assert.InRange(accepted, 10_000, 900_000);
        }
    }

    public class ControlRegisterTests
    {
        private static readonly ulong Allowed = CpuidPolicy.GuestCr4Bits(HaswellCpuid.Create());
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(HaswellCpuid.Create());
        private readonly VirtualMachine _vm = TestVm.Running();

        /// <summary>A vCPU as HardwareVcpu sets one up: NE forced in CR0, VMXE forced in CR4, the host-owned CR4 bits masked.</summary>
        private static FakeVcpu Cpu(ulong cr0, ulong cr4, ulong efer, ulong cr3 = 0, bool longCode = false)
        {
            var cpu = new FakeVcpu(ExitReason.ControlRegisterAccess, 0, 3);
            cpu.Fields[VmcsField.Cr0GuestHostMask] = ControlRegisterBits.Cr0NumericError;
            cpu.Fields[VmcsField.Cr0ReadShadow] = cr0;
            cpu.Fields[VmcsField.GuestCr0] = cr0 | ControlRegisterBits.Cr0NumericError;
            cpu.Fields[VmcsField.Cr4GuestHostMask] = ControlRegisterPolicy.Cr4HostOwned(Allowed);
            cpu.Fields[VmcsField.Cr4ReadShadow] = cr4;
            cpu.Fields[VmcsField.GuestCr4] = cr4 | ControlRegisterBits.Cr4VmxEnable;
            cpu.Fields[VmcsField.GuestIa32Efer] = efer;
            cpu.Fields[VmcsField.GuestCr3] = cr3;
            cpu.Fields[VmcsField.GuestCsAccessRights] = longCode ? 0xA09BUL : 0xC09BUL;
            cpu.Fields[VmcsField.EntryControls] = (efer & ControlRegisterBits.EferLongModeActive) != 0 ? VmxControls.Ia32eModeGuest : 0;
            return cpu;
        }

        private bool Mov(FakeVcpu cpu, int cr, ulong value, int type = 0)
        {
            cpu.Registers.Rip = 0x1000;
            cpu.Fields.Remove(VmcsField.EntryInterruptionInfo);
            cpu.Registers.Rbx = value;
            cpu.Fields[VmcsField.ExitQualification] = (ulong)cr | ((ulong)type << 4) | (3UL << 8) | ((value & 0xFFFF) << 16);
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            if (cpu.HasPendingEvent)
            {
                Assert.Equal(ExceptionVector.GeneralProtection, cpu.PendingVector);
                Assert.Equal(0x1000UL, cpu.Registers.Rip);
                return false;
            }
            Assert.Equal(0x1003UL, cpu.Registers.Rip);
            return true;
        }

        [Fact]
        public void Cr4_bits_whose_feature_is_hidden_fault_and_vmxe_reads_as_the_guest_wrote_it()
        {
            FakeVcpu cpu = Cpu(0x80000011, 0x20, 0x500, 0, true);
            Assert.False(Mov(cpu, 4, 0x20 | ControlRegisterBits.Cr4VmxEnable));
            Assert.False(Mov(cpu, 4, 0x20 | (1UL << 14))); // SMXE
            Assert.False(Mov(cpu, 4, 0x20 | (1UL << 12))); // LA57
            Assert.False(Mov(cpu, 4, 0x20 | ControlRegisterBits.Cr4MachineCheckEnable)); // MCE hidden
            Assert.False(Mov(cpu, 4, 0)); // PAE cannot be cleared in IA-32e mode
            Assert.True(Mov(cpu, 4, 0x20 | ControlRegisterBits.Cr4OsXsave | ControlRegisterBits.Cr4Smep));
            Assert.Equal(0x20 | ControlRegisterBits.Cr4OsXsave | ControlRegisterBits.Cr4Smep, ControlRegisterPolicy.GuestCr4(cpu));
            Assert.Equal(0x20 | ControlRegisterBits.Cr4OsXsave | ControlRegisterBits.Cr4Smep | ControlRegisterBits.Cr4VmxEnable, cpu.Fields[VmcsField.GuestCr4]);
        }

        [Fact]
        public void Cr0_checks_and_the_switch_into_long_mode()
        {
            FakeVcpu cpu = Cpu(0x11, 0x20, ControlRegisterBits.EferLongModeEnable);
            Assert.False(Mov(cpu, 0, 0x80000010)); // PG without PE
            Assert.False(Mov(cpu, 0, 0x20000011)); // NW without CD
            Assert.True(Mov(cpu, 0, 0x1_0000_0011)); // outside IA-32e mode the operand is 32 bits: bit 32 is not written
            Assert.Equal(0x11UL, ControlRegisterPolicy.GuestCr0(cpu));
            Assert.True(Mov(cpu, 0, 0x80000011)); // NE clear in the guest's view, paging on with LME: IA-32e mode
            Assert.Equal(0x80000011UL, ControlRegisterPolicy.GuestCr0(cpu));
            Assert.Equal(0x80000031UL, cpu.Fields[VmcsField.GuestCr0]);
            Assert.Equal(0x500UL, cpu.Fields[VmcsField.GuestIa32Efer]);
            Assert.Equal((ulong)VmxControls.Ia32eModeGuest, cpu.Fields[VmcsField.EntryControls]);
            FakeVcpu noPae = Cpu(0x11, 0, ControlRegisterBits.EferLongModeEnable);
            Assert.False(Mov(noPae, 0, 0x80000011)); // LME without PAE
            FakeVcpu longCode = Cpu(0x80000011, 0x20, 0x500, 0, true);
            Assert.False(Mov(longCode, 0, 0x11)); // paging off in 64-bit code
            Assert.False(Mov(longCode, 0, 0x1_8000_0011)); // bits 63:32
        }

        [Fact]
        public void Cr8_holds_a_four_bit_priority_per_vcpu()
        {
            FakeVcpu cpu = Cpu(0x80000011, 0x20, 0x500, 0, true);
            Assert.True(Mov(cpu, 8, 9));
            Assert.Equal(9UL, cpu.Switched.Cr8);
            Assert.False(Mov(cpu, 8, 16));
            Assert.Equal(9UL, cpu.Switched.Cr8);
            Assert.True(Mov(cpu, 8, 0, type: 1)); // MOV RBX, CR8
            Assert.Equal(9UL, cpu.Registers.Rbx);
        }

        [Fact]
        public void A_million_random_control_register_writes_fault_or_leave_a_state_vm_entry_accepts()
        {
            var rng = new Random(17);
            int accepted = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                bool ia32e = rng.Next(2) == 0;
                ulong efer = ia32e ? 0x500UL : (rng.Next(2) == 0 ? ControlRegisterBits.EferLongModeEnable : 0);
                ulong cr0 = ia32e ? 0x80000011UL : 0x11UL;
                ulong cr4 = (ia32e || rng.Next(2) == 0 ? 0x20UL : 0) | (rng.Next(2) == 0 ? ControlRegisterBits.Cr4OsXsave : 0);
                FakeVcpu cpu = Cpu(cr0, cr4, efer, (ulong)rng.Next(0, 0x2000), ia32e && rng.Next(2) == 0);
                var before = new Dictionary<uint, ulong>(cpu.Fields);
                int cr = new[] { 0, 4, 8 }[rng.Next(3)];
                int type = cr == 0 ? new[] { 0, 2, 3 }[rng.Next(3)] : cr == 8 ? rng.Next(2) : 0; // MOV to, CLTS, LMSW; MOV from CR8
                ulong value = rng.Next(3) switch
                {
                    0 => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 32),
                    1 => (ulong)rng.Next(),
                    _ => (cr == 0 ? cr0 : cr == 4 ? cr4 : 3) ^ (1UL << rng.Next(64)),
                };
                ulong cr8 = cpu.Switched.Cr8;
                bool ok = Mov(cpu, cr, value, type);
                if (!ok)
                {
                    foreach (var kv in before)
                        if (kv.Key != VmcsField.ExitQualification) Assert.Equal(kv.Value, cpu.Fields[kv.Key]);
                    Assert.Equal(cr8, cpu.Switched.Cr8);
                    continue;
                }
                accepted++;
                // What VM entry checks (SDM Vol. 3C 26.3.1.1), and what the guest may hold.
                ulong g0 = cpu.Fields[VmcsField.GuestCr0], g4 = cpu.Fields[VmcsField.GuestCr4], e = cpu.Fields[VmcsField.GuestIa32Efer];
                Assert.Equal(0UL, g0 >> 32);
                Assert.NotEqual(0UL, g0 & ControlRegisterBits.Cr0NumericError);
                Assert.False((g0 & ControlRegisterBits.Cr0Paging) != 0 && (g0 & ControlRegisterBits.Cr0ProtectionEnable) == 0);
                Assert.False((g0 & ControlRegisterBits.Cr0NotWriteThrough) != 0 && (g0 & ControlRegisterBits.Cr0CacheDisable) == 0);
                Assert.NotEqual(0UL, g4 & ControlRegisterBits.Cr4VmxEnable);
                Assert.Equal(0UL, g4 & ~(Allowed | ControlRegisterBits.Cr4VmxEnable));
                bool lma = (e & ControlRegisterBits.EferLongModeActive) != 0;
                Assert.Equal(lma, (cpu.Fields[VmcsField.EntryControls] & VmxControls.Ia32eModeGuest) != 0);
                if (lma)
                {
                    Assert.NotEqual(0UL, g0 & ControlRegisterBits.Cr0Paging);
                    Assert.NotEqual(0UL, g4 & ControlRegisterBits.Cr4PhysicalAddressExtension);
                }
                Assert.InRange(cpu.Switched.Cr8, 0UL, 15UL);
            }
            Assert.InRange(accepted, 50_000, 950_000);
        }
    }

    public class MsrFuzzTests
    {
        private static readonly uint[] Known =
        {
            Msr.Ia32Tsc, Msr.Ia32ApicBase, Msr.Ia32FeatureControl, Msr.Ia32MiscEnable, Msr.Ia32SysenterCs, Msr.Ia32SysenterEsp,
            Msr.Ia32SysenterEip, Msr.Ia32Pat, Msr.Ia32Efer, Msr.Ia32Star, Msr.Ia32Lstar, Msr.Ia32Cstar, Msr.Ia32Fmask,
            Msr.Ia32FsBase, Msr.Ia32GsBase, Msr.Ia32KernelGsBase, Msr.Ia32TscAux, Msr.Ia32SpecCtrl, Msr.Ia32MtrrCap,
            Msr.Ia32MtrrDefType, 0x200, 0x201, 0x20E, 0x20F, 0x210, Msr.Ia32MtrrFix64K, Msr.Ia32MtrrFix16KA0000,
            Msr.Ia32MtrrFix4KF8000, 0x345, 0x186, 0x3A, 0x480, 0xC0010000,
        };

        /// <summary>MSRs whose value reads back exactly as written when the write is accepted.</summary>
        private static readonly HashSet<uint> Stored = new HashSet<uint>
        {
            Msr.Ia32SysenterEsp, Msr.Ia32SysenterEip, Msr.Ia32Pat, Msr.Ia32Star, Msr.Ia32Lstar, Msr.Ia32Cstar, Msr.Ia32Fmask,
            Msr.Ia32FsBase, Msr.Ia32GsBase, Msr.Ia32KernelGsBase, Msr.Ia32TscAux, Msr.Ia32MtrrDefType, 0x200, 0x201, 0x20E,
            0x20F, Msr.Ia32MtrrFix64K, Msr.Ia32MtrrFix16KA0000, Msr.Ia32MtrrFix4KF8000,
        };

        [Fact]
        public void A_million_random_msr_accesses_fault_or_keep_the_vcpu_in_a_state_hardware_could_hold()
        {
            var rng = new Random(23);
            ExitDispatcher dispatcher = ExitDispatcher.CreateStandard(HaswellCpuid.Create());
            VirtualMachine vm = TestVm.Running();
            var cpu = new FakeVcpu(ExitReason.Wrmsr);
            cpu.Fields[VmcsField.GuestIa32Efer] = 0x500;
            cpu.Fields[VmcsField.GuestCr0] = 0x80000011;
            int accepted = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                uint msr = rng.Next(4) == 0 ? (uint)rng.Next() : Known[rng.Next(Known.Length)];
                ulong value = rng.Next(3) switch
                {
                    0 => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 33),
                    1 => (ulong)rng.Next(0x10000),
                    _ => 0xFFFF800000000000UL | (ulong)rng.NextInt64() >> 17,
                };
                bool write = rng.Next(2) == 0;
                var before = new Dictionary<uint, ulong>(cpu.Fields);
                ulong[] msrsBefore = new ulong[GuestMsrs.Count];
                for (int m = 0; m < GuestMsrs.Count; m++) msrsBefore[m] = cpu.Msrs.Get(m);
                cpu.Fields[VmcsField.ExitReason] = (ulong)(write ? ExitReason.Wrmsr : ExitReason.Rdmsr);
                cpu.Fields.Remove(VmcsField.EntryInterruptionInfo);
                cpu.Registers.Rip = 0x1000;
                cpu.Registers.Rcx = msr;
                cpu.Registers.Rax = value & 0xFFFFFFFF;
                cpu.Registers.Rdx = value >> 32;
                Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
                if (cpu.HasPendingEvent)
                {
                    Assert.Equal(ExceptionVector.GeneralProtection, cpu.PendingVector);
                    Assert.Equal(0x1000UL, cpu.Registers.Rip);
                    foreach (var kv in before) if (kv.Key != VmcsField.ExitReason) Assert.Equal(kv.Value, cpu.Fields[kv.Key]);
                    for (int m = 0; m < GuestMsrs.Count; m++) Assert.Equal(msrsBefore[m], cpu.Msrs.Get(m));
                    continue;
                }
                accepted++;
                Assert.Contains(msr, Known);
                Assert.Equal(0x1002UL, cpu.Registers.Rip);
                if (!write) continue;
                Assert.True(MsrPolicy.IsCanonical(cpu.Msrs.Lstar) && MsrPolicy.IsCanonical(cpu.Msrs.Cstar) && MsrPolicy.IsCanonical(cpu.Msrs.KernelGsBase));
                Assert.True(MsrPolicy.IsCanonical(cpu.ReadField(VmcsField.GuestFsBase)) && MsrPolicy.IsCanonical(cpu.ReadField(VmcsField.GuestGsBase)));
                Assert.Equal(0UL, cpu.Msrs.TscAux >> 32);
                Assert.Equal(0UL, cpu.ReadField(VmcsField.GuestIa32Efer) & ~0xD01UL);
                for (int m = 0; m < GuestMtrrs.Count; m++) Assert.True(GuestMtrrs.IsValid(m, cpu.Mtrrs.Get(m)));
                if (Stored.Contains(msr))
                {
                    cpu.Fields[VmcsField.ExitReason] = (ulong)ExitReason.Rdmsr;
                    cpu.Registers.Rip = 0x1000;
                    Assert.Equal(ExitAction.Resume, dispatcher.Dispatch(vm, cpu));
                    Assert.False(cpu.HasPendingEvent);
                    Assert.Equal(value, (cpu.Registers.Rdx << 32) | cpu.Registers.Rax);
                }
            }
            Assert.InRange(accepted, 100_000, 900_000);
        }
    }

    public class MtrrTests
    {
        private readonly FakeVcpu _cpu = new FakeVcpu();

        [Fact]
        public void Mtrrs_read_as_firmware_leaves_them_and_check_types_and_reserved_bits()
        {
            Assert.True(MsrPolicy.Read(_cpu, Msr.Ia32MtrrCap, out ulong cap));
            Assert.Equal(0x508UL, cap);
            Assert.False(MsrPolicy.Write(_cpu, Msr.Ia32MtrrCap, cap)); // read-only
            Assert.True(MsrPolicy.Read(_cpu, Msr.Ia32MtrrDefType, out ulong def));
            Assert.Equal(0x806UL, def); // enabled, write-back
            Assert.True(MsrPolicy.Write(_cpu, Msr.Ia32MtrrDefType, 0xC00)); // E, FE, UC
            Assert.False(MsrPolicy.Write(_cpu, Msr.Ia32MtrrDefType, 0x802)); // type 2 is reserved
            Assert.False(MsrPolicy.Write(_cpu, Msr.Ia32MtrrDefType, 0x1806)); // bit 12 reserved
            Assert.True(MsrPolicy.Write(_cpu, 0x200, 0xC0000006)); // PHYSBASE0: 3 GiB, WB
            Assert.False(MsrPolicy.Write(_cpu, 0x200, 0xC0000106)); // bits 11:8 reserved
            Assert.True(MsrPolicy.Write(_cpu, 0x201, 0xFC0000800)); // PHYSMASK0: valid, 1 GiB
            Assert.False(MsrPolicy.Write(_cpu, 0x201, 0xFC0000801)); // bits 10:0 reserved
            Assert.False(MsrPolicy.Write(_cpu, 0x201, 1UL << 60)); // above any MAXPHYADDR
            Assert.True(MsrPolicy.Read(_cpu, 0x201, out ulong mask));
            Assert.Equal(0xFC0000800UL, mask);
            Assert.True(MsrPolicy.Write(_cpu, Msr.Ia32MtrrFix64K, 0x0606060606060606));
            Assert.False(MsrPolicy.Write(_cpu, Msr.Ia32MtrrFix4KC0000, 0x0606060606070606)); // one reserved type
            Assert.False(MsrPolicy.Read(_cpu, 0x210, out _)); // a ninth variable range does not exist
            Assert.False(MsrPolicy.Read(_cpu, 0x260, out _)); // a hole between the fixed ranges
        }
    }

    public class GuestStateInventoryTests
    {
        [Fact]
        public void Every_vmcs_item_is_captured_for_snapshots_and_every_msr_item_is_switched()
        {
            foreach (GuestStateItem item in GuestStateInventory.Items)
            {
                Assert.False(string.IsNullOrEmpty(item.Sdm), item.Name);
                if (item.Home == GuestStateHome.Vmcs && item.Id != VmcsField.GuestRip && item.Id != VmcsField.TscOffset)
                    Assert.Contains(item.Id, VcpuState.Fields);
                if (item.Home == GuestStateHome.ProcessorMsr) Assert.True(GuestMsrs.Holds(item.Id), item.Name);
            }
            for (int i = 0; i < GuestMsrs.Count; i++)
                Assert.Contains(GuestStateInventory.Items, item => item.Home == GuestStateHome.ProcessorMsr && item.Id == GuestMsrs.Number(i));
        }

        [Fact]
        public void Every_processor_msr_is_read_and_written_by_the_msr_policy()
        {
            var cpu = new FakeVcpu();
            foreach (GuestStateItem item in GuestStateInventory.Items)
            {
                if (item.Home != GuestStateHome.ProcessorMsr) continue;
                Assert.True(MsrPolicy.Write(cpu, item.Id, 0x1234), item.Name);
                Assert.True(MsrPolicy.Read(cpu, item.Id, out ulong v), item.Name);
                Assert.Equal(0x1234UL, v);
            }
        }

        [Fact]
        public void An_imported_state_that_would_fault_the_host_is_refused()
        {
            var good = new VcpuState();
            Assert.True(good.IsLoadable());
            var s = new VcpuState();
            s.Switched.Xcr0 = 0x207; // PKRU
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.FpuState[520] = 1; // XCOMP_BV
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.FpuState[27] = 1; // MXCSR reserved
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.Switched.Dr6 = 1UL << 40;
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.Switched.Dr0 = 0x0000800000000000;
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.Msrs.KernelGsBase = 0x0000800000000000;
            Assert.False(s.IsLoadable());
            s = new VcpuState();
            s.Mtrrs.Set(0, 0x802);
            Assert.False(s.IsLoadable());
        }
    }
}
