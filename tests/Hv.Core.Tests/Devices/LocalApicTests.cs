using Hv.Core.Devices;
using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Time;
using A = Hv.Core.Devices.Interrupts.LocalApic;

namespace Hv.Core.Tests.Devices
{
    /// <summary>The local APIC against Intel SDM Vol. 3A chapter 11 (clock: 1 GHz TSC, 100 MHz APIC timer).</summary>
    public class LocalApicTests
    {
        private readonly DeviceClock _clock = new DeviceClock(1_000_000_000);
        private readonly ApicCluster _cluster;
        private readonly A _apic;

        public LocalApicTests()
        {
            _cluster = new ApicCluster(_clock, 100_000_000, 1);
            _apic = _cluster.At(0);
        }

        private uint Read(int offset)
        {
            Assert.True(_apic.ReadRegister(offset, out uint value));
            return value;
        }

        private void Write(int offset, uint value) => Assert.True(_apic.WriteRegister(offset, value));

        private void Enable() => Write(A.RegSvr, 0x1FF);

        [Fact]
        public void PowerOnRegistersMatchTheSdm()
        {
            Assert.Equal(0xFEE00900UL, _apic.BaseMsr); // base, BSP, enabled
            Assert.Equal(A.Version, Read(A.RegVersion));
            Assert.Equal(0xFFu, Read(A.RegSvr));
            Assert.Equal(0xFFFFFFFFu, Read(A.RegDfr));
            for (int lvt = A.RegLvtTimer; lvt <= A.RegLvtError; lvt += 0x10)
            {
                Assert.Equal(A.LvtMasked, Read(lvt));
            }
            Assert.False(_apic.SoftwareEnabled);
            Assert.False(_apic.ReadRegister(0x3A0, out _)); // no register there
        }

        [Fact]
        public void SoftwareDisabledApicDropsFixedInterruptsAndKeepsLvtsMasked()
        {
            Assert.False(_apic.Accept(0x40, false));
            Write(A.RegLvtTimer, 0x30);
            Assert.Equal(A.LvtMasked | 0x30, Read(A.RegLvtTimer));
            Enable();
            Assert.True(_apic.Accept(0x40, false));
            Write(A.RegLvtTimer, 0x30);
            Assert.Equal(0x30u, Read(A.RegLvtTimer));
            Write(A.RegSvr, 0xFF); // software disable masks all LVTs, IRR is held
            Assert.Equal(A.LvtMasked | 0x30, Read(A.RegLvtTimer));
            Assert.Equal(0x40, _apic.PendingVector());
        }

        [Fact]
        public void PriorityFollowsTprAndInService()
        {
            Enable();
            _apic.Accept(0x51, false);
            _apic.Accept(0x62, false);
            Write(A.RegTpr, 0x60);
            Assert.Equal(-1, _apic.PendingVector()); // class 6 does not beat TPR class 6
            Write(A.RegTpr, 0x50);
            Assert.Equal(0x62, _apic.Acknowledge());
            Assert.Equal(1u << 2, Read(A.RegIsr + 0x30)); // vector 0x62 in ISR word 3
            Assert.Equal(0x60u, Read(A.RegPpr));
            Assert.Equal(-1, _apic.PendingVector()); // 0x51 waits behind the in-service 0x62
            Write(A.RegEoi, 0);
            Assert.Equal(0x50u, Read(A.RegPpr));
            Write(A.RegTpr, 0x40);
            Assert.Equal(0x51, _apic.Acknowledge());
            Assert.Equal(0x50u, Read(A.RegPpr));
        }

        [Fact]
        public void IllegalVectorsSetEsrOnTheNextWrite()
        {
            Enable();
            Assert.False(_apic.Accept(5, false));
            Assert.Equal(0u, Read(A.RegEsr));
            Write(A.RegEsr, 0);
            Assert.Equal(A.EsrReceiveIllegalVector, Read(A.RegEsr));
            Write(A.RegEsr, 0);
            Assert.Equal(0u, Read(A.RegEsr));
        }

        [Fact]
        public void SelfIpiThroughIcr()
        {
            Enable();
            Write(A.RegIcrLow, 0x40000 | 0x45); // shorthand self, fixed
            Assert.Equal(0x45, _apic.Acknowledge());
            Write(A.RegEoi, 0);
            Write(A.RegIcrHigh, 0x01000000); // physical destination 1: not us
            Write(A.RegIcrLow, 0x46);
            Assert.Equal(-1, _apic.PendingVector());
            Write(A.RegIcrHigh, 0);
            Write(A.RegIcrLow, 0x47); // destination 0 is our ID
            Assert.Equal(0x47, _apic.PendingVector());
            Write(A.RegIcrLow, 0x40000 | 0x400); // NMI to self
            Assert.True(_apic.TakeNmi());
            Assert.False(_apic.TakeNmi());
        }

        [Fact]
        public void OneShotTimerCountsDownAndFiresOnce()
        {
            Enable();
            Write(A.RegTimerDivide, 0x3); // divide by 16
            Write(A.RegLvtTimer, 0x30);
            Write(A.RegTimerInitial, 1000); // 1000 × 16 ticks at 100 MHz = 160 µs = 160000 TSC
            Assert.Equal(160_000UL, _apic.NextDeadline());
            _clock.Advance(80_000);
            Assert.Equal(500u, Read(A.RegTimerCurrent));
            _apic.Update();
            Assert.Equal(-1, _apic.PendingVector());
            _clock.Advance(160_000);
            _apic.Update();
            Assert.Equal(0u, Read(A.RegTimerCurrent));
            Assert.Equal(0x30, _apic.Acknowledge());
            _clock.Advance(1_000_000);
            _apic.Update();
            Assert.Equal(-1, _apic.PendingVector());
            Assert.Equal(ulong.MaxValue, _apic.NextDeadline());
        }

        [Fact]
        public void PeriodicTimerReloads()
        {
            Enable();
            Write(A.RegTimerDivide, 0xB); // divide by 1
            Write(A.RegLvtTimer, (1u << 17) | 0x31);
            Write(A.RegTimerInitial, 100); // 1 µs period
            _clock.Advance(1_000);
            _apic.Update();
            Assert.Equal(0x31, _apic.Acknowledge());
            Write(A.RegEoi, 0);
            Assert.Equal(2_000UL, _apic.NextDeadline());
            _clock.Advance(1_250);
            Assert.Equal(75u, Read(A.RegTimerCurrent));
            _clock.Advance(5_100); // the TSC is now 5100: several periods missed, one interrupt
            _apic.Update();
            Assert.Equal(0x31, _apic.Acknowledge());
            Assert.Equal(6_000UL, _apic.NextDeadline());
        }

        [Fact]
        public void TscDeadlineModeFiresAtTheDeadlineAndClearsIt()
        {
            Enable();
            _apic.WriteTscDeadline(5000); // ignored outside TSC-deadline mode
            Assert.Equal(0UL, _apic.TscDeadline);
            Write(A.RegLvtTimer, (2u << 17) | 0x32);
            Write(A.RegTimerInitial, 10); // ignored in TSC-deadline mode
            Assert.Equal(0u, Read(A.RegTimerInitial));
            _apic.WriteTscDeadline(5000);
            Assert.Equal(5000UL, _apic.NextDeadline());
            _clock.Advance(4999);
            _apic.Update();
            Assert.Equal(-1, _apic.PendingVector());
            _clock.Advance(5000);
            _apic.Update();
            Assert.Equal(0x32, _apic.PendingVector());
            Assert.Equal(0UL, _apic.TscDeadline);
            _apic.WriteTscDeadline(9000);
            Write(A.RegLvtTimer, 0x32); // leaving TSC-deadline mode disarms
            Assert.Equal(ulong.MaxValue, _apic.NextDeadline());
        }

        [Fact]
        public void ApicBaseDisableResetsAndX2ApicTransitionsFollowTheSdm()
        {
            Enable();
            Write(A.RegTpr, 0x20);
            _apic.Accept(0x40, false);
            Assert.False(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseExtd)); // EXTD without EN
            Assert.True(_apic.WriteBaseMsr(0xFEE00000UL)); // disable
            Assert.False(_apic.HardwareEnabled);
            Assert.Equal(-1, _apic.PendingVector());
            Assert.False(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable | A.BaseExtd)); // disabled → x2APIC is invalid
            Assert.True(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable));
            Assert.Equal(0u, Read(A.RegTpr));
            Assert.Equal(0xFFu, Read(A.RegSvr));
            Assert.Equal(-1, _apic.PendingVector());
            Assert.True(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable | A.BaseExtd));
            Assert.True(_apic.X2ApicMode);
            Assert.False(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable)); // x2APIC → xAPIC is invalid
            Assert.False(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable | A.BaseExtd | 1)); // reserved bit
            Assert.Equal(0xFEE00D00UL, _apic.BaseMsr); // the BSP bit survives
        }

        [Fact]
        public void X2ApicMsrsFollowTable11_6()
        {
            Assert.False(LocalApicMsrs.Read(_apic, 0x808, out _)); // xAPIC mode: #GP
            Assert.True(_apic.WriteBaseMsr(0xFEE00000UL | A.BaseEnable | A.BaseExtd));
            Assert.True(LocalApicMsrs.Write(_apic, 0x80F, 0x1FF));
            Assert.True(LocalApicMsrs.Read(_apic, 0x803, out ulong version));
            Assert.Equal(A.Version, version);
            Assert.True(LocalApicMsrs.Read(_apic, 0x80D, out ulong ldr));
            Assert.Equal(1UL, ldr); // cluster 0, bit 0 for ID 0
            Assert.False(LocalApicMsrs.Write(_apic, 0x802, 5)); // ID is read-only
            Assert.False(LocalApicMsrs.Read(_apic, 0x80E, out _)); // DFR is gone
            Assert.False(LocalApicMsrs.Read(_apic, 0x80B, out _)); // EOI is write-only
            Assert.False(LocalApicMsrs.Write(_apic, 0x80B, 1)); // non-zero EOI write
            Assert.True(LocalApicMsrs.Write(_apic, 0x83F, 0x55)); // SELF IPI
            Assert.Equal(0x55, _apic.Acknowledge());
            Assert.True(LocalApicMsrs.Write(_apic, 0x80B, 0));
            Assert.True(LocalApicMsrs.Write(_apic, 0x830, 0x40000UL | 0x56));
            Assert.True(LocalApicMsrs.Read(_apic, 0x830, out ulong icr));
            Assert.Equal(0x40056UL, icr);
            Assert.Equal(0x56, _apic.PendingVector());
            Assert.False(LocalApicMsrs.Read(_apic, 0x831, out _));
        }

        [Fact]
        public void LevelTriggeredEoiReachesTheIoApic()
        {
            var ioapic = new IoApic(_cluster);
            _cluster.ConnectIoApic(ioapic);
            Enable();
            ioapic.Write(0x00, 4, 0x10 + 2 * 9);
            ioapic.Write(0x10, 4, 0x8000 | 0x49); // level, fixed, vector 0x49, unmasked
            ioapic.SetInput(9, true);
            Assert.Equal(0x49, _apic.Acknowledge());
            Assert.NotEqual(0UL, ioapic.Entry(9) & (1UL << 14)); // remote IRR
            Assert.Equal(1u << 9, Read(A.RegTmr + 0x20));
            Write(A.RegEoi, 0); // still asserted: re-sent after the EOI
            Assert.Equal(0x49, _apic.Acknowledge());
            ioapic.SetInput(9, false);
            Write(A.RegEoi, 0);
            Assert.Equal(0UL, ioapic.Entry(9) & (1UL << 14));
            Assert.Equal(-1, _apic.PendingVector());
        }

        [Fact]
        public void StateSurvivesSaveAndLoad()
        {
            Enable();
            Write(A.RegLvtTimer, (1u << 17) | 0x31);
            Write(A.RegTimerInitial, 500);
            _apic.Accept(0x70, true);
            _clock.Advance(1234);
            var buffer = new byte[A.StateSize];
            var writer = new StateWriter(buffer);
            _apic.Save(ref writer);
            Assert.Equal(A.StateSize, writer.Length);
            var copy = new A(_clock, 100_000_000, 0);
            var reader = new StateReader(buffer);
            bool valid = true;
            copy.Load(ref reader, ref valid);
            Assert.True(valid);
            Assert.False(reader.Truncated);
            Assert.Equal(0x70, copy.PendingVector());
            Assert.True(copy.ReadRegister(A.RegTimerCurrent, out uint current));
            Assert.Equal(Read(A.RegTimerCurrent), current);
            Assert.Equal(_apic.NextDeadline(), copy.NextDeadline());
        }
    }
}
