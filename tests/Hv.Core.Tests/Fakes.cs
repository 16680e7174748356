using System;
using System.Collections.Generic;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

namespace Hv.Core.Tests
{
    /// <summary>A vCPU whose VMCS is a dictionary; unwritten fields read 0 unless preset.</summary>
    internal sealed class FakeVcpu : Vcpu
    {
        public readonly Dictionary<uint, ulong> Fields = new Dictionary<uint, ulong>();
        public ulong HostTsc;

        public FakeVcpu(ExitReason reason = ExitReason.Cpuid, ulong qualification = 0, ulong instructionLength = 2)
        {
            Fields[VmcsField.ExitReason] = (ulong)reason;
            Fields[VmcsField.ExitQualification] = qualification;
            Fields[VmcsField.ExitInstructionLength] = instructionLength;
            Fields[VmcsField.GuestCr0] = 0x11; // protected mode (PE | ET), paging off
            Registers.Rip = 0x1000;
            Registers.Rflags = 0x202;
        }

        public override uint Run(ulong newSliceTicks) => 0;
        public override void Capture(VcpuState state) => state.Registers.CopyFrom(Registers);
        public override void Release() { }
        public override ulong ReadField(uint encoding) => Fields.TryGetValue(encoding, out ulong v) ? v : 0;
        public override void WriteField(uint encoding, ulong value) => Fields[encoding] = value;
        public override ulong ReadHostTsc() => HostTsc;
        public readonly List<(uint Msr, ulong Value)> LoadedMsrs = new List<(uint, ulong)>();
        public override void GuestMsrWritten(uint msr, ulong value) => LoadedMsrs.Add((msr, value));

        public bool HasPendingEvent => (ReadField(VmcsField.EntryInterruptionInfo) & (1UL << 31)) != 0;
        public int PendingVector => (int)(ReadField(VmcsField.EntryInterruptionInfo) & 0xFF);
    }

    internal sealed class TableCpuidSource : CpuidSource
    {
        public readonly Dictionary<(uint, uint), CpuidResult> Table = new Dictionary<(uint, uint), CpuidResult>();
        public override CpuidResult Query(uint leaf, uint subleaf) =>
            Table.TryGetValue((leaf, subleaf), out var r) ? r : new CpuidResult(0xA, 0xB, 0xC, 0xD);
    }

    internal static class TestVm
    {
        /// <summary>
        /// A running VM with id <paramref name="id"/> (the id-th VM of a fresh table) and, when
        /// <paramref name="memorySize"/> is not 0, that much guest memory in an address space over <paramref name="pages"/>.
        /// </summary>
        public static VirtualMachine Running(uint id = 7, ulong memorySize = 0, CowPages pages = null, PageSharing sharing = null)
        {
            VirtualMachine vm = Created(id, memorySize, pages, sharing);
            Assert.Equal(VmTransitionStatus.Ok, vm.Start());
            return vm;
        }

        /// <summary>As <see cref="Running"/>, left in state Created.</summary>
        public static VirtualMachine Created(uint id = 7, ulong memorySize = 0, CowPages pages = null, PageSharing sharing = null)
        {
            var table = new VmTable((int)id);
            VirtualMachine vm = null;
            for (uint i = 1; i <= id; i++) vm = table.Add("vm" + i);
            Assert.Equal(id, vm.Id);
            if (memorySize != 0)
            {
                pages ??= new CowPages();
                Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, sharing ?? pages.NewSharing(), memorySize, out AddressSpace memory));
                vm.Attach(memory, new FakeVcpu(), null);
            }
            return vm;
        }

        public static string ConsoleText(VirtualMachine vm)
        {
            var buffer = new byte[vm.Console.OutputCapacity];
            int n = vm.Console.ReadOutput(0, buffer, out _);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        }

        /// <summary>The line the host's log and GetVm show for the VM's stop.</summary>
        public static string StopText(VirtualMachine vm)
        {
            var text = new Hv.Core.Text.CharBufferSink(256);
            StopCauses.Describe(text, vm.StopCause, vm.StopDetail, vm.StopAccess);
            return text.ToString();
        }
    }

    /// <summary>Guest RAM as one array at guest-physical 0; records whether any access happened.</summary>
    internal sealed class ArrayGuestMemory : GuestMemoryAccess
    {
        public readonly byte[] Ram;
        public int Reads;

        public ArrayGuestMemory(int size) { Ram = new byte[size]; }

        public override bool Read(ulong gpa, Span<byte> destination)
        {
            if (gpa > (ulong)Ram.Length || (ulong)destination.Length > (ulong)Ram.Length - gpa) return false;
            Reads++;
            new Span<byte>(Ram, (int)gpa, destination.Length).CopyTo(destination);
            return true;
        }

        public override bool Write(ulong gpa, ReadOnlySpan<byte> source)
        {
            if (gpa > (ulong)Ram.Length || (ulong)source.Length > (ulong)Ram.Length - gpa) return false;
            source.CopyTo(new Span<byte>(Ram, (int)gpa, source.Length));
            return true;
        }
    }
}
