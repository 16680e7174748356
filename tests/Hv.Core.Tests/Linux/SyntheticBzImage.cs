using Hv.Core.Guests.Linux;
using Hv.Core.Memory;

namespace Hv.Core.Tests.Linux
{
    /// <summary>
    /// A bzImage made of just what the boot protocol defines: boot sector with the setup header, setup sectors, and a
    /// protected-mode "kernel" of a known pattern. Fields default to a 6.1-like 64-bit kernel; tests change one at a time.
    /// </summary>
    internal sealed class SyntheticBzImage
    {
        public int SetupSects = 4;
        public int KernelBytes = 0x3000;
        public uint SysSizeParagraphs = 0x300;
        public ushort Version = 0x020F;
        public byte JumpOffset = 0x66; // header end 0x268, like 6.1
        public ushort XLoadFlags = 0x7F;
        public uint InitrdAddrMax = 0x7FFFFFFF;
        public uint KernelAlignment = 0x200000;
        public uint CmdlineSize = 2047;
        public ulong PrefAddress = 0x1000000;
        public uint InitSize = 0x400000;
        public ushort BootFlag = 0xAA55;
        public uint Magic = 0x53726448;

        public int KernelOffset => (SetupSects + 1) * 512;

        public static byte KernelByte(int i) => (byte)(i * 7 + 3);

        public byte[] Build()
        {
            var image = new byte[KernelOffset + KernelBytes];
            image[BzImageHeader.SetupSectsOffset] = (byte)SetupSects;
            LittleEndian.WriteUInt32(image, BzImageHeader.SysSizeOffset, SysSizeParagraphs);
            LittleEndian.WriteUInt16(image, BzImageHeader.BootFlagOffset, BootFlag);
            image[0x200] = 0xEB; // jmp short over the header, as in a real image
            image[BzImageHeader.JumpOffset] = JumpOffset;
            LittleEndian.WriteUInt32(image, BzImageHeader.MagicOffset, Magic);
            LittleEndian.WriteUInt16(image, BzImageHeader.VersionOffset, Version);
            image[BzImageHeader.LoadFlagsOffset] = 0x01;
            LittleEndian.WriteUInt32(image, BzImageHeader.InitrdAddrMaxOffset, InitrdAddrMax);
            LittleEndian.WriteUInt32(image, BzImageHeader.KernelAlignmentOffset, KernelAlignment);
            image[BzImageHeader.RelocatableOffset] = 1;
            LittleEndian.WriteUInt16(image, BzImageHeader.XLoadFlagsOffset, XLoadFlags);
            LittleEndian.WriteUInt32(image, BzImageHeader.CmdlineSizeOffset, CmdlineSize);
            LittleEndian.WriteUInt64(image, BzImageHeader.PrefAddressOffset, PrefAddress);
            LittleEndian.WriteUInt32(image, BzImageHeader.InitSizeOffset, InitSize);
            for (int i = 0; i < KernelBytes; i++) image[KernelOffset + i] = KernelByte(i);
            return image;
        }
    }
}
