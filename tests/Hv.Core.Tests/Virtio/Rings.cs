using Hv.Core.Memory;

namespace Hv.Core.Tests.Virtio
{
    /// <summary>
    /// The driver's side of one split virtqueue in test guest memory (virtio 1.2, 2.7): writes descriptors and the
    /// available ring, reads the used ring. Layout: descriptor table, available ring and used ring at the given
    /// addresses.
    /// </summary>
    internal sealed class Rings
    {
        public const ushort Next = 1, Write = 2, Indirect = 4;

        public readonly ArrayGuestMemory Memory;
        public readonly ulong Desc, Avail, Used;
        public readonly ushort Size;
        public ushort AvailIndex;

        public Rings(ArrayGuestMemory memory, ulong desc, ulong avail, ulong used, ushort size)
        {
            Memory = memory;
            Desc = desc;
            Avail = avail;
            Used = used;
            Size = size;
        }

        public void Descriptor(int index, ulong address, uint length, ushort flags, ushort next = 0) =>
            TableEntry(Desc, index, address, length, flags, next);

        public void TableEntry(ulong table, int index, ulong address, uint length, ushort flags, ushort next = 0)
        {
            ulong at = table + (ulong)index * 16;
            LittleEndian.WriteUInt64(Memory.Ram, (int)at, address);
            LittleEndian.WriteUInt32(Memory.Ram, (int)at + 8, length);
            LittleEndian.WriteUInt16(Memory.Ram, (int)at + 12, flags);
            LittleEndian.WriteUInt16(Memory.Ram, (int)at + 14, next);
        }

        /// <summary>Puts <paramref name="head"/> in the available ring and publishes it.</summary>
        public void Offer(ushort head)
        {
            LittleEndian.WriteUInt16(Memory.Ram, (int)Avail + 4 + 2 * (AvailIndex % Size), head);
            AvailIndex++;
            LittleEndian.WriteUInt16(Memory.Ram, (int)Avail + 2, AvailIndex);
        }

        public ushort AvailFlags
        {
            set => LittleEndian.WriteUInt16(Memory.Ram, (int)Avail, value);
        }

        public ushort UsedEvent
        {
            set => LittleEndian.WriteUInt16(Memory.Ram, (int)Avail + 4 + 2 * Size, value);
        }

        public ushort AvailEvent => LittleEndian.ReadUInt16(Memory.Ram, (int)Used + 4 + 8 * Size);

        public ushort UsedIndex => LittleEndian.ReadUInt16(Memory.Ram, (int)Used + 2);

        public (uint Id, uint Length) UsedElement(int i) =>
            (LittleEndian.ReadUInt32(Memory.Ram, (int)Used + 4 + 8 * (i % Size)),
             LittleEndian.ReadUInt32(Memory.Ram, (int)Used + 8 + 8 * (i % Size)));
    }
}
