using System;
using System.Collections.Generic;
using Hv.Core.Drivers.Pci;
using Hv.Core.Memory;

namespace Hv.Core.Tests.Drivers
{
    /// <summary>
    /// Configuration space of a few made-up functions, answering as PCI 3.0 describes: absent functions read all
    /// ones, a BAR keeps only the address bits its size allows (so writing all ones reads back the size mask), its
    /// type bits are read-only, status bits are write-one-to-clear. It records a BAR probe made while the function
    /// still decoded that space (a scanner must not do that).
    /// </summary>
    internal sealed class FakePciBus : PciConfigSpace
    {
        internal sealed class Function
        {
            public readonly byte[] Space = new byte[256];
            public readonly ulong[] BarSizes = new ulong[6];
            public readonly bool[] BarIs64High = new bool[6];
            public int ProbesWhileDecoding;

            public uint Read(int offset) => LittleEndian.ReadUInt32(Space, offset);
            public void Write(int offset, uint value) => LittleEndian.WriteUInt32(Space, offset, value);
            public ushort Command => LittleEndian.ReadUInt16(Space, PciRegisters.Command);
            public ulong Bar(int index) => Read(PciRegisters.Bar0 + 4 * index);
        }

        private readonly Dictionary<(int, int, int), Function> _functions = new();
        public int Reads;

        public Function Add(int bus, int device, int function, ushort vendor, ushort deviceId, byte cls, byte subclass,
                            byte headerType = 0)
        {
            var f = new Function();
            LittleEndian.WriteUInt16(f.Space, PciRegisters.VendorId, vendor);
            LittleEndian.WriteUInt16(f.Space, PciRegisters.DeviceId, deviceId);
            f.Space[0x09] = 0x00;
            f.Space[0x0A] = subclass;
            f.Space[0x0B] = cls;
            f.Space[PciRegisters.HeaderType] = headerType;
            f.Space[PciRegisters.InterruptLine] = 11;
            _functions[(bus, device, function)] = f;
            return f;
        }

        /// <summary>A memory BAR (64-bit takes index and index + 1) or an I/O BAR, already placed by "firmware".</summary>
        public static void SetBar(Function f, int index, PciBarKind kind, ulong address, ulong size, bool prefetchable = false)
        {
            f.BarSizes[index] = size;
            uint flags = kind == PciBarKind.Io ? 1u : kind == PciBarKind.Memory64 ? 4u : 0u;
            if (prefetchable)
                flags |= 8;
            f.Write(PciRegisters.Bar0 + 4 * index, (uint)address | flags);
            if (kind == PciBarKind.Memory64)
            {
                f.BarIs64High[index + 1] = true;
                f.BarSizes[index + 1] = size;
                f.Write(PciRegisters.Bar0 + 4 * (index + 1), (uint)(address >> 32));
            }
        }

        /// <summary>A capability list: (offset, id) entries chained in the order given.</summary>
        public static void SetCapabilities(Function f, params (int Offset, byte Id)[] caps)
        {
            LittleEndian.WriteUInt16(f.Space, PciRegisters.Status, PciRegisters.StatusCapabilityList);
            f.Space[PciRegisters.CapabilitiesPointer] = (byte)caps[0].Offset;
            for (int i = 0; i < caps.Length; i++)
            {
                f.Space[caps[i].Offset] = caps[i].Id;
                f.Space[caps[i].Offset + 1] = i + 1 < caps.Length ? (byte)caps[i + 1].Offset : (byte)0;
            }
        }

        public override uint Read32(PciAddress address, int offset)
        {
            Reads++;
            Assert.True(offset % 4 == 0 && offset < 256, $"unaligned or out-of-range config read at {offset:X}");
            return _functions.TryGetValue((address.Bus, address.Device, address.Function), out var f) ? f.Read(offset) : 0xFFFFFFFF;
        }

        public override void Write32(PciAddress address, int offset, uint value)
        {
            Assert.True(offset % 4 == 0 && offset < 256, $"unaligned or out-of-range config write at {offset:X}");
            if (!_functions.TryGetValue((address.Bus, address.Device, address.Function), out var f))
                return;
            if (offset == PciRegisters.Command)
            {
                ushort status = (ushort)(LittleEndian.ReadUInt16(f.Space, PciRegisters.Status) & ~(value >> 16));
                f.Write(offset, (value & 0xFFFF) | ((uint)status << 16));
                return;
            }
            int bar = (offset - PciRegisters.Bar0) / 4;
            int bars = (f.Space[PciRegisters.HeaderType] & 0x7F) == 1 ? 2 : 6;
            if (offset >= PciRegisters.Bar0 && bar < bars)
            {
                WriteBar(f, bar, value);
                return;
            }
            if (offset == PciRegisters.VendorId || offset == PciRegisters.ClassCode)
                return; // read-only
            f.Write(offset, value);
        }

        private static void WriteBar(Function f, int bar, uint value)
        {
            ulong size = f.BarSizes[bar];
            uint old = f.Read(PciRegisters.Bar0 + 4 * bar);
            if (size == 0)
                return; // not implemented: reads as zero whatever is written
            bool io = !f.BarIs64High[bar] && (old & 1) != 0;
            if (value == 0xFFFFFFFF && (f.Command & (io ? PciRegisters.CommandIoSpace : PciRegisters.CommandMemorySpace)) != 0)
                f.ProbesWhileDecoding++;
            if (f.BarIs64High[bar])
            {
                f.Write(PciRegisters.Bar0 + 4 * bar, value & (uint)(~(size - 1) >> 32));
                return;
            }
            uint flags = old & (io ? 0x3u : 0xFu);
            f.Write(PciRegisters.Bar0 + 4 * bar, (value & (uint)~(size - 1) & ~(io ? 0x3u : 0xFu)) | flags);
        }
    }
}
