using System;
using System.Collections.Generic;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
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
            cpu.Fields[VmcsField.ExitQualification] = (uint)cr | ((uint)type << 4) | (3UL << 8) | ((value & 0xFFFF) << 16);
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
}
