using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    public class MsrPolicyTests
    {
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
        private readonly VirtualMachine _vm = TestVm.Running();
        private readonly FakeVcpu _cpu = new FakeVcpu();

        private bool Rdmsr(uint msr, out ulong value)
        {
            _cpu.Fields[VmcsField.ExitReason] = (ulong)ExitReason.Rdmsr;
            _cpu.Fields.Remove(VmcsField.EntryInterruptionInfo);
            _cpu.Registers.Rip = 0x1000;
            _cpu.Registers.Rcx = 0xDEAD_0000_0000_0000UL | msr; // upper RCX bits are ignored
            _cpu.Registers.Rax = _cpu.Registers.Rdx = 0x5555_5555_5555_5555UL;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, _cpu));
            value = (_cpu.Registers.Rdx << 32) | _cpu.Registers.Rax;
            return AssertCompletedOrFaulted();
        }

        private bool Wrmsr(uint msr, ulong value)
        {
            _cpu.Fields[VmcsField.ExitReason] = (ulong)ExitReason.Wrmsr;
            _cpu.Fields.Remove(VmcsField.EntryInterruptionInfo);
            _cpu.Registers.Rip = 0x1000;
            _cpu.Registers.Rcx = msr;
            _cpu.Registers.Rax = 0xFFFF_FFFF_0000_0000UL | (value & 0xFFFFFFFF); // upper RAX bits are ignored
            _cpu.Registers.Rdx = value >> 32;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, _cpu));
            return AssertCompletedOrFaulted();
        }

        /// <summary>Either RIP advanced and nothing is injected, or #GP(0) is pending and RIP stayed.</summary>
        private bool AssertCompletedOrFaulted()
        {
            if (_cpu.HasPendingEvent)
            {
                Assert.Equal(13, _cpu.PendingVector);
                Assert.Equal(0UL, _cpu.Fields[VmcsField.EntryExceptionErrorCode]);
                Assert.Equal(0x1000UL, _cpu.Registers.Rip);
                return false;
            }
            Assert.Equal(0x1002UL, _cpu.Registers.Rip);
            return true;
        }

        [Theory]
        [InlineData(0x345u)]        // IA32_PERF_CAPABILITIES: PDCM is hidden
        [InlineData(0x186u)]        // IA32_PERFEVTSEL0: no PMU (CPUID leaf 0xA is zero)
        [InlineData(0x48u)]         // IA32_SPEC_CTRL: not advertised
        [InlineData(0x1Bu)]         // IA32_APIC_BASE: no local APIC model, CPUID.1:EDX.APIC is hidden
        [InlineData(0xC0010000u)]   // AMD range
        [InlineData(0x480u)]        // IA32_VMX_BASIC
        public void UnknownMsrsFaultBothWays(uint msr)
        {
            Assert.False(Rdmsr(msr, out _));
            Assert.False(Wrmsr(msr, 0));
            Assert.Equal(2UL, _vm.Counters.InjectedExceptions);
        }

        [Fact]
        public void Writes_to_software_switched_msrs_reach_the_processor_at_once_and_others_do_not()
        {
            Assert.True(Wrmsr(Msr.Ia32Lstar, 0xFFFF_8000_0000_1000UL));
            Assert.True(Wrmsr(Msr.Ia32KernelGsBase, 0x1234_5000UL));
            Assert.False(Wrmsr(Msr.Ia32Lstar, 0x0000_8000_0000_0000UL)); // non-canonical: #GP, nothing loaded
            Assert.Equal(new[] { (Msr.Ia32Lstar, 0xFFFF_8000_0000_1000UL), (Msr.Ia32KernelGsBase, 0x1234_5000UL) }, _cpu.LoadedMsrs);
            Assert.Equal(0xFFFF_8000_0000_1000UL, _cpu.Msrs.Lstar);
        }

        [Fact]
        public void FeatureControlReadsLockedWithoutVmxAndRefusesWrites()
        {
            Assert.True(Rdmsr(Msr.Ia32FeatureControl, out ulong value));
            Assert.Equal(1UL, value);
            Assert.False(Wrmsr(Msr.Ia32FeatureControl, 5));
        }

        [Fact]
        public void MiscEnableReadsAsHardwareWithOnlyFastStringsWritable()
        {
            Assert.True(Rdmsr(Msr.Ia32MiscEnable, out ulong value));
            Assert.Equal((1UL << 0) | (1UL << 11) | (1UL << 12), value);
            Assert.True(Wrmsr(Msr.Ia32MiscEnable, value & ~1UL));
            Assert.False(Wrmsr(Msr.Ia32MiscEnable, value | (1UL << 22))); // CPUID limit: not backed
            Assert.False(Wrmsr(Msr.Ia32MiscEnable, value | (1UL << 18))); // MONITOR/MWAIT: hidden
        }

        [Fact]
        public void TscAuxIsPerVcpuAndThirtyTwoBits()
        {
            Assert.True(Wrmsr(Msr.Ia32TscAux, 0xCAFEF00D));
            Assert.True(Rdmsr(Msr.Ia32TscAux, out ulong value));
            Assert.Equal(0xCAFEF00DUL, value);
            Assert.Equal(0xCAFEF00DUL, _cpu.Msrs.TscAux);
            Assert.False(Wrmsr(Msr.Ia32TscAux, 1UL << 32));
        }

        [Fact]
        public void EferIsVirtualisedInTheVmcs()
        {
            _cpu.Fields[VmcsField.GuestIa32Efer] = 0x500; // LME | LMA
            _cpu.Fields[VmcsField.GuestCr0] = 0x80000011;
            Assert.True(Rdmsr(Msr.Ia32Efer, out ulong efer));
            Assert.Equal(0x500UL, efer);
            Assert.True(Wrmsr(Msr.Ia32Efer, 0xD01)); // + SCE + NXE
            Assert.Equal(0xD01UL, _cpu.Fields[VmcsField.GuestIa32Efer]);
            Assert.False(Wrmsr(Msr.Ia32Efer, 0xD01 | (1UL << 14))); // reserved bit
            Assert.False(Wrmsr(Msr.Ia32Efer, 0xC01));                // clearing LME with paging on
            Assert.Equal(0xD01UL, _cpu.Fields[VmcsField.GuestIa32Efer]);
        }

        [Fact]
        public void EferLmaCannotBeWritten()
        {
            _cpu.Fields[VmcsField.GuestIa32Efer] = 0;
            Assert.True(Wrmsr(Msr.Ia32Efer, 0x500)); // LME with paging off is fine; LMA is ignored
            Assert.Equal(0x100UL, _cpu.Fields[VmcsField.GuestIa32Efer]);
        }

        [Fact]
        public void SyscallMsrsAreStoredPerVcpu()
        {
            Assert.True(Wrmsr(Msr.Ia32Lstar, 0xFFFFFFFF81000000));
            Assert.True(Wrmsr(Msr.Ia32Star, 0x0023001000000000));
            Assert.True(Wrmsr(Msr.Ia32Fmask, 0x47700));
            Assert.True(Wrmsr(Msr.Ia32KernelGsBase, 0xFFFF888000000000));
            Assert.True(Wrmsr(Msr.Ia32Cstar, 0xFFFFFFFF81000100));
            Assert.Equal(0xFFFFFFFF81000000UL, _cpu.Msrs.Lstar);
            Assert.Equal(0x0023001000000000UL, _cpu.Msrs.Star);
            Assert.True(Rdmsr(Msr.Ia32Fmask, out ulong fmask));
            Assert.Equal(0x47700UL, fmask);
            Assert.True(Rdmsr(Msr.Ia32KernelGsBase, out ulong kgs));
            Assert.Equal(0xFFFF888000000000UL, kgs);
            Assert.True(Rdmsr(Msr.Ia32Cstar, out ulong cstar));
            Assert.Equal(0xFFFFFFFF81000100UL, cstar);
        }

        [Theory]
        [InlineData(0xC0000082u)] // LSTAR
        [InlineData(0xC0000083u)] // CSTAR
        [InlineData(0xC0000100u)] // FS base
        [InlineData(0xC0000101u)] // GS base
        [InlineData(0xC0000102u)] // kernel GS base
        [InlineData(0x175u)]      // SYSENTER_ESP
        [InlineData(0x176u)]      // SYSENTER_EIP
        public void NonCanonicalAddressesFault(uint msr)
        {
            Assert.False(Wrmsr(msr, 0x0000800000000000));
            Assert.True(Wrmsr(msr, 0x00007FFFFFFFF000));
            Assert.True(Rdmsr(msr, out ulong value));
            Assert.Equal(0x00007FFFFFFFF000UL, value);
        }

        [Fact]
        public void SegmentBasesAndSysenterLiveInTheVmcs()
        {
            Assert.True(Wrmsr(Msr.Ia32FsBase, 0x7F0000001000));
            Assert.Equal(0x7F0000001000UL, _cpu.Fields[VmcsField.GuestFsBase]);
            Assert.True(Wrmsr(Msr.Ia32SysenterCs, 0x10));
            Assert.Equal(0x10UL, _cpu.Fields[VmcsField.GuestIa32SysenterCs]);
        }

        [Fact]
        public void PatAcceptsOnlyDefinedMemoryTypes()
        {
            Assert.True(Wrmsr(Msr.Ia32Pat, 0x0007040600070406));
            Assert.Equal(0x0007040600070406UL, _cpu.Fields[VmcsField.GuestIa32Pat]);
            Assert.False(Wrmsr(Msr.Ia32Pat, 0x0007040600070402)); // type 2 reserved
            Assert.False(Wrmsr(Msr.Ia32Pat, 0x0807040600070406)); // type 8 reserved
            Assert.Equal(0x0007040600070406UL, _cpu.Fields[VmcsField.GuestIa32Pat]);
        }

        [Fact]
        public void TscReadsHostPlusOffsetAndWritesMoveTheOffset()
        {
            _cpu.HostTsc = 1_000_000;
            _cpu.Fields[VmcsField.TscOffset] = unchecked((ulong)-400_000L);
            Assert.True(Rdmsr(Msr.Ia32Tsc, out ulong tsc));
            Assert.Equal(600_000UL, tsc);
            Assert.True(Wrmsr(Msr.Ia32Tsc, 5));
            Assert.True(Rdmsr(Msr.Ia32Tsc, out tsc));
            Assert.Equal(5UL, tsc);
        }

        [Fact]
        public void Tsc_adjust_counts_only_the_guests_own_moves_of_its_tsc()
        {
            _cpu.HostTsc = 1_000_000;
            _cpu.ContinueTscAt(5_000); // where the host placed the guest's time: not the guest's adjustment
            Assert.True(Rdmsr(Msr.Ia32TscAdjust, out ulong adjust));
            Assert.Equal(0UL, adjust);
            Assert.True(Wrmsr(Msr.Ia32Tsc, 7_000)); // SDM 17.17.3: the TSC moved by 2,000, so does TSC_ADJUST
            Assert.True(Rdmsr(Msr.Ia32TscAdjust, out adjust));
            Assert.Equal(2_000UL, adjust);
            Assert.True(Wrmsr(Msr.Ia32TscAdjust, 0)); // and back: the TSC moves with it
            Assert.True(Rdmsr(Msr.Ia32Tsc, out ulong tsc));
            Assert.Equal(5_000UL, tsc);
            // A resumed vCPU moves its offset; TSC_ADJUST stays what the guest made it, so Linux sees no change.
            _cpu.HostTsc = 9_000_000;
            _cpu.ContinueTscAt(5_000);
            Assert.True(Rdmsr(Msr.Ia32TscAdjust, out adjust));
            Assert.Equal(0UL, adjust);
        }

        [Fact]
        public void A_captured_tsc_continues_where_it_was_however_late_the_vcpu_resumes()
        {
            _cpu.HostTsc = 9_000_000_000; // the host ran on long after the capture
            _cpu.ContinueTscAt(2_000_000);
            Assert.Equal(2_000_000UL, _cpu.GuestTsc());
            _cpu.HostTsc += 1000;
            Assert.True(Rdmsr(Msr.Ia32Tsc, out ulong tsc));
            Assert.Equal(2_001_000UL, tsc);
            // A state without a TSC (an image from before it was captured) keeps the offset it has.
            _cpu.ContinueTscAt(0);
            Assert.Equal(2_001_000UL, _cpu.GuestTsc());
        }

        [Fact]
        public void ReadSplitsIntoEdxEax()
        {
            _cpu.Fields[VmcsField.GuestGsBase] = 0xFFFF8880_12345678;
            Assert.True(Rdmsr(Msr.Ia32GsBase, out _));
            Assert.Equal(0x12345678UL, _cpu.Registers.Rax);
            Assert.Equal(0xFFFF8880UL, _cpu.Registers.Rdx);
        }
    }
}
