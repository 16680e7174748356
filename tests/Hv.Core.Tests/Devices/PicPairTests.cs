using Hv.Core.Devices.Interrupts;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The cascaded 8259A pair against the Intel 8259A datasheet, initialised as Linux's init_8259A does.</summary>
    public class PicPairTests
    {
        private readonly PicPair _pic = new PicPair();

        private void Master(int port, byte value) => _pic.Master.Out((ushort)port, 1, value);
        private void Slave(int port, byte value) => _pic.Slave.Out((ushort)port, 1, value);

        private void Initialise(bool autoEoi = false)
        {
            Master(0, 0x11); Master(1, 0x30); Master(1, 0x04); Master(1, autoEoi ? (byte)0x03 : (byte)0x01);
            Slave(0, 0x11); Slave(1, 0x38); Slave(1, 0x02); Slave(1, 0x01);
            Master(1, 0x00); Slave(1, 0x00);
        }

        [Fact]
        public void EdgeRequestIsAcknowledgedIntoIsrAndEndedByNonSpecificEoi()
        {
            Initialise();
            _pic.SetIrq(1, true);
            Assert.True(_pic.Output);
            Assert.Equal(0x31, _pic.Acknowledge());
            Assert.Equal(0x02, _pic.Master.Isr);
            Assert.False(_pic.Output);
            Master(0, 0x0B); // OCW3: read ISR
            Assert.Equal(0x02u, _pic.Master.In(0, 1));
            Master(0, 0x20); // non-specific EOI
            Assert.Equal(0, _pic.Master.Isr);
            Assert.False(_pic.Output); // the line stayed high: no new edge, no new request
            _pic.SetIrq(1, false);
            _pic.SetIrq(1, true);
            Assert.True(_pic.Output);
        }

        [Fact]
        public void HigherPriorityPreemptsAndLowerWaits()
        {
            Initialise();
            _pic.SetIrq(4, true);
            Assert.Equal(0x34, _pic.Acknowledge());
            _pic.SetIrq(6, true);
            Assert.False(_pic.Output); // IRQ 6 is below IRQ 4 in service
            _pic.SetIrq(0, true);
            Assert.Equal(0x30, _pic.Acknowledge());
            Master(0, 0x60); // specific EOI for IRQ 0
            Master(0, 0x64); // specific EOI for IRQ 4
            Assert.Equal(0x36, _pic.Acknowledge());
        }

        [Fact]
        public void MaskAndCascadeToTheSlave()
        {
            Initialise();
            Slave(1, 0x10); // mask IRQ 12
            _pic.SetIrq(12, true);
            Assert.False(_pic.Output);
            Slave(1, 0x00);
            Assert.True(_pic.Output);
            Assert.Equal(0x3C, _pic.Acknowledge());
            Assert.Equal(0x10, _pic.Slave.Isr);
            Assert.Equal(0x04, _pic.Master.Isr);
            Slave(0, 0x20);
            Master(0, 0x20);
            Assert.Equal(0, _pic.Master.Isr | _pic.Slave.Isr);
        }

        [Fact]
        public void SpuriousInterruptsUseIrq7AndIrq15WithoutIsr()
        {
            Initialise();
            Assert.Equal(0x37, _pic.Acknowledge());
            Assert.Equal(0, _pic.Master.Isr);
            // A slave request that vanishes between INT and INTA (level input dropped): the slave answers IRQ 15.
            _pic.Elcr.Out(1, 1, 0x02); // IRQ 9 level
            _pic.SetIrq(9, true);
            Assert.Equal(2, _pic.Master.PendingIrq());
            _pic.Slave.SetInput(1, false); // behind the pair's back, as the wire drops mid-cycle
            Assert.Equal(0x3F, _pic.Acknowledge());
            Assert.Equal(0, _pic.Slave.Isr);
        }

        [Fact]
        public void AutoEoiLeavesIsrClear()
        {
            Initialise(autoEoi: true);
            _pic.SetIrq(3, true);
            Assert.Equal(0x33, _pic.Acknowledge());
            Assert.Equal(0, _pic.Master.Isr);
        }

        [Fact]
        public void ElcrMakesAnInputLevelTriggered()
        {
            Initialise();
            _pic.Elcr.Out(1, 1, 0xFF);
            Assert.Equal((uint)Elcr.SlaveMask, _pic.Elcr.In(1, 1)); // IRQ 8 and 13 are edge-only
            _pic.Elcr.Out(0, 1, 0x20); // IRQ 5 level
            _pic.SetIrq(5, true);
            Assert.Equal(0x35, _pic.Acknowledge());
            Master(0, 0x20);
            Assert.True(_pic.Output); // still asserted: requests again
            _pic.SetIrq(5, false);
            Assert.False(_pic.Output);
        }

        [Fact]
        public void PollModeReturnsAndAcknowledgesTheRequest()
        {
            Initialise();
            _pic.SetIrq(5, true);
            Master(0, 0x0C); // OCW3 poll
            Assert.Equal(0x85u, _pic.Master.In(0, 1));
            Assert.Equal(0x20, _pic.Master.Isr);
            Master(0, 0x0C);
            Assert.Equal(0u, _pic.Master.In(0, 1));
        }

        [Fact]
        public void RotationOnEoiMovesTheLowestPriority()
        {
            Initialise();
            _pic.SetIrq(0, true);
            _pic.SetIrq(2 + 1, true);
            Assert.Equal(0x30, _pic.Acknowledge());
            Master(0, 0xA0); // rotate on non-specific EOI: IRQ 0 becomes lowest
            _pic.SetIrq(0, false);
            _pic.SetIrq(0, true);
            Assert.Equal(0x33, _pic.Acknowledge()); // IRQ 3 now beats IRQ 0
        }
    }
}
