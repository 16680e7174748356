using Hv.Core.Devices;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>A VM with its PC platform wired in: CPUID, APIC MSRs and page, HLT until the timer, power events, capture.</summary>
    public class PcVmTests
    {
        private const ulong TscHz = 1_000_000_000;

        private sealed class ClockProcessor : HostProcessor
        {
            public ulong Tsc;
            public override Vcpu CreateVcpu(Guests.GuestEntryState entry, ulong eptPointer, ushort vpid) => null;
            public override Vcpu ResumeVcpu(VcpuState state, ulong eptPointer, ushort vpid) => null;
            public override void FlushTranslations(ulong eptPointer) { }
            public override ulong Now() => Tsc;
        }

        // A running PC VM whose vCPU exits with `reason` on every entry, at host TSC `tsc`.
        private static (VirtualMachine Vm, FakeVcpu Cpu) PcVm(ExitReason reason = ExitReason.Hlt)
        {
            VirtualMachine vm = TestVm.Created(1, 64 * 1024);
            var cpu = new FakeVcpu(reason);
            vm.Attach(vm.Memory, cpu, null);
            Assert.True(vm.InstallPlatform(new PcPlatform(TscHz, TscHz, 0, vm.Uart)));
            Assert.Equal(VmTransitionStatus.Ok, vm.Start());
            return (vm, cpu);
        }

        private static CpuidResult Leaf1(VirtualMachine vm)
        {
            var host = new TableCpuidSource();
            host.Table[(1, 0)] = new CpuidResult(0x306C3, 0x05010800, 0, 0);
            return new CpuidPolicy(host, true).Query(vm, 1, 0, 0, 0);
        }

        [Fact]
        public void Cpuid_offers_the_apic_x2apic_and_tsc_deadline_to_a_pc_vm_only()
        {
            CpuidResult pc = Leaf1(PcVm().Vm);
            Assert.NotEqual(0u, pc.Edx & CpuidBits.Leaf1EdxApic);
            Assert.NotEqual(0u, pc.Ecx & CpuidBits.Leaf1EcxX2Apic);
            Assert.NotEqual(0u, pc.Ecx & CpuidBits.Leaf1EcxTscDeadline);
            Assert.Equal(0u, pc.Ebx >> 24); // APIC ID 0, whatever the host's

            CpuidResult bare = Leaf1(TestVm.Running());
            Assert.Equal(0u, bare.Edx & CpuidBits.Leaf1EdxApic);
            Assert.Equal(0u, bare.Ecx & (CpuidBits.Leaf1EcxX2Apic | CpuidBits.Leaf1EcxTscDeadline));
        }

        [Fact]
        public void Apic_base_is_the_platforms_on_a_pc_vm_and_faults_on_a_bare_one()
        {
            var (vm, cpu) = PcVm(ExitReason.Rdmsr);
            cpu.Registers.Rcx = PcPlatform.Ia32ApicBase;
            new Vmx.Handlers.RdmsrHandler().Handle(vm, cpu);
            Assert.Equal(LocalApic.DefaultBase | 0x900, (cpu.Registers.Rdx << 32) | cpu.Registers.Rax);

            VirtualMachine bare = TestVm.Running();
            var bareCpu = new FakeVcpu(ExitReason.Rdmsr);
            bareCpu.Registers.Rcx = PcPlatform.Ia32ApicBase;
            new Vmx.Handlers.RdmsrHandler().Handle(bare, bareCpu);
            Assert.Equal((int)ExceptionVector.GeneralProtection, bareCpu.PendingVector);
        }

        [Fact]
        public void The_apic_and_ioapic_pages_are_on_the_mmio_bus()
        {
            var (vm, _) = PcVm();
            Assert.True(vm.Mmio.Read(LocalApic.DefaultBase + 0x30, 4, out ulong version));
            Assert.Equal(0x14UL, version & 0xFF);
            Assert.True(vm.Mmio.Write(IoApic.DefaultBase, 4, 1)); // IOREGSEL = version register
            Assert.True(vm.Mmio.Read(IoApic.DefaultBase + 0x10, 4, out ulong ioVersion));
            Assert.Equal(0x20UL, ioVersion & 0xFF);
            Assert.True(vm.Ports.In(0x61, 1, out _)); // the platform's ports beside COM1
        }

        [Fact]
        public void A_halted_pc_vm_sleeps_until_its_tsc_deadline_timer_fires_and_then_takes_the_vector()
        {
            var (vm, cpu) = PcVm();
            var processor = new ClockProcessor();
            var runner = new VmRunner(processor, ExitDispatcher.CreateStandard(new TableCpuidSource()), 4);
            PcPlatform platform = vm.Platform;
            // LVT timer: TSC-deadline mode (bits 18:17 = 10b), vector 0xEC; the deadline at guest TSC 5000.
            Assert.True(platform.MmioWrite(LocalApic.DefaultBase + LocalApic.RegLvtTimer, 4, (2u << 17) | 0xEC));
            Assert.Equal(PlatformMsrStatus.Done, platform.WriteMsr(PcPlatform.Ia32TscDeadline, 5000));

            processor.Tsc = cpu.HostTsc = 1000;
            runner.RunSlice(vm, 100000); // the guest halts (IF = 1): nothing is pending yet
            Assert.True(vm.Halted);
            ulong exits = vm.Counters.TotalExits;

            processor.Tsc = cpu.HostTsc = 3000;
            runner.RunSlice(vm, 100000); // still before the deadline: it does not run
            Assert.Equal(exits, vm.Counters.TotalExits);
            Assert.True(vm.Halted);

            processor.Tsc = cpu.HostTsc = 6000;
            cpu.Fields[VmcsField.ExitReason] = (ulong)ExitReason.VmxPreemptionTimerExpired; // woken, it runs to its slice's end
            runner.RunSlice(vm, 0);
            Assert.False(vm.Halted);
            Assert.Equal(1UL, vm.Counters.InjectedInterrupts);
            Assert.Equal(0xEC, cpu.PendingVector);
        }

        [Fact]
        public void Acpi_power_off_stops_the_vm_as_the_guests_own_and_a_requested_shutdown_as_requested()
        {
            var (vm, cpu) = PcVm(ExitReason.IoInstruction);
            var dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());
            // OUT to PM1a_CNT: SLP_TYP = 5 (S5), SLP_EN.
            cpu.Fields[VmcsField.ExitQualification] = ((ulong)(AcpiPmBlock.BasePort + 4) << 16) | 1; // 16-bit OUT
            cpu.Registers.Rax = (AcpiPmBlock.SoftOffSleepType << 10) | (1u << 13);
            Assert.Equal(ExitAction.Stop, dispatcher.Dispatch(vm, cpu));
            Assert.Equal(StopCause.GuestPowerOff, vm.StopCause);
            Assert.Equal(StopReason.GuestPowerOff, vm.StopReason);
            Assert.Equal("guest power-off", TestVm.StopText(vm));

            var (asked, askedCpu) = PcVm(ExitReason.IoInstruction);
            asked.ShutdownDeadline = 1; // the host pressed the power button
            askedCpu.Fields[VmcsField.ExitQualification] = ((ulong)(AcpiPmBlock.BasePort + 4) << 16) | 1;
            askedCpu.Registers.Rax = (AcpiPmBlock.SoftOffSleepType << 10) | (1u << 13);
            dispatcher.Dispatch(asked, askedCpu);
            Assert.Equal(StopCause.Requested, asked.StopCause);
        }

        [Fact]
        public void A_capture_carries_the_devices_and_a_bare_vm_refuses_them()
        {
            var (vm, _) = PcVm();
            // The deadline MSR holds a value only in TSC-deadline mode (LVT timer bits 18:17 = 10b).
            Assert.True(vm.Platform.MmioWrite(LocalApic.DefaultBase + LocalApic.RegLvtTimer, 4, (2u << 17) | 0xEC));
            Assert.Equal(PlatformMsrStatus.Done, vm.Platform.WriteMsr(PcPlatform.Ia32TscDeadline, 123456));
            var state = new VcpuState();
            vm.Capture(state);
            Assert.True(state.HasDevices);

            var (copy, _) = PcVm();
            Assert.True(copy.LoadDevices(state));
            Assert.Equal(PlatformMsrStatus.Done, copy.Platform.ReadMsr(PcPlatform.Ia32TscDeadline, out ulong deadline));
            Assert.Equal(123456UL, deadline);

            Assert.False(TestVm.Running().LoadDevices(state));
            state.DeviceState[0] ^= 0xFF; // a wrong version: refused, nothing changed
            Assert.False(copy.LoadDevices(state));
        }

        [Fact]
        public void An_nmi_ipi_is_injected_as_an_nmi_unless_the_guest_still_blocks_nmis()
        {
            var (vm, cpu) = PcVm();
            const uint IcrSelfNmi = (1u << 18) | (LocalApic.DeliveryNmi << 8); // shorthand "self", delivery mode NMI
            Assert.True(vm.Platform.MmioWrite(LocalApic.DefaultBase + LocalApic.RegIcrLow, 4, IcrSelfNmi));

            cpu.Fields[VmcsField.GuestInterruptibilityState] = EntryInterruption.BlockingByNmi; // its last NMI handler has not IRETed
            EventInjection.DeliverPendingInterrupt(vm, cpu);
            Assert.Equal(0UL, cpu.ReadField(VmcsField.EntryInterruptionInfo) & EntryInterruption.Valid);
            Assert.True(vm.Interrupts.NmiPending);

            cpu.Fields[VmcsField.GuestInterruptibilityState] = 0;
            EventInjection.DeliverPendingInterrupt(vm, cpu);
            Assert.Equal(0x8000_0202UL, cpu.ReadField(VmcsField.EntryInterruptionInfo)); // valid, NMI, vector 2
            Assert.False(vm.Interrupts.NmiPending);
        }
    }
}
