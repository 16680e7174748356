using Hv.Core.Devices.Pc;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The 8042 as Linux's i8042 and atkbd drivers probe it.</summary>
    public class I8042ControllerTests
    {
        private readonly ProbeLine _irq1 = new ProbeLine(), _irq12 = new ProbeLine();
        private readonly I8042Controller _kbc;

        public I8042ControllerTests()
        {
            _kbc = new I8042Controller(_irq1, _irq12);
        }

        [Fact]
        public void SelfTestAndConfigurationByte()
        {
            Assert.Equal(0x14, _kbc.ReadStatus() & 0x15); // system flag, not inhibited, empty
            _kbc.WriteCommand(0xAA);
            Assert.Equal(0x01, _kbc.ReadStatus() & 0x01);
            Assert.Equal(0x55, _kbc.ReadData());
            _kbc.WriteCommand(0x20);
            byte config = _kbc.ReadData();
            Assert.Equal(0x45, config);
            _kbc.WriteCommand(0x60);
            Assert.Equal(0x08, _kbc.ReadStatus() & 0x08);
            _kbc.WriteData(0x44); // IRQ 1 off
            _kbc.WriteCommand(0x20);
            Assert.Equal(0x44, _kbc.ReadData());
            _kbc.WriteCommand(0xAB);
            Assert.Equal(0x00, _kbc.ReadData());
        }

        [Fact]
        public void KeyboardAnswersRaiseIrq1()
        {
            _kbc.WriteData(0xFF);
            Assert.True(_irq1.Level);
            Assert.Equal(0xFA, _kbc.ReadData());
            Assert.Equal(0xAA, _kbc.ReadData());
            Assert.False(_irq1.Level);
            _kbc.WriteData(0xF2);
            Assert.Equal(new byte[] { 0xFA, 0xAB, 0x83 }, new[] { _kbc.ReadData(), _kbc.ReadData(), _kbc.ReadData() });
            _kbc.WriteData(0xED);
            _kbc.WriteData(0x07);
            Assert.Equal(0xFA, _kbc.ReadData());
            Assert.Equal(0xFA, _kbc.ReadData());
        }

        [Fact]
        public void AuxLoopAndAbsentMouse()
        {
            _kbc.WriteCommand(0x60);
            _kbc.WriteData(0x47); // IRQ 12 on
            _kbc.WriteCommand(0xD3);
            _kbc.WriteData(0x5A);
            Assert.Equal(0x21, _kbc.ReadStatus() & 0x21);
            Assert.True(_irq12.Level);
            Assert.Equal(0x5A, _kbc.ReadData());
            _kbc.WriteCommand(0xD4);
            _kbc.WriteData(0xF2);
            Assert.Equal(0xFE, _kbc.ReadData());
        }

        [Fact]
        public void ResetLineByPulseAndByOutputPort()
        {
            _kbc.WriteCommand(0xFF); // pulse nothing (bit 0 set)
            Assert.False(_kbc.ResetRequested);
            _kbc.WriteCommand(0xFE);
            Assert.True(_kbc.ResetRequested);
            _kbc.Reset();
            _kbc.WriteCommand(0xD0);
            Assert.Equal(0x03, _kbc.ReadData());
            _kbc.WriteCommand(0xD1);
            _kbc.WriteData(0x02);
            Assert.True(_kbc.ResetRequested);
        }
    }
}
