using System;
using System.Collections.Generic;
using Hv.Core.Devices.Pci;
using Hv.Core.Devices.Virtio;
using Hv.Core.Memory;
using Hv.Core.Tests.Pci;
using L = Hv.Core.Devices.Virtio.VirtioPciLayout;
using Hv.Core.Virtio;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>
    /// Plays the guest's virtio_pci driver against a device through its registers, the way Linux's
    /// virtio_pci_modern does (virtio 1.2, 3.1.1 and 4.1.5): reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK,
    /// queues, DRIVER_OK; then posts chains and reads the used rings. Guest memory is 1 MiB: rings from 0x1000,
    /// buffers from 0x40000.
    /// </summary>
    internal sealed class VirtioDriver
    {
        public const ulong Features = 1UL << VirtioFeatures.Version1;
        public readonly VirtioPciFunction Device;
        public readonly ArrayGuestMemory Memory = new ArrayGuestMemory(1 << 20);
        public readonly RecordingSink Sink = new RecordingSink();
        public readonly Rings[] Queues;
        private readonly int[] _nextDescriptor;
        private ulong _nextBuffer = 0x40000;

        public VirtioDriver(VirtioPciFunction device)
        {
            Device = device;
            device.Memory = Memory;
            device.ConnectInterrupts(Sink);
            device.SetCommand(PciFunction.CommandMemory | PciFunction.CommandBusMaster);
            Queues = new Rings[device.QueueCount];
            _nextDescriptor = new int[device.QueueCount];
        }

        public ulong Read(int offset, int size) => Device.ReadBar(L.RegistersBar, (ulong)offset, size);
        public void Write(int offset, int size, ulong value) => Device.WriteBar(L.RegistersBar, (ulong)offset, size, value);

        public byte Status
        {
            get => (byte)Read(VirtioPci.DeviceStatus, 1);
            set => Write(VirtioPci.DeviceStatus, 1, value);
        }

        public ulong DeviceFeatures
        {
            get
            {
                Write(VirtioPci.DeviceFeatureSelect, 4, 0);
                ulong low = Read(VirtioPci.DeviceFeature, 4);
                Write(VirtioPci.DeviceFeatureSelect, 4, 1);
                return low | (Read(VirtioPci.DeviceFeature, 4) << 32);
            }
        }

        /// <summary>Steps 1-6 of 3.1.1; true when the device kept FEATURES_OK.</summary>
        public bool Negotiate(ulong features)
        {
            Status = 0;
            Status = VirtioFeatures.StatusAcknowledge;
            Status = VirtioFeatures.StatusAcknowledge | VirtioFeatures.StatusDriver;
            Write(VirtioPci.DriverFeatureSelect, 4, 0);
            Write(VirtioPci.DriverFeature, 4, (uint)features);
            Write(VirtioPci.DriverFeatureSelect, 4, 1);
            Write(VirtioPci.DriverFeature, 4, features >> 32);
            Status = VirtioFeatures.StatusAcknowledge | VirtioFeatures.StatusDriver | VirtioFeatures.StatusFeaturesOk;
            return (Status & VirtioFeatures.StatusFeaturesOk) != 0;
        }

        /// <summary>Lays out queue <paramref name="index"/> (32 KiB per queue from 0x1000) and enables it.</summary>
        public void SetUpQueue(int index, ushort size, ushort vector = VirtioPci.NoVector)
        {
            ulong bas = 0x1000 + (ulong)index * 0x8000;
            // "Allocate and zero Descriptor Table, Available and Used rings" (4.1.5.1.3).
            Array.Clear(Memory.Ram, (int)bas, 0x8000);
            Queues[index] = new Rings(Memory, bas, bas + 0x4000, bas + 0x6000, size);
            _nextDescriptor[index] = 0;
            Write(VirtioPci.QueueSelect, 2, (ushort)index);
            Write(VirtioPci.QueueSize, 2, size);
            Write(VirtioPci.QueueDesc, 4, bas);
            Write(VirtioPci.QueueDesc + 4, 4, 0);
            Write(VirtioPci.QueueDriver, 8, bas + 0x4000);
            Write(VirtioPci.QueueDevice, 8, bas + 0x6000);
            Write(VirtioPci.QueueMsixVector, 2, vector);
            Write(VirtioPci.QueueEnable, 2, 1);
        }

        /// <summary>The whole initialisation with every queue at <paramref name="size"/>.</summary>
        public void Start(ulong features = Features, ushort size = 64)
        {
            Assert.True(Negotiate(features));
            for (int i = 0; i < Device.QueueCount; i++)
                SetUpQueue(i, size);
            Status = VirtioFeatures.StatusAcknowledge | VirtioFeatures.StatusDriver | VirtioFeatures.StatusFeaturesOk | VirtioFeatures.StatusDriverOk;
        }

        /// <summary>MSI-X on with vector v sending data 0x40 + v to 0xFEE00000, each vector unmasked.</summary>
        public void EnableMsix()
        {
            for (int v = 0; v < Device.Msix.Vectors; v++)
            {
                Device.WriteBar(L.MsixBar, (ulong)v * 16, 8, 0xFEE00000);
                Device.WriteBar(L.MsixBar, (ulong)v * 16 + 8, 4, 0x40u + (uint)v);
                Device.WriteBar(L.MsixBar, (ulong)v * 16 + 12, 4, 0);
            }
            Device.WriteConfig(0x42, 2, 0x8000);
        }

        public ulong Allocate(int size)
        {
            ulong at = _nextBuffer;
            _nextBuffer = (_nextBuffer + (ulong)size + 15) & ~15UL;
            return at;
        }

        /// <summary>Writes the buffers as one chain in consecutive descriptors, makes it available, and notifies unless told not to.</summary>
        public ushort Post(int queue, IReadOnlyList<(ulong Address, uint Length, bool Writable)> buffers, bool notify = true)
        {
            Rings rings = Queues[queue];
            ushort head = (ushort)_nextDescriptor[queue];
            for (int i = 0; i < buffers.Count; i++)
            {
                int slot = (head + i) % rings.Size;
                bool last = i == buffers.Count - 1;
                rings.Descriptor(slot, buffers[i].Address, buffers[i].Length,
                    (ushort)((last ? 0 : Rings.Next) | (buffers[i].Writable ? Rings.Write : 0)), (ushort)((slot + 1) % rings.Size));
            }
            _nextDescriptor[queue] = (head + buffers.Count) % rings.Size;
            rings.Offer(head);
            if (notify)
                Notify(queue);
            return head;
        }

        public void Notify(int queue) => Write((int)L.NotifyOffset + queue * (int)L.NotifyMultiplier, 2, (ushort)queue);

        public byte[] Bytes(ulong address, int length) => Memory.Ram.AsSpan((int)address, length).ToArray();

        public void Fill(ulong address, byte[] bytes) => bytes.CopyTo(Memory.Ram, (int)address);
    }
}
