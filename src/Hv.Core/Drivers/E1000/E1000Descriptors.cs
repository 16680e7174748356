using System;
using Hv.Core.Memory;

namespace Hv.Core.Drivers.E1000
{
    /// <summary>
    /// The 16-byte legacy descriptors (8254x SDM §3.2.3 Table 3-1 receive, §3.3.3 Table 3-8 transmit): the layout,
    /// encoded and decoded on a ring's bytes. Architecture definitions only.
    /// </summary>
    public static class E1000Descriptors
    {
        public const int Bytes = 16;

        // Receive descriptor: buffer address (8), length (2), packet checksum (2), status (1), errors (1), special (2).
        private const int RxLength = 8;
        private const int RxStatus = 12;
        private const int RxErrors = 13;

        public const byte RxStatusDone = 1 << 0;
        public const byte RxStatusEndOfPacket = 1 << 1;

        /// <summary>
        /// Frame errors (Table 3-3): CRC/alignment, symbol, sequence, carrier extension, RX data error. The TCP/IP
        /// checksum error bits are left out: checksum offload is not enabled, the stack checks sums itself.
        /// </summary>
        public const byte RxFrameErrors = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 7);

        // Transmit descriptor: buffer address (8), length (2), CSO (1), CMD (1), STA (1), CSS (1), special (2).
        private const int TxLength = 8;
        private const int TxCommand = 11;
        private const int TxStatus = 12;

        public const byte TxCommandEndOfPacket = 1 << 0;
        public const byte TxCommandInsertFcs = 1 << 1;
        public const byte TxCommandReportStatus = 1 << 3;
        public const byte TxStatusDone = 1 << 0;

        /// <summary>A receive descriptor owned by the device: its buffer, nothing reported yet.</summary>
        public static void WriteReceive(Span<byte> ring, int index, ulong buffer)
        {
            Span<byte> d = ring.Slice(index * Bytes, Bytes);
            LittleEndian.WriteUInt64(d, 0, buffer);
            LittleEndian.WriteUInt64(d, 8, 0);
        }

        public static byte ReceiveStatus(ReadOnlySpan<byte> ring, int index)
        {
            return ring[index * Bytes + RxStatus];
        }

        public static byte ReceiveErrors(ReadOnlySpan<byte> ring, int index)
        {
            return ring[index * Bytes + RxErrors];
        }

        public static int ReceiveLength(ReadOnlySpan<byte> ring, int index)
        {
            return LittleEndian.ReadUInt16(ring, index * Bytes + RxLength);
        }

        /// <summary>Clears what the device reported, keeping the buffer, so the slot can go back to the device.</summary>
        public static void ClearReceive(Span<byte> ring, int index)
        {
            LittleEndian.WriteUInt64(ring, index * Bytes + 8, 0);
        }

        /// <summary>A one-buffer frame: end of packet, insert the FCS, report status (DD) when sent.</summary>
        public static void WriteTransmit(Span<byte> ring, int index, ulong buffer, int length)
        {
            Span<byte> d = ring.Slice(index * Bytes, Bytes);
            LittleEndian.WriteUInt64(d, 0, buffer);
            LittleEndian.WriteUInt64(d, 8, 0);
            LittleEndian.WriteUInt16(d, TxLength, (ushort)length);
            d[TxCommand] = TxCommandEndOfPacket | TxCommandInsertFcs | TxCommandReportStatus;
        }

        public static bool TransmitDone(ReadOnlySpan<byte> ring, int index)
        {
            return (ring[index * Bytes + TxStatus] & TxStatusDone) != 0;
        }
    }
}
