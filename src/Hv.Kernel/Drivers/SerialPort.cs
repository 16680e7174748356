using Hv.Kernel.Platform;

namespace Hv.Kernel.Drivers
{
    // A 16550 UART driven by polling: 115200 baud, 8 data bits, no parity, 1 stop bit.
    internal sealed class SerialPort
    {
        public const ushort Com1 = 0x3F8;
        public const ushort Com2 = 0x2F8;

        private const int Data = 0, InterruptEnable = 1, FifoControl = 2, LineControl = 3, ModemControl = 4, LineStatus = 5;
        private const byte LineStatusDataReady = 0x01, LineStatusTransmitEmpty = 0x20;
        private readonly ushort _base;

        // interruptOnReceive: the 16-byte receive FIFO with an IRQ at 14 bytes (or when fewer have waited a few character
        // times). The IRQ wakes the host or ends the running guest's turn (a VM exit), and the host empties the whole
        // FIFO each time, so it takes 14 bytes per visit instead of one and keeps up with the line. (Bochs takes no
        // byte from its socket while the FIFO holds a full trigger level unread, so nothing is lost if the host is late.)
        public SerialPort(ushort basePort, bool interruptOnReceive = false)
        {
            _base = basePort;
            Native.hv_outb((ushort)(_base + InterruptEnable), 0x00);
            Native.hv_outb((ushort)(_base + LineControl), 0x80);      // DLAB: divisor follows
            Native.hv_outb((ushort)(_base + Data), 1);                 // 115200 / 1
            Native.hv_outb((ushort)(_base + InterruptEnable), 0);
            Native.hv_outb((ushort)(_base + LineControl), 0x03);      // 8N1
            Native.hv_outb((ushort)(_base + FifoControl), 0xC7);      // FIFOs on, cleared, 14-byte threshold
            if (interruptOnReceive)
            {
                Native.hv_outb((ushort)(_base + ModemControl), 0x0B); // DTR, RTS, OUT2 (routes the IRQ to the PIC)
                Native.hv_outb((ushort)(_base + InterruptEnable), 0x01); // received data available
                while (TryRead() >= 0) { }
                return;
            }
            Native.hv_outb((ushort)(_base + ModemControl), 0x03);     // DTR, RTS
        }

        public void Write(byte value)
        {
            while ((Native.hv_inb((ushort)(_base + LineStatus)) & LineStatusTransmitEmpty) == 0) { }
            Native.hv_outb(_base, value);
        }

        // Returns -1 when nothing has arrived.
        public int TryRead()
        {
            if ((Native.hv_inb((ushort)(_base + LineStatus)) & LineStatusDataReady) == 0) return -1;
            return Native.hv_inb(_base);
        }
    }
}
