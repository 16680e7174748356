using System;
using System.Collections.Generic;
using Hv.Core.Devices;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;
using Hv.Core.X86;
using Xunit;

namespace Hv.Core.Tests.X86
{
    /// <summary>A device page that records every access and answers reads from a register array.</summary>
    internal sealed class RecordingMmioDevice : MmioDevice
    {
        public readonly List<(bool Write, ulong Offset, int Size, ulong Value)> Accesses = new();
        public readonly Dictionary<ulong, ulong> Registers = new();

        public override ulong Read(ulong offset, int size)
        {
            ulong value = Registers.TryGetValue(offset, out ulong v) ? v : 0;
            Accesses.Add((false, offset, size, value));
            return value;
        }

        public override void Write(ulong offset, int size, ulong value)
        {
            Accesses.Add((true, offset, size, value));
            Registers[offset] = value;
        }
    }

    public class MmioExitTests
    {
        private const ulong Apic = 0xFEE0_0000;
        private const ulong CodeAt = 0x8000;
        private readonly RecordingMmioDevice _device = new RecordingMmioDevice();
        private readonly VirtualMachine _vm = TestVm.Running(memorySize: 1 << 20);
        private readonly ExitDispatcher _dispatcher = ExitDispatcher.CreateStandard(new TableCpuidSource());

        public MmioExitTests()
        {
            Assert.Equal(MmioMapStatus.Ok, _vm.Mmio.Map(Apic, 0x1000, _device, _vm.Memory.Size));
        }

        // A 64-bit guest with paging off would be impossible, so: identity-mapped 4-level paging (2 MiB pages) at 0x1000.
        private FakeVcpu LongModeCpu(string code, ulong gpa, ulong access = EptViolationQualification.Read)
        {
            var memory = _vm.Memory;
            Write(0x1000, 0x2000 | 3);
            Write(0x2000, 0x3000 | 3);
            Write(0x3000, 0x0 | 3 | 0x80);
            var cpu = new FakeVcpu(ExitReason.EptViolation, access, 0);
            cpu.Fields[VmcsField.GuestCr0] = 0x8000_0011;
            cpu.Fields[VmcsField.GuestCr3] = 0x1000;
            cpu.Fields[VmcsField.GuestCr4] = 0x20;
            cpu.Fields[VmcsField.GuestIa32Efer] = 0x500;
            cpu.Fields[VmcsField.GuestCsAccessRights] = 0xA09B; // L=1
            cpu.Fields[VmcsField.GuestPhysicalAddress] = gpa;
            cpu.Registers.Rip = CodeAt;
            byte[] bytes = Convert.FromHexString(code.Replace(" ", ""));
            Assert.True(memory.Write(CodeAt, bytes));
            _vm.Attach(memory, cpu, null);
            return cpu;
        }

        private void Write(ulong gpa, ulong value)
        {
            var b = new byte[8];
            LittleEndian.WriteUInt64(b, 0, value);
            Assert.True(_vm.Memory.Write(gpa, b));
        }

        [Fact]
        public void LoadReadsTheDeviceIntoTheRegisterAndMovesRip()
        {
            _device.Registers[0x30] = 0x0005_0014;
            FakeVcpu cpu = LongModeCpu("8B 04 25 30 00 E0 FE", Apic + 0x30); // mov eax,[0xfee00030]
            cpu.Registers.Rax = 0xFFFF_FFFF_FFFF_FFFF;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x0005_0014UL, cpu.Registers.Rax); // a 32-bit load zero-extends
            Assert.Equal(CodeAt + 7, cpu.Registers.Rip);
            Assert.Single(_device.Accesses);
        }

        [Fact]
        public void StoreOfAnImmediateAndOfAHighByteRegister()
        {
            FakeVcpu cpu = LongModeCpu("C7 00 00 00 01 00", Apic + 0xB0, EptViolationQualification.Write); // mov dword [rax],0x10000
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal((true, 0xB0UL, 4, 0x10000UL), _device.Accesses[0]);

            cpu = LongModeCpu("88 3A", Apic + 0x10, EptViolationQualification.Write); // mov [rdx],bh
            cpu.Registers.Rbx = 0xAB00;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal((true, 0x10UL, 1, 0xABUL), _device.Accesses[1]);
        }

        [Fact]
        public void ReadModifyWriteSetsFlagsAndWritesBack()
        {
            _device.Registers[0xF0] = 0x1FF;
            FakeVcpu cpu = LongModeCpu("81 20 00 FF FF FF", Apic + 0xF0, EptViolationQualification.Write); // and dword [rax],0xffffff00
            cpu.Registers.Rflags = 0x202 | 0x801; // OF and CF set before
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x100UL, _device.Registers[0xF0]);
            Assert.Equal(0x202UL | 0x4, cpu.Registers.Rflags); // PF (0x00 has even parity), CF/OF cleared, ZF clear

            cpu = LongModeCpu("F7 00 00 02 00 00", Apic + 0xF0); // test dword [rax],0x200
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x202UL | 0x44, cpu.Registers.Rflags); // ZF, PF
            Assert.Equal(3, _device.Accesses.Count); // read, write, read: TEST does not write
        }

        [Fact]
        public void SignAndZeroExtendingLoadsAndExchange()
        {
            _device.Registers[0x20] = 0x80;
            FakeVcpu cpu = LongModeCpu("48 0F BE 08", Apic + 0x20); // movsx rcx,byte [rax]
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0xFFFF_FFFF_FFFF_FF80UL, cpu.Registers.Rcx);

            cpu = LongModeCpu("66 0F B6 08", Apic + 0x20); // movzx cx,byte [rax]
            cpu.Registers.Rcx = 0x1111_2222_3333_4444;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x1111_2222_3333_0080UL, cpu.Registers.Rcx);

            cpu = LongModeCpu("48 87 10", Apic + 0x20, EptViolationQualification.Write); // xchg [rax],rdx
            cpu.Registers.Rdx = 0x55;
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(0x80UL, cpu.Registers.Rdx);
            Assert.Equal(0x55UL, _device.Registers[0x20]);
        }

        [Fact]
        public void AnInstructionTheDecoderRefusesStopsTheVmWithItsBytes()
        {
            FakeVcpu cpu = LongModeCpu("F3 A5", Apic); // rep movsd
            Assert.Equal(ExitAction.Stop, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(StopCause.MmioInstructionRefused, _vm.StopCause);
            Assert.Equal("mmio access at GPA 0xFEE00000 by an instruction not emulated, bytes 0xF3A5000000000000", TestVm.StopText(_vm));
        }

        [Fact]
        public void AnAccessStraddlingTheDeviceEndStopsTheVm()
        {
            FakeVcpu cpu = LongModeCpu("48 8B 00", Apic + 0xFFC); // 8 bytes at the last 4 of the page
            Assert.Equal(ExitAction.Stop, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(StopCause.MmioInstructionRefused, _vm.StopCause);
        }

        [Fact]
        public void AnAddressNoDeviceClaimsIsStillAnEptViolation()
        {
            FakeVcpu cpu = LongModeCpu("8B 00", 0xFEC0_0000);
            Assert.Equal(ExitAction.Stop, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal(StopCause.EptViolation, _vm.StopCause);
        }

        [Fact]
        public void RealModeCodeIsFetchedAtCsBasePlusIp()
        {
            var cpu = new FakeVcpu(ExitReason.EptViolation, EptViolationQualification.Write, 0);
            cpu.Fields[VmcsField.GuestCr0] = 0x10;
            cpu.Fields[VmcsField.GuestCsBase] = 0x7000;
            cpu.Fields[VmcsField.GuestPhysicalAddress] = Apic + 0x80;
            cpu.Registers.Rip = 0x100;
            cpu.Registers.Rax = 0x1234_5678;
            Assert.True(_vm.Memory.Write(0x7100, new byte[] { 0x66, 0x89, 0x07 })); // mov [bx],eax
            _vm.Attach(_vm.Memory, cpu, null);
            Assert.Equal(ExitAction.Resume, _dispatcher.Dispatch(_vm, cpu));
            Assert.Equal((true, 0x80UL, 4, 0x1234_5678UL), _device.Accesses[0]);
            Assert.Equal(0x103UL, cpu.Registers.Rip);
        }

        [Fact]
        public void MappingsMustLieAboveRamAndNotOverlap()
        {
            var bus = new MmioBus();
            Assert.Equal(MmioMapStatus.BadRange, bus.Map(0x1000, 0x1000, _device, 0x10_0000));
            Assert.Equal(MmioMapStatus.Ok, bus.Map(0xFEC0_0000, 0x1000, _device, 0x10_0000));
            Assert.Equal(MmioMapStatus.Overlap, bus.Map(0xFEC0_0800, 0x1000, _device, 0x10_0000));
            Assert.Equal(MmioMapStatus.BadRange, bus.Map(ulong.MaxValue - 10, 0x1000, _device, 0));
        }

        [Fact]
        public void FuzzedGuestsNeverCrashTheHandlerNorReachOutsideGuestMemory()
        {
            // Random page tables, control registers, RIP and code: the handler either emulates, or stops the VM.
            var random = new Random(11);
            var ram = new byte[64 * 1024];
            int emulated = 0;
            var vm = TestVm.Running(memorySize: 64 * 1024);
            vm.Mmio.Map(Apic, 0x1000, _device, vm.Memory.Size);
            for (int n = 0; n < 3_000; n++)
            {
                if (vm.State == VmState.Stopped)
                {
                    Assert.Equal(VmTransitionStatus.Ok, vm.Rearm());
                    Assert.Equal(VmTransitionStatus.Ok, vm.Start());
                }
                random.NextBytes(ram);
                for (int k = 0; k < 16; k++) // sprinkle plausible entries pointing inside RAM
                {
                    int at = random.Next(0, 64 * 1024 / 8) * 8;
                    ulong entry = ((ulong)random.Next(0, 16) << 12) | 0x7UL | ((ulong)random.Next(2) << 7);
                    BitConverter.TryWriteBytes(new Span<byte>(ram, at, 8), entry);
                }
                Assert.True(vm.Memory.Write(0, new ReadOnlySpan<byte>(ram, 0, 64 * 1024)));
                var cpu = new FakeVcpu(ExitReason.EptViolation, EptViolationQualification.Read, 0);
                cpu.Fields[VmcsField.GuestCr0] = (ulong)random.Next(4) switch { 0 => 0x10, 1 => 0x11, _ => 0x8000_0011 };
                cpu.Fields[VmcsField.GuestCr3] = (ulong)random.Next(0, 20) << 12;
                cpu.Fields[VmcsField.GuestCr4] = (ulong)random.Next(0, 64);
                cpu.Fields[VmcsField.GuestIa32Efer] = random.Next(2) == 0 ? 0x500UL : 0UL;
                cpu.Fields[VmcsField.GuestCsAccessRights] = (ulong)random.Next(0, 0x10000);
                cpu.Fields[VmcsField.GuestPhysicalAddress] = Apic + (ulong)random.Next(0, 0x1000);
                cpu.Registers.Rip = random.Next(3) == 0 ? (ulong)random.NextInt64() : (ulong)random.Next(0, 0x11000);
                vm.Attach(vm.Memory, cpu, null);
                ExitAction action = _dispatcher.Dispatch(vm, cpu);
                if (action == ExitAction.Resume) emulated++;
                else Assert.Equal(VmState.Stopped, vm.State);
            }
            Assert.True(emulated > 15, "only " + emulated + " emulated");
        }
    }
}
