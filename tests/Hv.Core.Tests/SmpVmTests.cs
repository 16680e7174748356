using System.Collections.Generic;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Guests;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>A PC VM of two vCPUs: the AP started by INIT/STARTUP, turns among vCPUs, per-vCPU CPUID and HLT.</summary>
    public class SmpVmTests
    {
        private const ulong TscHz = 1_000_000_000;

        // Makes the APs' vCPUs (scripted to exit with `ApExit`) and remembers where they were told to start. Its clock
        // moves on at every reading, so a slice of vCPUs that keep yielding comes to its end.
        private sealed class ApProcessor : HostProcessor
        {
            public ulong Tsc;
            public ExitReason ApExit = ExitReason.Hlt;
            public bool ApInterruptsOn = true;
            public readonly List<(GuestEntryState Entry, ushort Vpid, FakeVcpu Cpu)> Made = new List<(GuestEntryState, ushort, FakeVcpu)>();
            public override Vcpu CreateVcpu(GuestEntryState entry, ulong eptPointer, ushort vpid)
            {
                var copy = new GuestEntryState { Cs = entry.Cs, Cr0 = entry.Cr0, Rip = entry.Rip, Rflags = entry.Rflags };
                var cpu = new FakeVcpu(ApExit) { HostTsc = Tsc };
                cpu.Registers.Rflags = ApInterruptsOn ? ControlRegisterBits.RflagsInterruptEnable : ControlRegisterBits.RflagsReserved1;
                Made.Add((copy, vpid, cpu));
                return cpu;
            }
            public override Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid)
            {
                var cpu = new FakeVcpu(ApExit) { HostTsc = Tsc };
                cpu.Registers.CopyFrom(state.Registers);
                return cpu;
            }
            public override void FlushTranslations(ulong eptPointer) { }
            public override ulong Now() => Tsc += 1000;
        }

        private static (VirtualMachine Vm, FakeVcpu Bsp) SmpVm(ExitReason bspExit, int processors = 2)
        {
            VirtualMachine vm = TestVm.Created(1, 64 * 1024);
            var bsp = new FakeVcpu(bspExit);
            bsp.Registers.Rflags = ControlRegisterBits.RflagsInterruptEnable;
            vm.SetProcessorCountForNextStart(processors);
            vm.Attach(vm.Memory, bsp, null);
            Assert.True(vm.InstallPlatform(new PcPlatform(TscHz, TscHz, 0, vm.Uart)));
            Assert.Equal(VmTransitionStatus.Ok, vm.Start());
            return (vm, bsp);
        }

        // The BSP's APIC sends INIT, then STARTUP with page `vector`, to APIC 1 (as Linux's wakeup_secondary_cpu does).
        private static void WakeAp(PcPlatform platform, int vector)
        {
            LocalApic bsp = platform.Apics.At(0);
            Assert.True(bsp.WriteRegister(LocalApic.RegIcrHigh, 1u << 24));
            Assert.True(bsp.WriteRegister(LocalApic.RegIcrLow, (5u << 8) | (1u << 14)));
            Assert.True(bsp.WriteRegister(LocalApic.RegIcrLow, (6u << 8) | (uint)vector));
        }

        [Fact]
        public void The_startup_state_is_real_mode_at_the_page_the_vector_names()
        {
            var state = new GuestEntryState();
            StartupIpiState.Fill(state, 0x9A);
            Assert.Equal((ushort)0x9A00, state.Cs.Selector);
            Assert.Equal(0x9A000UL, state.Cs.Base);
            Assert.Equal(0xFFFFu, state.Cs.Limit);
            Assert.Equal(0UL, state.Rip);
            Assert.Equal(0UL, state.Cr0 & ControlRegisterBits.Cr0ProtectionEnable);
            Assert.Equal(0UL, state.Efer);
            Assert.Equal(ControlRegisterBits.RflagsReserved1, state.Rflags);
        }

        [Fact]
        public void An_ap_waits_for_startup_then_runs_in_turn_with_the_bsps_tsc_offset_and_its_own_vpid()
        {
            var (vm, bsp) = SmpVm(ExitReason.Pause);
            var processor = new ApProcessor { Tsc = 1000 };
            bsp.HostTsc = 1000;
            bsp.Fields[VmcsField.TscOffset] = 777;
            var runner = new VmRunner(processor, ExitDispatcher.CreateStandard(new TableCpuidSource()), 4);

            runner.RunSlice(vm, 100000); // the AP waits for a STARTUP: only the BSP runs
            Assert.Empty(processor.Made);
            Assert.Null(vm.Cpus.At(1));

            WakeAp(vm.Platform, 0x9A);
            runner.RunSlice(vm, 100000); // the BSP's PAUSE hands the turn on: the AP starts and halts
            var made = Assert.Single(processor.Made);
            Assert.Equal(0x9A000UL, made.Entry.Cs.Base);
            Assert.Equal(vm.VpidOf(1), made.Vpid);
            Assert.NotEqual(vm.Vpid, made.Vpid);
            Assert.Equal(777UL, made.Cpu.ReadField(VmcsField.TscOffset));
            Assert.Same(made.Cpu, vm.Cpus.At(1));
            vm.SelectCpu(1);
            Assert.True(vm.Halted);
            vm.SelectCpu(0);
            Assert.False(vm.Halted);
        }

        [Fact]
        public void A_halted_ap_wakes_for_an_ipi_and_the_slice_ends_when_no_vcpu_can_run()
        {
            var (vm, bsp) = SmpVm(ExitReason.Hlt);
            var processor = new ApProcessor { Tsc = 1000 };
            bsp.HostTsc = 1000;
            var runner = new VmRunner(processor, ExitDispatcher.CreateStandard(new TableCpuidSource()), 4);
            WakeAp(vm.Platform, 0x10);
            runner.RunSlice(vm, 100000); // both halt: the slice ends early
            FakeVcpu ap = processor.Made[0].Cpu;
            ulong exits = vm.Counters.TotalExits;
            Assert.Equal(2UL, exits);
            runner.RunSlice(vm, 100000);
            Assert.Equal(exits, vm.Counters.TotalExits); // nobody can run

            LocalApic bspApic = vm.Platform.Apics.At(0);
            Assert.True(vm.Platform.Apics.At(1).WriteRegister(LocalApic.RegSvr, 0x1FF));
            Assert.True(bspApic.WriteRegister(LocalApic.RegIcrHigh, 1u << 24));
            Assert.True(bspApic.WriteRegister(LocalApic.RegIcrLow, 0x61)); // a fixed IPI to the AP
            runner.RunSlice(vm, 100000);
            Assert.Equal(exits + 1, vm.Counters.TotalExits); // only the AP ran
            Assert.Equal(0x61, ap.PendingVector);
        }

        [Fact]
        public void An_ap_halting_with_interrupts_off_is_parked_not_the_vm_stopped_and_an_interrupt_does_not_wake_it()
        {
            var (vm, bsp) = SmpVm(ExitReason.Hlt);
            var processor = new ApProcessor { Tsc = 1000, ApInterruptsOn = false };
            bsp.HostTsc = 1000;
            var runner = new VmRunner(processor, ExitDispatcher.CreateStandard(new TableCpuidSource()), 4);
            WakeAp(vm.Platform, 0x10);
            runner.RunSlice(vm, 100000);
            Assert.Equal(VmState.Running, vm.State);
            ulong exits = vm.Counters.TotalExits;
            Assert.True(vm.Platform.Apics.At(1).WriteRegister(LocalApic.RegSvr, 0x1FF));
            Assert.True(vm.Platform.Apics.At(1).Accept(0x62, false));
            runner.RunSlice(vm, 100000);
            Assert.Equal(exits, vm.Counters.TotalExits); // the pending vector cannot be taken with IF = 0
        }

        [Fact]
        public void Turns_go_round_every_vcpu()
        {
            VirtualMachine vm = TestVm.Created();
            vm.SetProcessorCountForNextStart(3);
            VcpuSet set = vm.Cpus;
            Assert.Equal(new[] { 0, 1, 2, 0, 1 }, new[] { set.NextInTurn(), set.NextInTurn(), set.NextInTurn(), set.NextInTurn(), set.NextInTurn() });
        }

        [Fact]
        public void Cpuid_gives_each_vcpu_its_apic_id_and_one_package_of_cores()
        {
            var (vm, _) = SmpVm(ExitReason.Hlt);
            var host = new TableCpuidSource();
            host.Table[(1, 0)] = new CpuidResult(0x306C3, 0x05010800, 0, 0);
            host.Table[(4, 0)] = new CpuidResult(0x121, 0x01C0003F, 0x3F, 0);
            var policy = new CpuidPolicy(host, true);
            vm.SelectCpu(1);
            CpuidResult one = policy.Query(vm, 1, 0, 0, 0);
            Assert.Equal(1u, one.Ebx >> 24);
            Assert.Equal(2u, (one.Ebx >> 16) & 0xFF);
            Assert.Equal(0x0800u, one.Ebx & 0xFFFF); // CLFLUSH size and brand stay the host's
            Assert.Equal(new CpuidResult(0, 1, 0x100, 1), policy.Query(vm, 0xB, 0, 0, 0));
            Assert.Equal(new CpuidResult(1, 2, 0x201, 1), policy.Query(vm, 0xB, 1, 0, 0));
            Assert.Equal(new CpuidResult(0, 0, 2, 1), policy.Query(vm, 0xB, 2, 0, 0));
            Assert.Equal(1u, policy.Query(vm, 4, 0, 0, 0).Eax >> 26);
            vm.SelectCpu(0);
            Assert.Equal(0u, policy.Query(vm, 1, 0, 0, 0).Ebx >> 24);
            Assert.Equal(0u, policy.Query(vm, 0xB, 1, 0, 0).Edx);
        }

        [Fact]
        public void A_vm_of_several_processors_cannot_be_exported()
        {
            var (vm, _) = SmpVm(ExitReason.Hlt);
            Assert.False(vm.Exportable);
            Assert.True(TestVm.Running().Exportable);
        }

        [Fact]
        public void Captured_aps_come_back_with_their_registers_apic_and_startup_state_on_the_bsps_tsc()
        {
            // Three processors: AP 1 started (its APIC holds an interrupt and a logical ID), AP 2 still waiting.
            var (vm, bsp) = SmpVm(ExitReason.Hlt, processors: 3);
            var processor = new ApProcessor { Tsc = 1000 };
            bsp.HostTsc = 1000;
            var runner = new VmRunner(processor, ExitDispatcher.CreateStandard(new TableCpuidSource()), 4);
            WakeAp(vm.Platform, 0x10);
            runner.RunSlice(vm, 100000);
            FakeVcpu ap = processor.Made[0].Cpu;
            ap.Registers.Rip = 0x1234;
            LocalApic apic1 = vm.Platform.Apics.At(1);
            Assert.True(apic1.WriteRegister(LocalApic.RegSvr, 0x1FF));
            Assert.True(apic1.WriteRegister(LocalApic.RegLdr, 2u << 24));
            Assert.True(apic1.Accept(0x66, false));
            ApStates states = ApStates.Capture(vm);
            Assert.Equal(3, states.ProcessorCount);
            Assert.Null(ApStates.Capture(TestVm.Running()));

            var (copy, copyBsp) = SmpVm(ExitReason.Hlt, processors: 3);
            copyBsp.Fields[VmcsField.TscOffset] = 4242;
            Assert.True(states.Restore(processor, copy));
            var resumed = Assert.IsType<FakeVcpu>(copy.Cpus.At(1));
            Assert.Equal(0x1234UL, resumed.Registers.Rip);
            Assert.Equal(4242UL, resumed.ReadField(VmcsField.TscOffset));
            Assert.Null(copy.Cpus.At(2));
            Assert.True(copy.Platform.Apics.At(2).WaitingForStartup);
            LocalApic restored = copy.Platform.Apics.At(1);
            Assert.False(restored.WaitingForStartup);
            Assert.Equal(0x66, restored.PendingVector());
            Assert.True(restored.MatchesDestination(2, logical: true));

            Assert.False(states.Restore(processor, SmpVm(ExitReason.Hlt).Vm)); // two processors: another machine
        }
    }
}
