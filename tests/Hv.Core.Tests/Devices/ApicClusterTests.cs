using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Devices.Time;
using A = Hv.Core.Devices.Interrupts.LocalApic;

namespace Hv.Core.Tests.Devices
{
    /// <summary>Interrupt messages between the local APICs of a three-vCPU VM (SDM Vol. 3A 11.6 and 9.4.4).</summary>
    public class ApicClusterTests
    {
        private readonly DeviceClock _clock = new DeviceClock(1_000_000_000);
        private readonly ApicCluster _cluster;

        public ApicClusterTests()
        {
            _cluster = new ApicCluster(_clock, 100_000_000, 3);
            for (int i = 0; i < 3; i++) Assert.True(_cluster.At(i).WriteRegister(A.RegSvr, 0x1FF)); // software-enable
        }

        private A Apic(int i) => _cluster.At(i);

        // An xAPIC ICR write: the high word (destination in bits 31:24), then the low word, which sends.
        private void Send(int from, uint low, uint destination = 0)
        {
            Assert.True(Apic(from).WriteRegister(A.RegIcrHigh, destination << 24));
            Assert.True(Apic(from).WriteRegister(A.RegIcrLow, low));
        }

        private int[] Pending() => new[] { Apic(0).PendingVector(), Apic(1).PendingVector(), Apic(2).PendingVector() };

        [Fact]
        public void Apics_are_numbered_by_vcpu_and_only_the_first_is_the_bsp()
        {
            Assert.Equal(new uint[] { 0, 1, 2 }, new[] { Apic(0).Id, Apic(1).Id, Apic(2).Id });
            Assert.NotEqual(0UL, Apic(0).BaseMsr & A.BaseBsp);
            Assert.Equal(0UL, Apic(1).BaseMsr & A.BaseBsp);
            Assert.False(Apic(0).WaitingForStartup);
            Assert.True(Apic(1).WaitingForStartup);
        }

        [Fact]
        public void A_fixed_ipi_reaches_the_physical_destination_only()
        {
            Send(0, 0x40, destination: 2);
            Assert.Equal(new[] { -1, -1, 0x40 }, Pending());
        }

        [Fact]
        public void Shorthands_self_all_and_all_but_self()
        {
            Send(1, (1u << 18) | 0x41);
            Assert.Equal(new[] { -1, 0x41, -1 }, Pending());
            Send(1, (3u << 18) | 0x42);
            Assert.Equal(new[] { 0x42, 0x41, 0x42 }, Pending());
            Send(1, (2u << 18) | 0x50);
            Assert.Equal(new[] { 0x50, 0x50, 0x50 }, Pending());
        }

        [Fact]
        public void Logical_flat_destinations_are_masks_and_lowest_priority_picks_one_apic()
        {
            for (int i = 0; i < 3; i++) Assert.True(Apic(i).WriteRegister(A.RegLdr, (1u << i) << 24));
            Send(0, (1u << 11) | 0x60, destination: 0x5); // logical, fixed, APICs 0 and 2
            Assert.Equal(new[] { 0x60, -1, 0x60 }, Pending());
            Assert.True(Apic(1).WriteRegister(A.RegTpr, 0x30));
            Send(0, (1u << 11) | (1u << 8) | 0x70, destination: 0x6); // lowest priority among 1 and 2: 2 has TPR 0
            Assert.Equal(0x70, Apic(2).PendingVector());
            Assert.Equal(-1, Apic(1).PendingVector());
        }

        [Fact]
        public void Init_then_startup_starts_an_ap_once_and_the_init_deassert_and_bsp_are_left_alone()
        {
            Send(0, (5u << 8) | (1u << 15), destination: 1); // INIT level de-assert: no reset
            Assert.False(Apic(1).TakeInit());
            Send(0, (5u << 8) | (1u << 14) | (1u << 15), destination: 1); // INIT assert
            Assert.True(Apic(1).TakeInit());
            Assert.True(Apic(1).WaitingForStartup);
            Send(0, (6u << 8) | 0x9A, destination: 1); // STARTUP at page 0x9A
            Send(0, (6u << 8) | 0x55, destination: 1); // the second STARTUP finds it started
            Assert.False(Apic(1).WaitingForStartup);
            Assert.Equal(0x9A, Apic(1).TakeStartup());
            Assert.Equal(-1, Apic(1).TakeStartup());
            Assert.Equal(-1, Apic(2).TakeStartup());
            Send(1, (5u << 8) | (1u << 14), destination: 0); // the BSP ignores INIT
            Assert.False(Apic(0).TakeInit());
            Assert.False(Apic(0).WaitingForStartup);
        }

        [Fact]
        public void Init_resets_the_ap_apic_but_keeps_its_id()
        {
            Send(0, 0x45, destination: 1);
            Send(0, (5u << 8) | (1u << 14), destination: 1);
            Assert.Equal(-1, Apic(1).PendingVector());
            Assert.Equal(1u, Apic(1).Id);
            Assert.False(Apic(1).SoftwareEnabled);
        }

        [Fact]
        public void A_fixed_ipi_below_vector_16_is_a_send_error_of_the_sender()
        {
            Send(0, 0x0F, destination: 1);
            Assert.Equal(new[] { -1, -1, -1 }, Pending());
            Assert.True(Apic(0).WriteRegister(A.RegEsr, 0));
            Assert.True(Apic(0).ReadRegister(A.RegEsr, out uint esr));
            Assert.Equal(A.EsrSendIllegalVector, esr);
        }

        [Fact]
        public void An_nmi_ipi_reaches_its_destination()
        {
            Send(0, 4u << 8, destination: 2);
            Assert.True(Apic(2).NmiPending);
            Assert.False(Apic(0).NmiPending);
        }

        [Fact]
        public void Ioapic_entries_and_msis_go_to_the_apic_they_name()
        {
            var ioapic = new IoApic(_cluster);
            _cluster.ConnectIoApic(ioapic);
            ioapic.Write(0x00, 4, 0x10 + 2 * 4 + 1);
            ioapic.Write(0x10, 4, 2u << 24); // destination APIC 2
            ioapic.Write(0x00, 4, 0x10 + 2 * 4);
            ioapic.Write(0x10, 4, 0x34); // edge, fixed, vector 0x34, unmasked
            ioapic.SetInput(4, true);
            Assert.Equal(new[] { -1, -1, 0x34 }, Pending());

            new LocalApicMessageSink(_cluster).Message(0xFEE01000, 0x51); // destination 1, physical, fixed
            Assert.Equal(new[] { -1, 0x51, 0x34 }, Pending());
        }

        [Fact]
        public void Resizing_keeps_the_first_apics_and_powers_on_new_ones()
        {
            Send(0, 0x44, destination: 1);
            _cluster.Resize(2);
            Assert.Equal(2, _cluster.Count);
            Assert.Equal(0x44, Apic(1).PendingVector());
            _cluster.Resize(4);
            Assert.Equal(3u, _cluster.At(3).Id);
            Assert.True(_cluster.At(3).WaitingForStartup);
        }
    }
}
