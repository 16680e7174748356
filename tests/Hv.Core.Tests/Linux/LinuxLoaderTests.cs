using System;
using System.Text;
using Hv.Core.Guests;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Hv.Core.Vmx.Arch;
using Xunit;

namespace Hv.Core.Tests.Linux
{
    public class LinuxLoaderTests
    {
        private const ulong MiB = 0x100000;
        private const ulong ZeroPage = GuestLayout.LinuxBootParamsAddress;
        private static readonly byte[] CommandLine = Encoding.ASCII.GetBytes("console=ttyS0 quiet");

        private static byte[] Initrd(int length)
        {
            var b = new byte[length];
            for (int i = 0; i < length; i++) b[i] = (byte)(i * 11 + 1);
            return b;
        }

        private static GuestLoadStatus Load(byte[] kernel, byte[] initrd, LoaderTestMemory memory, GuestEntryState state, byte[] commandLine = null)
        {
            return LinuxLoader.Load(kernel, initrd, memory, memory.Size, commandLine ?? CommandLine, state);
        }

        [Fact]
        public void Places_the_kernel_at_pref_address_and_enters_64_bit_at_plus_0x200_with_rsi_at_the_zero_page()
        {
            var image = new SyntheticBzImage();
            var memory = new LoaderTestMemory(64 * MiB, 0xCC);
            var state = new GuestEntryState();
            Assert.Equal(GuestLoadStatus.Ok, Load(image.Build(), Initrd(5000), memory, state));

            for (int i = 0; i < image.KernelBytes; i += 97) Assert.Equal(SyntheticBzImage.KernelByte(i), memory[0x1000000 + (ulong)i]);
            Assert.Equal(0x1000200UL, state.Rip);
            Assert.Equal(ZeroPage, state.Rsi);
            Assert.True(state.LongMode);
            Assert.Equal(ControlRegisterBits.EferLongModeEnable | ControlRegisterBits.EferLongModeActive, state.Efer);
            Assert.NotEqual(0UL, state.Cr0 & ControlRegisterBits.Cr0Paging);
            Assert.NotEqual(0UL, state.Cr4 & ControlRegisterBits.Cr4PhysicalAddressExtension);
            Assert.Equal(0UL, state.Rflags & (1UL << 9)); // IF = 0
            // __BOOT_CS = 0x10 (64-bit code), __BOOT_DS = 0x18 (flat data) in the GDT the registers came from.
            Assert.Equal(0x10, state.Cs.Selector);
            Assert.Equal(0x18, state.Ds.Selector);
            Assert.Equal(0x18, state.Ss.Selector);
            Assert.Equal(0x00AF9B000000FFFFUL, memory.U64(state.GdtrBase + 0x10));
            Assert.Equal(0x00CF93000000FFFFUL, memory.U64(state.GdtrBase + 0x18));
            Assert.True(state.GdtrLimit >= 0x1F);
        }

        [Fact]
        public void Identity_maps_all_ram_so_the_kernel_zero_page_and_command_line_are_reachable()
        {
            var memory = new LoaderTestMemory(64 * MiB);
            var state = new GuestEntryState();
            Assert.Equal(GuestLoadStatus.Ok, Load(new SyntheticBzImage().Build(), new byte[0], memory, state));
            foreach (ulong va in new[] { ZeroPage, GuestLayout.LinuxCommandLineAddress, 0x1000200UL, 64 * MiB - 1 })
            {
                ulong pml4e = memory.U64(state.Cr3 + ((va >> 39) & 511) * 8);
                ulong pdpte = memory.U64((pml4e & ~0xFFFUL) + ((va >> 30) & 511) * 8);
                ulong pde = memory.U64((pdpte & ~0xFFFUL) + ((va >> 21) & 511) * 8);
                Assert.Equal(1UL, pde & 1);
                Assert.Equal(0x80UL, pde & 0x80);
                Assert.Equal(va, (pde & ~0x1FFFFFUL & 0x000FFFFFFFFFF000UL) | (va & 0x1FFFFF));
            }
        }

        [Fact]
        public void Zero_page_holds_the_header_copy_loader_fields_command_line_initrd_and_e820_map()
        {
            var image = new SyntheticBzImage();
            byte[] kernel = image.Build();
            byte[] initrd = Initrd(5000);
            var memory = new LoaderTestMemory(64 * MiB, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, Load(kernel, initrd, memory, new GuestEntryState()));

            Assert.Equal(0x53726448U, memory.U32(ZeroPage + 0x202));
            Assert.Equal((byte)4, memory[ZeroPage + 0x1F1]);
            Assert.Equal((byte)0xFF, memory[ZeroPage + BootParams.TypeOfLoaderOffset]);
            Assert.Equal(0UL, memory.U64(ZeroPage)); // screen_info and the rest are zeroed, not left as they were
            Assert.Equal((byte)0, memory[ZeroPage + 0x268]); // past the header: not copied from the image

            Assert.Equal((uint)GuestLayout.LinuxCommandLineAddress, memory.U32(ZeroPage + BootParams.CmdLinePtrOffset));
            Assert.Equal(CommandLine, memory.Bytes(GuestLayout.LinuxCommandLineAddress, CommandLine.Length));
            Assert.Equal((byte)0, memory[GuestLayout.LinuxCommandLineAddress + (ulong)CommandLine.Length]);

            uint initrdAt = memory.U32(ZeroPage + BootParams.RamdiskImageOffset);
            Assert.Equal((uint)initrd.Length, memory.U32(ZeroPage + BootParams.RamdiskSizeOffset));
            Assert.Equal(0U, initrdAt & 0xFFF);
            Assert.True(initrdAt + (ulong)initrd.Length <= 64 * MiB);
            Assert.True(initrdAt >= 0x1000000 + image.InitSize);
            Assert.True(64 * MiB - (initrdAt + (ulong)initrd.Length) < 0x1000); // as high as it goes
            Assert.Equal(initrd, memory.Bytes(initrdAt, initrd.Length));

            Assert.Equal((byte)3, memory[ZeroPage + BootParams.E820EntriesOffset]);
            ulong e820 = ZeroPage + BootParams.E820TableOffset;
            AssertE820(memory, e820, 0, 0xA0000, E820Map.TypeRam);
            AssertE820(memory, e820 + 20, 0xE0000, 0x20000, E820Map.TypeReserved);
            AssertE820(memory, e820 + 40, MiB, 63 * MiB, E820Map.TypeRam);
        }

        private static void AssertE820(LoaderTestMemory memory, ulong entry, ulong address, ulong size, uint type)
        {
            Assert.Equal(address, memory.U64(entry));
            Assert.Equal(size, memory.U64(entry + 8));
            Assert.Equal(type, memory.U32(entry + 16));
        }

        [Fact]
        public void Without_an_initrd_the_ramdisk_fields_are_zero()
        {
            var memory = new LoaderTestMemory(64 * MiB, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, Load(new SyntheticBzImage().Build(), new byte[0], memory, new GuestEntryState()));
            Assert.Equal(0U, memory.U32(ZeroPage + BootParams.RamdiskImageOffset));
            Assert.Equal(0U, memory.U32(ZeroPage + BootParams.RamdiskSizeOffset));
        }

        [Fact]
        public void The_initrd_stays_below_initrd_addr_max()
        {
            var image = new SyntheticBzImage { InitrdAddrMax = 0x1FFFFFF }; // 32 MiB - 1
            var memory = new LoaderTestMemory(64 * MiB);
            Assert.Equal(GuestLoadStatus.Ok, Load(image.Build(), Initrd(0x2345), memory, new GuestEntryState()));
            uint at = memory.U32(ZeroPage + BootParams.RamdiskImageOffset);
            Assert.True(at + 0x2345UL - 1 <= 0x1FFFFFF);
            Assert.Equal(0x2000000UL - 0x3000, at);
        }

        [Fact]
        public void The_rsdp_address_goes_only_to_kernels_of_protocol_2_14_or_later()
        {
            var memory = new LoaderTestMemory(64 * MiB, 0xCC);
            Assert.Equal(GuestLoadStatus.Ok, Load(new SyntheticBzImage { Version = 0x020D }.Build(), new byte[0], memory, new GuestEntryState()));
            Assert.Equal(0UL, memory.U64(ZeroPage + BootParams.AcpiRsdpAddrOffset));
        }

        [Theory]
        [InlineData("boot flag", GuestLoadStatus.NotBzImage)]
        [InlineData("magic", GuestLoadStatus.NotBzImage)]
        [InlineData("version 2.11", GuestLoadStatus.BootProtocolTooOld)]
        [InlineData("short header", GuestLoadStatus.BootProtocolTooOld)]
        [InlineData("no 64-bit entry", GuestLoadStatus.No64BitEntry)]
        [InlineData("syssize past the file", GuestLoadStatus.BadSetupHeader)]
        [InlineData("syssize zero", GuestLoadStatus.BadSetupHeader)]
        [InlineData("init_size below the kernel", GuestLoadStatus.BadSetupHeader)]
        [InlineData("alignment not a power of two", GuestLoadStatus.BadSetupHeader)]
        [InlineData("pref_address below 1 MiB", GuestLoadStatus.BadSetupHeader)]
        [InlineData("pref_address misaligned", GuestLoadStatus.BadSetupHeader)]
        [InlineData("no protected-mode kernel", GuestLoadStatus.BadSetupHeader)]
        public void Refuses_a_bad_header_without_writing_anything(string change, GuestLoadStatus expected)
        {
            var image = new SyntheticBzImage();
            switch (change)
            {
                case "boot flag": image.BootFlag = 0x55AA; break;
                case "magic": image.Magic = 0x53726449; break;
                case "version 2.11": image.Version = 0x020B; break;
                case "short header": image.JumpOffset = 0x60; break;
                case "no 64-bit entry": image.XLoadFlags = 0x7E; break;
                case "syssize past the file": image.SysSizeParagraphs = 0x301; break;
                case "syssize zero": image.SysSizeParagraphs = 0; break;
                case "init_size below the kernel": image.InitSize = 0x2FFF; break;
                case "alignment not a power of two": image.KernelAlignment = 0x300000; break;
                case "pref_address below 1 MiB": image.PrefAddress = 0x80000; image.KernelAlignment = 0x1000; break;
                case "pref_address misaligned": image.PrefAddress = 0x1100000; break;
                case "no protected-mode kernel": image.KernelBytes = 0; image.SysSizeParagraphs = 0; break;
            }
            var memory = new LoaderTestMemory(64 * MiB);
            Assert.Equal(expected, Load(image.Build(), Initrd(100), memory, new GuestEntryState()));
            Assert.Equal(0, memory.Writes);
        }

        [Fact]
        public void Refuses_images_too_short_for_a_header()
        {
            var memory = new LoaderTestMemory(64 * MiB);
            Assert.Equal(GuestLoadStatus.ImageEmpty, Load(new byte[0], new byte[0], memory, new GuestEntryState()));
            Assert.Equal(GuestLoadStatus.NotBzImage, Load(new byte[0x263], new byte[0], memory, new GuestEntryState()));
            Assert.Equal(0, memory.Writes);
        }

        [Fact]
        public void Command_line_longer_than_cmdline_size_is_refused()
        {
            var memory = new LoaderTestMemory(64 * MiB);
            var image = new SyntheticBzImage { CmdlineSize = 10 };
            Assert.Equal(GuestLoadStatus.Ok, Load(image.Build(), new byte[0], memory, new GuestEntryState(), new byte[10]));
            memory = new LoaderTestMemory(64 * MiB);
            Assert.Equal(GuestLoadStatus.CommandLineTooLong, Load(image.Build(), new byte[0], memory, new GuestEntryState(), new byte[11]));
            image.CmdlineSize = 0xFFFFFFFF; // the loader's own limit still holds
            Assert.Equal(GuestLoadStatus.CommandLineTooLong, Load(image.Build(), new byte[0], memory, new GuestEntryState(), new byte[4096]));
            Assert.Equal(0, memory.Writes);
        }

        [Fact]
        public void Ram_must_hold_pref_address_plus_init_size_and_then_the_initrd()
        {
            var image = new SyntheticBzImage(); // needs 16 MiB + 4 MiB
            Assert.Equal(GuestLoadStatus.DoesNotFit, Load(image.Build(), new byte[0], new LoaderTestMemory(20 * MiB - 0x1000), new GuestEntryState()));
            Assert.Equal(GuestLoadStatus.Ok, Load(image.Build(), new byte[0], new LoaderTestMemory(20 * MiB), new GuestEntryState()));
            Assert.Equal(GuestLoadStatus.Ok, Load(image.Build(), Initrd(0x1000), new LoaderTestMemory(20 * MiB + 0x1000), new GuestEntryState()));
            var memory = new LoaderTestMemory(20 * MiB + 0x1000);
            Assert.Equal(GuestLoadStatus.InitrdDoesNotFit, Load(image.Build(), Initrd(0x1001), memory, new GuestEntryState()));
            // initrd_addr_max below the kernel's end leaves no room at all.
            image.InitrdAddrMax = 0x1200000;
            Assert.Equal(GuestLoadStatus.InitrdDoesNotFit, Load(image.Build(), Initrd(1), memory, new GuestEntryState()));
            Assert.Equal(0, memory.Writes);
        }

        [Fact]
        public void Ram_above_4_GiB_is_refused()
        {
            var memory = new LoaderTestMemory((4UL << 30) + 0x1000);
            Assert.Equal(GuestLoadStatus.RamTooLarge, Load(new SyntheticBzImage().Build(), new byte[0], memory, new GuestEntryState()));
        }
    }
}
