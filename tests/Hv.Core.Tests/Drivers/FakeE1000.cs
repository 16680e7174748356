using System;
using System.Collections.Generic;
using Hv.Core.Drivers;
using Hv.Core.Drivers.E1000;
using Hv.Core.Memory;

namespace Hv.Core.Tests.Drivers
{
    /// <summary>
    /// A model of the 82540EM as the 8254x SDM describes it, enough to drive the driver: EERD reads of the EEPROM,
    /// CTRL.RST that clears itself after some reads, the receive ring (frames written at RDH while RDH != RDT, split
    /// over descriptors when longer than the buffer, DD and EOP set) and the transmit ring (descriptors from TDH to
    /// TDT sent when TDT is written, DD written back when RS is set). Descriptors and buffers are read from the page
    /// source by physical address, as the device would by DMA.
    /// </summary>
    internal sealed class FakeE1000 : DeviceRegisters
    {
        private readonly PageSource _memory;
        private readonly uint[] _registers = new uint[E1000Registers.RegisterBytes / 4];
        public readonly ushort[] Eeprom = new ushort[64];
        public readonly List<byte[]> Sent = new();
        public readonly List<(int Offset, uint Value)> Writes = new();
        public int ResetReads = 3;      // reads of CTRL before RST clears; -1 = never
        public bool EepromAnswers = true;
        public bool HoldTransmit;       // descriptors stay queued until Flush()
        public int Missed;              // frames the device dropped for want of a descriptor

        public FakeE1000(PageSource memory, ulong mac)
        {
            _memory = memory;
            // SDM §5.6.1: word n holds octets 2n (low byte) and 2n + 1 (high byte).
            for (int i = 0; i < 3; i++)
            {
                int first = (int)(mac >> (40 - 16 * i)) & 0xFF, second = (int)(mac >> (32 - 16 * i)) & 0xFF;
                Eeprom[i] = (ushort)(first | second << 8);
            }
            _registers[E1000Registers.Status / 4] = E1000Registers.StatusLinkUp | E1000Registers.StatusFullDuplex;
            for (int i = 0; i < E1000Registers.MtaEntries; i++)
                _registers[(E1000Registers.Mta + 4 * i) / 4] = 0xDEADBEEF; // left over from a previous owner
        }

        public override int Length => E1000Registers.RegisterBytes;

        public uint this[int offset] { get => _registers[offset / 4]; set => _registers[offset / 4] = value; }

        public override uint Read32(int offset)
        {
            Assert.True(offset % 4 == 0 && Contains(offset, 4), $"bad register read {offset:X}");
            if (offset == E1000Registers.Ctrl && (_registers[0] & E1000Registers.CtrlReset) != 0 && ResetReads >= 0 && ResetReads-- == 0)
                _registers[0] &= ~E1000Registers.CtrlReset;
            if (offset == E1000Registers.Eerd)
            {
                uint eerd = _registers[offset / 4];
                if (!EepromAnswers || (eerd & E1000Registers.EerdStart) == 0)
                    return eerd & ~E1000Registers.EerdDone;
                int word = (int)(eerd >> E1000Registers.EerdAddressShift) & 0xFF;
                return (eerd & 0xFF00) | E1000Registers.EerdDone | ((uint)Eeprom[word] << E1000Registers.EerdDataShift);
            }
            if (offset == E1000Registers.Icr)
            {
                uint cause = _registers[offset / 4];
                _registers[offset / 4] = 0;
                return cause;
            }
            return _registers[offset / 4];
        }

        public override void Write32(int offset, uint value)
        {
            Assert.True(offset % 4 == 0 && Contains(offset, 4), $"bad register write {offset:X}");
            Writes.Add((offset, value));
            if (offset == E1000Registers.Imc)
            {
                _registers[E1000Registers.Ims / 4] &= ~value;
                return;
            }
            _registers[offset / 4] = value;
            if (offset == E1000Registers.Tdt)
                Transmit();
        }

        public override ushort Read16(int offset) => throw new InvalidOperationException("the 82540EM driver uses 32-bit accesses");
        public override void Write16(int offset, ushort value) => throw new InvalidOperationException("32-bit accesses only");
        public override byte Read8(int offset) => throw new InvalidOperationException("32-bit accesses only");
        public override void Write8(int offset, byte value) => throw new InvalidOperationException("32-bit accesses only");

        private Span<byte> Dma(ulong physical, int length) =>
            _memory.Page(physical & ~0xFFFUL).Slice((int)(physical & 0xFFF), length);

        private ulong RingBase(int low, int high) => ((ulong)this[high] << 32) | (this[low] & ~0xFUL);
        private int Descriptors(int lengthRegister) => (int)(this[lengthRegister] / E1000Descriptors.Bytes);

        /// <summary>
        /// Receives a frame from the wire: false when the device had no descriptor for it. errors go into the last
        /// descriptor's error byte; reportedLength, if set, replaces the length written back (a lying device).
        /// </summary>
        public bool Deliver(byte[] frame, byte errors = 0, int reportedLength = -1)
        {
            Assert.True((this[E1000Registers.Rctl] & E1000Registers.RctlEnable) != 0, "receive is not enabled");
            int count = Descriptors(E1000Registers.Rdlen);
            int needed = (frame.Length + E1000Registers.ReceiveBufferBytes - 1) / E1000Registers.ReceiveBufferBytes;
            int available = ((int)this[E1000Registers.Rdt] - (int)this[E1000Registers.Rdh] + count) % count;
            if (available < needed)
            {
                Missed++;
                return false;
            }
            for (int part = 0; part < needed; part++)
            {
                int index = (int)this[E1000Registers.Rdh];
                Span<byte> d = Dma(RingBase(E1000Registers.Rdbal, E1000Registers.Rdbah) + (ulong)(index * 16), 16);
                int offset = part * E1000Registers.ReceiveBufferBytes;
                int length = Math.Min(E1000Registers.ReceiveBufferBytes, frame.Length - offset);
                frame.AsSpan(offset, length).CopyTo(Dma(LittleEndian.ReadUInt64(d, 0), length));
                bool last = part == needed - 1;
                LittleEndian.WriteUInt16(d, 8, (ushort)(last && reportedLength >= 0 ? reportedLength : length));
                d[13] = last ? errors : (byte)0;
                d[12] = (byte)(E1000Descriptors.RxStatusDone | (last ? E1000Descriptors.RxStatusEndOfPacket : 0));
                this[E1000Registers.Rdh] = (uint)((index + 1) % count);
            }
            return true;
        }

        /// <summary>Sends what HoldTransmit kept back.</summary>
        public void Flush()
        {
            HoldTransmit = false;
            Transmit();
        }

        private void Transmit()
        {
            if (HoldTransmit || (this[E1000Registers.Tctl] & E1000Registers.TctlEnable) == 0)
                return;
            int count = Descriptors(E1000Registers.Tdlen);
            while (this[E1000Registers.Tdh] != this[E1000Registers.Tdt])
            {
                int index = (int)this[E1000Registers.Tdh];
                Span<byte> d = Dma(RingBase(E1000Registers.Tdbal, E1000Registers.Tdbah) + (ulong)(index * 16), 16);
                byte command = d[11];
                Assert.True((command & E1000Descriptors.TxCommandEndOfPacket) != 0, "one descriptor per frame expected");
                Assert.Equal(0, command & 0x20); // DEXT clear: a legacy descriptor
                Sent.Add(Dma(LittleEndian.ReadUInt64(d, 0), LittleEndian.ReadUInt16(d, 8)).ToArray());
                if ((command & E1000Descriptors.TxCommandReportStatus) != 0)
                    d[12] |= E1000Descriptors.TxStatusDone;
                this[E1000Registers.Tdh] = (uint)((index + 1) % count);
            }
        }
    }
}
