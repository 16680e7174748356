using System;
using System.Collections.Generic;
using Hv.Core.Devices;
using Hv.Core.Devices.Pci;
using Hv.Core.Devices.Virtio;
using L = Hv.Core.Devices.Virtio.VirtioPciLayout;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>A virtio device for transport tests: two queues that copy each request's readable bytes into its writable ones.</summary>
    internal sealed class EchoDevice : VirtioPciFunction
    {
        public const ushort Type = 0x3F;
        public const int Feature = 3;
        public readonly byte[] DeviceBytes = { 1, 2, 3, 4, 5, 6, 7, 8 };
        public int DeviceResets;
        public readonly List<int> Processed = new List<int>();

        public EchoDevice() : base(Type, 0xFF0000, 1UL << Feature, 2, 64, 1 << 16, 8) { }

        public void ChangeConfig(byte value)
        {
            DeviceBytes[0] = value;
            DeviceConfigChanged();
        }

        protected override void ProcessQueue(int index)
        {
            Processed.Add(index);
            var bytes = new byte[256];
            DescriptorChain chain;
            while ((chain = TakeChain(index)) != null)
            {
                int n = (int)Math.Min(Math.Min(chain.ReadableBytes, chain.WritableBytes), 256UL);
                Assert.True(chain.Read(Memory, 0, bytes.AsSpan(0, n)));
                Assert.True(chain.Write(Memory, 0, bytes.AsSpan(0, n)));
                if (!ReturnChain(index, chain, (uint)n))
                    return;
            }
            NotifyUsed(index);
        }

        protected override byte DeviceConfigByte(int offset) => DeviceBytes[offset];
        protected override void OnDeviceReset() => DeviceResets++;
        protected override int DeviceStateSize => 1;
        protected override void SaveDeviceState(ref StateWriter writer) => writer.U8(DeviceBytes[0]);
        protected override void LoadDeviceState(ref StateReader reader, ref bool valid) => DeviceBytes[0] = reader.U8();
    }

    /// <summary>The modern virtio PCI transport against virtio 1.2, 4.1 and the device status rules of 2.1-2.2.</summary>
    public class VirtioTransportTests
    {
        private const ulong AllFeatures = VirtioDriver.Features | (1UL << EchoDevice.Feature)
            | (1UL << VirtioFeatures.IndirectDescriptors) | (1UL << VirtioFeatures.EventIndex);
        private readonly EchoDevice _device = new EchoDevice();
        private readonly VirtioDriver _driver;

        public VirtioTransportTests()
        {
            _driver = new VirtioDriver(_device);
        }

        private (ulong In, ulong Out) Echo(int queue, byte[] data, bool notify = true)
        {
            ulong input = _driver.Allocate(data.Length), output = _driver.Allocate(data.Length);
            _driver.Fill(input, data);
            _driver.Post(queue, new[] { (input, (uint)data.Length, false), (output, (uint)data.Length, true) }, notify);
            return (input, output);
        }

        [Fact]
        public void Identity_follows_4_1_2_for_a_modern_only_device()
        {
            Assert.Equal(0x1AF4, _device.VendorId);
            Assert.Equal(0x1040 + EchoDevice.Type, _device.DeviceId);
            Assert.Equal(1u, _device.ReadConfig(0x08, 1));
            Assert.Equal(0x1AF4u, _device.ReadConfig(0x2C, 2));
            Assert.True(_device.ReadConfig(0x2E, 2) >= 0x40);
            Assert.Equal(1, _device.InterruptPin);
            Assert.Equal(PciBarKind.Memory64, _device.BarKind(0));
            Assert.Equal(0x4000UL, _device.BarSize(0));
            Assert.Equal(PciBarKind.Memory32, _device.BarKind(2));
        }

        [Fact]
        public void Capability_list_points_at_each_structure_in_BAR_0()
        {
            var found = new Dictionary<byte, (uint Offset, uint Length, int Cap)>();
            int cap = (int)_device.ReadConfig(0x34, 1);
            Assert.Equal(0x11u, _device.ReadConfig(cap, 1)); // MSI-X first
            Assert.Equal(2u, _device.ReadConfig(cap + 2, 2) & 0x7FF); // 3 vectors: two queues and configuration
            for (cap = (int)_device.ReadConfig(cap + 1, 1); cap != 0; cap = (int)_device.ReadConfig(cap + 1, 1))
            {
                Assert.Equal(0x09u, _device.ReadConfig(cap, 1));
                byte type = (byte)_device.ReadConfig(cap + 3, 1);
                Assert.Equal(type is 2 or 5 ? 20u : 16u, _device.ReadConfig(cap + 2, 1));
                if (type != 5)
                    Assert.Equal(0u, _device.ReadConfig(cap + 4, 1));
                found[type] = (_device.ReadConfig(cap + 8, 4), _device.ReadConfig(cap + 12, 4), cap);
            }
            Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, new SortedSet<byte>(found.Keys));
            Assert.Equal((0x0000u, 0x38u), (found[1].Offset, found[1].Length));
            Assert.Equal((0x3000u, 8u), (found[2].Offset, found[2].Length));
            Assert.Equal(4u, _device.ReadConfig(found[2].Cap + 16, 4));
            Assert.Equal((0x1000u, 1u), (found[3].Offset, found[3].Length));
            Assert.Equal((0x2000u, 8u), (found[4].Offset, found[4].Length));
        }

        [Fact]
        public void Device_features_are_offered_in_two_words_and_nothing_beyond()
        {
            Assert.Equal(AllFeatures, _driver.DeviceFeatures);
            _driver.Write(VirtioPci.DeviceFeatureSelect, 4, 2);
            Assert.Equal(0UL, _driver.Read(VirtioPci.DeviceFeature, 4));
        }

        [Fact]
        public void FEATURES_OK_is_refused_without_VERSION_1_or_with_a_bit_not_offered()
        {
            Assert.False(_driver.Negotiate(1UL << EchoDevice.Feature));
            Assert.False(_driver.Negotiate(VirtioDriver.Features | (1UL << 33)));
            Assert.True(_driver.Negotiate(VirtioDriver.Features | (1UL << EchoDevice.Feature)));
            Assert.Equal(VirtioDriver.Features | (1UL << EchoDevice.Feature), _device.NegotiatedFeatures);
            // Once FEATURES_OK is set the features are fixed.
            _driver.Write(VirtioPci.DriverFeatureSelect, 4, 0);
            _driver.Write(VirtioPci.DriverFeature, 4, 0);
            Assert.Equal(1UL << EchoDevice.Feature, _driver.Read(VirtioPci.DriverFeature, 4));
        }

        [Fact]
        public void Queue_registers_follow_queue_select()
        {
            Assert.Equal(2UL, _driver.Read(VirtioPci.NumQueues, 2));
            _driver.Write(VirtioPci.QueueSelect, 2, 1);
            Assert.Equal(64UL, _driver.Read(VirtioPci.QueueSize, 2));
            Assert.Equal(1UL, _driver.Read(VirtioPci.QueueNotifyOff, 2));
            Assert.Equal((ulong)VirtioPci.NoVector, _driver.Read(VirtioPci.QueueMsixVector, 2));
            _driver.Write(VirtioPci.QueueDesc, 4, 0x12345000);
            _driver.Write(VirtioPci.QueueDesc + 4, 4, 0x9);
            Assert.Equal(0x9_12345000UL, _driver.Read(VirtioPci.QueueDesc, 8));
            _driver.Write(VirtioPci.QueueSelect, 2, 7);
            Assert.Equal(0UL, _driver.Read(VirtioPci.QueueSize, 2));
            _driver.Write(VirtioPci.QueueSize, 2, 16);
            Assert.Equal(0UL, _driver.Read(VirtioPci.QueueSize, 2));
        }

        [Fact]
        public void Writes_of_the_wrong_width_are_ignored()
        {
            _driver.Write(VirtioPci.QueueSelect, 1, 1);
            Assert.Equal(0UL, _driver.Read(VirtioPci.QueueSelect, 2));
            _driver.Write(VirtioPci.DeviceStatus, 2, 1);
            Assert.Equal(0, _driver.Status);
        }

        [Fact]
        public void A_vector_the_table_does_not_have_reads_back_as_NO_VECTOR()
        {
            _driver.Write(VirtioPci.ConfigMsixVector, 2, 2);
            Assert.Equal(2UL, _driver.Read(VirtioPci.ConfigMsixVector, 2));
            _driver.Write(VirtioPci.ConfigMsixVector, 2, 3);
            Assert.Equal((ulong)VirtioPci.NoVector, _driver.Read(VirtioPci.ConfigMsixVector, 2));
            _driver.Write(VirtioPci.QueueMsixVector, 2, 0x7FF);
            Assert.Equal((ulong)VirtioPci.NoVector, _driver.Read(VirtioPci.QueueMsixVector, 2));
        }

        [Fact]
        public void Writing_0_to_device_status_resets_queues_vectors_and_features()
        {
            _driver.Start(AllFeatures);
            _driver.Write(VirtioPci.ConfigMsixVector, 2, 1);
            int resets = _device.DeviceResets;
            _driver.Status = 0;
            Assert.Equal(0, _driver.Status);
            Assert.Equal(resets + 1, _device.DeviceResets);
            Assert.Equal(0UL, _device.NegotiatedFeatures);
            Assert.Equal((ulong)VirtioPci.NoVector, _driver.Read(VirtioPci.ConfigMsixVector, 2));
            Assert.Equal(0UL, _driver.Read(VirtioPci.QueueEnable, 2));
            Assert.Equal(64UL, _driver.Read(VirtioPci.QueueSize, 2));
        }

        [Fact]
        public void Requests_complete_with_INTx_and_the_ISR_when_MSI_X_is_off()
        {
            _driver.Start();
            var (_, output) = Echo(0, new byte[] { 9, 8, 7 });
            Assert.Equal(new byte[] { 9, 8, 7 }, _driver.Bytes(output, 3));
            Assert.Equal(1, _driver.Queues[0].UsedIndex);
            Assert.Equal((0u, 3u), _driver.Queues[0].UsedElement(0));
            Assert.True(_driver.Sink.Intx);
            Assert.Equal(1UL, _driver.Read((int)L.IsrOffset, 1));
            Assert.False(_driver.Sink.Intx);
            Assert.Equal(0UL, _driver.Read((int)L.IsrOffset, 1));
        }

        [Fact]
        public void With_MSI_X_each_queue_interrupts_on_its_own_vector_and_NO_VECTOR_is_silent()
        {
            _driver.EnableMsix();
            Assert.True(_driver.Negotiate(VirtioDriver.Features));
            _driver.SetUpQueue(0, 64, vector: 1);
            _driver.SetUpQueue(1, 64);
            _driver.Status |= VirtioFeatures.StatusDriverOk;
            Echo(0, new byte[] { 1 });
            Echo(1, new byte[] { 2 });
            Assert.Equal(new[] { (0xFEE00000UL, 0x41u) }, _driver.Sink.Messages);
            Assert.False(_driver.Sink.Intx);
            Assert.Equal(1, _driver.Queues[1].UsedIndex);
        }

        [Fact]
        public void Nothing_is_used_before_DRIVER_OK_and_what_waited_is_used_at_DRIVER_OK()
        {
            Assert.True(_driver.Negotiate(VirtioDriver.Features));
            _driver.SetUpQueue(0, 64);
            _driver.SetUpQueue(1, 64);
            var (_, output) = Echo(0, new byte[] { 5 });
            Assert.Equal(0, _driver.Queues[0].UsedIndex);
            _driver.Status |= VirtioFeatures.StatusDriverOk;
            Assert.Equal(1, _driver.Queues[0].UsedIndex);
            Assert.Equal(5, _driver.Bytes(output, 1)[0]);
        }

        [Fact]
        public void Without_bus_mastering_the_device_leaves_guest_memory_alone()
        {
            _driver.Start();
            _device.SetCommand(PciFunction.CommandMemory);
            int reads = _driver.Memory.Reads;
            Echo(0, new byte[] { 5 });
            Assert.Equal(reads, _driver.Memory.Reads);
            Assert.Equal(0, _driver.Queues[0].UsedIndex);
        }

        [Fact]
        public void A_broken_ring_sets_DEVICE_NEEDS_RESET_counts_it_and_stops_the_device_until_reset()
        {
            _driver.Start();
            _driver.Post(0, new[] { (0xFFFF_FFFF_0000UL, 16u, false) });
            Assert.True(_device.NeedsReset);
            Assert.Equal(1UL, _device.QueueErrors);
            Assert.Equal(VirtqueueStatus.BufferOutsideMemory, _device.LastQueueError);
            // A configuration-change interrupt tells the driver (2.1.2).
            Assert.Equal(2UL, _driver.Read((int)L.IsrOffset, 1));
            // The driver cannot clear the bit, and the device does nothing more.
            _driver.Status = 0x0F;
            Assert.Equal(0x4F, _driver.Status);
            Echo(0, new byte[] { 1 });
            Assert.Equal(0, _driver.Queues[0].UsedIndex);
            // A reset and a fresh start recover.
            _driver.Start();
            Assert.False(_device.NeedsReset);
            Echo(0, new byte[] { 1 });
            Assert.Equal(1, _driver.Queues[0].UsedIndex);
        }

        [Fact]
        public void Enabling_a_queue_whose_ring_is_outside_memory_is_a_device_error()
        {
            Assert.True(_driver.Negotiate(VirtioDriver.Features));
            _driver.Write(VirtioPci.QueueDesc, 8, 0x7FFF_0000_0000);
            _driver.Write(VirtioPci.QueueEnable, 2, 1);
            Assert.Equal(0UL, _driver.Read(VirtioPci.QueueEnable, 2));
            Assert.True(_device.NeedsReset);
            Assert.Equal(VirtqueueStatus.RingOutsideMemory, _device.LastQueueError);
        }

        [Fact]
        public void Config_generation_changes_once_the_driver_reads_changed_configuration()
        {
            _driver.Start();
            ulong generation = _driver.Read(VirtioPci.ConfigGeneration, 1);
            _device.ChangeConfig(42);
            Assert.Equal(2UL, _driver.Read((int)L.IsrOffset, 1));
            Assert.Equal(42UL, _driver.Read((int)L.DeviceConfigOffset, 1));
            ulong after = _driver.Read(VirtioPci.ConfigGeneration, 1);
            Assert.NotEqual(generation, after);
            Assert.Equal(0x0807060504030200UL | 42, _driver.Read((int)L.DeviceConfigOffset, 8));
            Assert.Equal(after, _driver.Read(VirtioPci.ConfigGeneration, 1));
        }

        [Fact]
        public void The_PCI_configuration_access_capability_opens_a_window_on_the_BAR()
        {
            int cap = FindVendorCapability(5);
            _device.WriteConfig(cap + 4, 1, 0);            // bar
            _device.WriteConfig(cap + 12, 4, 2);           // length
            _device.WriteConfig(cap + 8, 4, (uint)VirtioPci.NumQueues);
            Assert.Equal(2u, _device.ReadConfig(cap + 16, 4) & 0xFFFF);
            _device.WriteConfig(cap + 12, 4, 1);
            _device.WriteConfig(cap + 8, 4, (uint)VirtioPci.DeviceStatus);
            _device.WriteConfig(cap + 16, 1, VirtioFeatures.StatusAcknowledge);
            Assert.Equal(VirtioFeatures.StatusAcknowledge, _device.Status);
            // A window off the end of the BAR does nothing.
            _device.WriteConfig(cap + 8, 4, 0x4000);
            Assert.Equal(VirtioFeatures.StatusAcknowledge, (byte)_device.ReadConfig(cap + 16, 1));
        }

        [Fact]
        public void With_EVENT_IDX_the_device_asks_for_the_next_notification_through_avail_event()
        {
            _driver.Start(VirtioDriver.Features | (1UL << VirtioFeatures.EventIndex));
            Echo(0, new byte[] { 1 });
            Echo(0, new byte[] { 2 });
            Assert.Equal(2, _driver.Queues[0].AvailEvent);
        }

        [Fact]
        public void Saved_state_restores_into_a_fresh_device_that_carries_on_where_the_first_stopped()
        {
            _driver.EnableMsix();
            _driver.Start(AllFeatures);
            _driver.Write(VirtioPci.ConfigMsixVector, 2, 2);
            Echo(0, new byte[] { 1 });
            _device.ChangeConfig(77);
            var saved = new byte[_device.StateSize];
            Assert.Equal(saved.Length, _device.SaveState(saved));
            Assert.Equal(-1, _device.SaveState(new byte[saved.Length - 1]));

            var copy = new EchoDevice();
            Assert.Equal(DeviceStateStatus.Ok, copy.LoadState(saved));
            Assert.Equal(77, copy.DeviceBytes[0]);
            Assert.Equal(_device.Status, copy.Status);
            Assert.True(copy.MsixEnabled);
            copy.Memory = _driver.Memory;
            copy.ConnectInterrupts(_driver.Sink);
            Assert.Equal(_device.Queue(0).NextUsed, copy.Queue(0).NextUsed);
            var again = new byte[saved.Length];
            copy.SaveState(again);
            Assert.Equal(saved, again);
        }

        [Fact]
        public void A_bad_saved_state_is_refused_and_changes_nothing()
        {
            _driver.Start();
            var good = new byte[_device.StateSize];
            _device.SaveState(good);
            var fresh = new EchoDevice();
            var before = new byte[fresh.StateSize];
            fresh.SaveState(before);

            Assert.Equal(DeviceStateStatus.Truncated, fresh.LoadState(good.AsSpan(0, good.Length - 1)));
            var other = (byte[])good.Clone();
            other[1] ^= 1;
            Assert.Equal(DeviceStateStatus.WrongVersion, fresh.LoadState(other));
            other = (byte[])good.Clone();
            other[0] = 99;
            Assert.Equal(DeviceStateStatus.WrongVersion, fresh.LoadState(other));
            // Corrupt the first queue's size: it is enabled, so 3 is impossible.
            int queueStart = good.Length - 1 - 2 * SplitVirtqueue.StateSize;
            other = (byte[])good.Clone();
            other[queueStart] = 3;
            Assert.Equal(DeviceStateStatus.Invalid, fresh.LoadState(other));

            var after = new byte[fresh.StateSize];
            fresh.SaveState(after);
            Assert.Equal(before, after);
        }

        private int FindVendorCapability(byte type)
        {
            for (int cap = (int)_device.ReadConfig(0x34, 1); cap != 0; cap = (int)_device.ReadConfig(cap + 1, 1))
                if (_device.ReadConfig(cap, 1) == 0x09 && _device.ReadConfig(cap + 3, 1) == type)
                    return cap;
            throw new InvalidOperationException("no such capability");
        }
    }
}
