using System;
using System.Collections.Generic;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
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
