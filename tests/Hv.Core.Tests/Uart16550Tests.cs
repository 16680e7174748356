using Hv.Core.Devices;

namespace Hv.Core.Tests
{
    public class Uart16550Tests
    {
        private const ushort Data = 0, Ier = 1, Iir = 2, Fcr = 2, Lcr = 3, Mcr = 4, Lsr = 5, Msr = 6, Scr = 7;

        private readonly ConsoleRing _console = new ConsoleRing(256, 16);
        private readonly Uart16550 _uart;

        public Uart16550Tests() { _uart = new Uart16550(_console); }

        private byte Read(ushort offset) => (byte)_uart.In(offset, 1);
        private void Write(ushort offset, byte value) => _uart.Out(offset, 1, value);

        private string Output()
        {
            var buffer = new byte[256];
            int n = _console.ReadOutput(0, buffer, out _);
            return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        }

        [Fact]
        public void PowerOnState()
        {
            Assert.Equal(0, Read(Ier));
            Assert.Equal(0x01, Read(Iir));
            Assert.Equal(0, Read(Lcr));
            Assert.Equal(0, Read(Mcr));
            Assert.Equal(0x60, Read(Lsr));
            Assert.Equal(0xB0, Read(Msr));
            Assert.Equal(0, Read(Scr));
            Assert.Equal(12, _uart.Divisor);
            Assert.False(_uart.InterruptLine);
        }

        [Fact]
        public void TransmittedBytesReachTheConsoleAndLineStaysReady()
        {
            foreach (char c in "hi\n")
            {
                Assert.Equal(0x60, Read(Lsr) & 0x60); // polled driver: THRE and TEMT always set
                Write(Data, (byte)c);
            }
            Assert.Equal("hi\n", Output());
            Assert.Equal(0x60, Read(Lsr));
        }

        [Fact]
        public void DlabSwitchesOffsetsZeroAndOneToTheDivisorLatch()
        {
            Write(Ier, 0x05);
            Write(Lcr, 0x83); // DLAB + 8N1
            Write(Data, 0x01);
            Write(Ier, 0x00);
            Assert.Equal(1, _uart.Divisor);
            Assert.Equal(0x01, Read(Data));
            Assert.Equal(0x00, Read(Ier));
            Assert.Equal("", Output()); // the divisor write did not transmit
            Write(Lcr, 0x03);
            Assert.Equal(0x05, Read(Ier)); // IER untouched by the DLM write
            Assert.Equal(0x03, Read(Lcr));
            Write(Data, (byte)'x');
            Assert.Equal("x", Output());
        }

        [Fact]
        public void ScratchRegisterHoldsAnyByte()
        {
            Write(Scr, 0x5A);
            Assert.Equal(0x5A, Read(Scr));
            Write(Scr, 0xA5);
            Assert.Equal(0xA5, Read(Scr));
        }

        [Fact]
        public void IerKeepsOnlyDefinedBitsAndMcrOnlyFive()
        {
            Write(Ier, 0xFF);
            Assert.Equal(0x0F, Read(Ier));
            Write(Mcr, 0xFF);
            Assert.Equal(0x1F, Read(Mcr));
        }

        [Fact]
        public void QueuedInputSetsDataReadyAndIsReadInOrder()
        {
            _console.QueueInput(new byte[] { (byte)'a', (byte)'b' });
            Assert.Equal(0x61, Read(Lsr));
            Assert.Equal((byte)'a', Read(Data));
            Assert.Equal(0x61, Read(Lsr));
            Assert.Equal((byte)'b', Read(Data));
            Assert.Equal(0x60, Read(Lsr));
            Assert.Equal(0, Read(Data)); // empty receiver
        }

        [Fact]
        public void ReceivedDataInterruptOutranksThrEmpty()
        {
            Write(Mcr, 0x08); // OUT2 gates the IRQ
            Write(Ier, 0x03);
            _console.QueueInput(new byte[] { 1 });
            Assert.True(_uart.InterruptLine);
            Assert.Equal(0x04, Read(Iir));
            Read(Data);
            Assert.Equal(0x02, Read(Iir)); // THRE was raised when ETBEI was enabled
            Assert.Equal(0x01, Read(Iir)); // ...and reading IIR acknowledged it
            Assert.False(_uart.InterruptLine);
            Write(Data, (byte)'z');
            Assert.Equal(0x02, Read(Iir)); // THR emptied again after the write
        }

        [Fact]
        public void InterruptLineNeedsOut2()
        {
            Write(Ier, 0x02);
            Assert.False(_uart.InterruptLine);
            Write(Mcr, 0x08);
            Assert.True(_uart.InterruptLine);
        }

        [Fact]
        public void FifoEnableShowsInIir()
        {
            Write(Fcr, 0x07);
            Assert.Equal(0xC1, Read(Iir));
            Write(Fcr, 0x00);
            Assert.Equal(0x01, Read(Iir));
        }

        [Fact]
        public void LoopbackReturnsTransmittedBytesAndMirrorsModemLines()
        {
            // Linux 8250 autoconfig: MCR = LOOP | OUT2 | RTS must read back MSR status 0x90 (DCD | CTS).
            Write(Mcr, 0x1A);
            Assert.Equal(0x90, Read(Msr) & 0xF0);
            Write(Data, 0x42);
            Assert.Equal("", Output()); // loopback never reaches the line
            Assert.Equal(0x61, Read(Lsr));
            Assert.Equal(0x42, Read(Data));
            Assert.Equal(0x60, Read(Lsr));
        }

        [Fact]
        public void ModemStatusDeltasAreLatchedAndClearOnRead()
        {
            Write(Mcr, 0x10); // loopback, all outputs low: DCD, DSR, CTS drop
            byte msr = Read(Msr);
            Assert.Equal(0x00, msr & 0xF0);
            Assert.Equal(0x0B, msr & 0x0F); // DDCD | DDSR | DCTS
            Assert.Equal(0x00, Read(Msr));
            Write(Mcr, 0x14); // OUT1 -> RI rises: no trailing edge yet
            Assert.Equal(0x40, Read(Msr));
            Write(Mcr, 0x10); // RI falls: TERI
            Assert.Equal(0x04, Read(Msr));
        }

        [Fact]
        public void LoopbackOverrunIsReportedOnceInLsr()
        {
            Write(Mcr, 0x10);
            for (int i = 0; i < 17; i++) Write(Data, (byte)i);
            Assert.Equal(0x63, Read(Lsr));
            Assert.Equal(0x61, Read(Lsr));
            Assert.Equal(0, Read(Data)); // the first 16 bytes survive
        }

        [Fact]
        public void FifoClearDropsLoopbackBytesButNotConsoleInput()
        {
            _console.QueueInput(new byte[] { 9 });
            Write(Mcr, 0x10);
            Write(Data, 1);
            Write(Fcr, 0x03);
            Assert.Equal(0x60, Read(Lsr));
            Write(Mcr, 0x00);
            Assert.Equal(9, Read(Data));
        }

        [Fact]
        public void LsrAndMsrIgnoreWrites()
        {
            Write(Lsr, 0x00);
            Write(Msr, 0x00);
            Assert.Equal(0x60, Read(Lsr));
            Assert.Equal(0xB0, Read(Msr));
        }

        [Fact]
        public void WideAccessesSplitIntoByteRegisters()
        {
            Write(Lcr, 0x80);
            _uart.Out(0, 2, 0x0201); // DLL = 1, DLM = 2
            Assert.Equal(0x0201, _uart.Divisor);
            Assert.Equal(0x0201u, _uart.In(0, 2));
            Write(Scr, 0x77);
            Assert.Equal(0xFFFFFF77u, _uart.In(7, 4)); // past the last register reads as an empty bus
        }
    
        [Fact]
        public void RegistersSurviveSaveAndLoad()
        {
            Write(Lcr, 0x83);
            Write(Data, 0x03);
            Write(Lcr, 0x03);
            Write(Ier, 0x03);
            Write(Mcr, 0x1B); // loopback
            Write(Data, 0x42);
            Write(Scr, 0x77);
            var buffer = new byte[Uart16550.StateSize];
            var writer = new Hv.Core.Devices.StateWriter(buffer);
            _uart.Save(ref writer);
            Assert.Equal(Uart16550.StateSize, writer.Length);
            var copy = new Uart16550(new ConsoleRing(16, 16));
            var reader = new Hv.Core.Devices.StateReader(buffer);
            bool valid = true;
            copy.Load(ref reader, ref valid);
            Assert.True(valid);
            Assert.Equal(3, copy.Divisor);
            Assert.Equal(0x77u, copy.In(Scr, 1));
            Assert.Equal(0x42u, copy.In(Data, 1)); // the loopback FIFO came along
            buffer[2] = 0xFF; // IER with reserved bits
            reader = new Hv.Core.Devices.StateReader(buffer);
            copy.Load(ref reader, ref valid);
            Assert.False(valid);
        }
    }
}
