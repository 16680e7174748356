using System;
using System.Linq;
using Hv.Core.Devices.Pc;
using Hv.Core.Memory;
using Hv.Core.Vm;
using Hv.Core.Vmx;

namespace Hv.Core.Tests
{
    /// <summary>
    /// Export format 8: a VM's network adapter travels in a fixed-size part of the header (present, MAC, the name of the
    /// switch it was connected to, its device state); images of formats before 8 are read as VMs without one.
    /// </summary>
    public class VmImageNetworkTests
    {
        private const ulong Mac = 0x02_12_34_56_78_9A;
        private readonly CowPages _pages = new CowPages();
        private readonly PageSharing _sharing;

        public VmImageNetworkTests()
        {
            _sharing = new PageSharing(_pages, CowPages.Base, CowPages.Limit);
        }

        // A PC's captured state; with an adapter, its device state is a recognisable pattern.
        private static VcpuState State(bool adapter)
        {
            var s = new VcpuState();
            s.Registers.Rip = 0x8123; s.Registers.Rflags = 0x246;
            s.FpuState[512] = 7;
            s.HasDevices = true;
            s.HasNetwork = adapter;
            for (int i = 0; i < s.NetworkState.Length; i++) s.NetworkState[i] = adapter ? (byte)(i * 7 + 1) : (byte)0;
            return s;
        }

        private byte[] Export(VcpuState state, ulong mac, string switchName)
        {
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(_pages, _sharing, 64 * 1024, out AddressSpace memory));
            Assert.True(memory.Write(0x3000, new byte[] { 9 }));
            var writer = new VmImageWriter("web1", "linux", 100, 0, state, memory, null, mac, switchName);
            Assert.True(writer.Advance(int.MaxValue));
            var bytes = new byte[writer.TotalBytes];
            Assert.Equal(bytes.Length, writer.Read(0, bytes, 0, bytes.Length));
            writer.Free();
            return bytes;
        }

        private VmImageReader Import(byte[] image, out VmImageStatus status)
        {
            var reader = new VmImageReader(_pages, _sharing, (ulong)image.Length);
            status = reader.Write(0, image, 0, image.Length);
            if (status == VmImageStatus.Ok) status = reader.Finish();
            return reader;
        }

        private static void Rehash(byte[] image)
        {
            int digestAt = image.Length - VmImage.DigestBytes;
            System.Security.Cryptography.SHA256.HashData(image.AsSpan(0, digestAt)).CopyTo(image, digestAt);
        }

        // Where the adapter's part starts in an image of "web1" from "linux" (it ends the header).
        private static int AdapterAt => VmImage.HeaderBytes(4, 5, VmImage.Version) - VmImage.NetworkAdapterBytes(VmImage.Version);

        [Fact]
        public void An_adapter_travels_with_its_mac_switch_name_and_device_state()
        {
            VcpuState state = State(adapter: true);
            VmImageReader reader = Import(Export(state, Mac, "lab-1"), out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.True(reader.State.HasNetwork);
            Assert.Equal(Mac, reader.AdapterMac);
            Assert.Equal("lab-1", reader.SwitchName);
            Assert.Equal(state.NetworkState, reader.State.NetworkState);
            reader.Free();
        }

        [Fact]
        public void A_vm_without_an_adapter_or_not_connected_has_the_same_header_size()
        {
            byte[] without = Export(State(adapter: false), 0, null);
            byte[] unplugged = Export(State(adapter: true), Mac, null);
            Assert.Equal(without.Length, unplugged.Length);
            VmImageReader reader = Import(without, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.False(reader.State.HasNetwork);
            Assert.Equal(0UL, reader.AdapterMac);
            Assert.Null(reader.SwitchName);
            reader.Free();
            reader = Import(unplugged, out status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.Equal((true, Mac), (reader.State.HasNetwork, reader.AdapterMac));
            Assert.Null(reader.SwitchName);
            reader.Free();
        }

        [Fact]
        public void A_version_7_image_is_read_as_a_vm_without_an_adapter()
        {
            byte[] v8 = Export(State(adapter: true), Mac, "lab");
            int cut = VmImage.NetworkAdapterBytes(VmImage.Version);
            byte[] v7 = v8.Take(AdapterAt).Concat(v8.Skip(AdapterAt + cut)).ToArray();
            v7[4] = 7;
            Rehash(v7);
            VmImageReader reader = Import(v7, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Ok, status);
            Assert.False(reader.State.HasNetwork);
            Assert.Equal(0UL, reader.AdapterMac);
            Assert.Null(reader.SwitchName);
            var back = new byte[1];
            Assert.True(reader.Memory.Read(0x3000, back));
            Assert.Equal(9, back[0]);
            reader.Free();
        }

        [Theory]
        [InlineData("group mac")]
        [InlineData("zero mac")]
        [InlineData("present 2")]
        [InlineData("no devices")]
        [InlineData("long switch name")]
        [InlineData("unprintable switch name")]
        [InlineData("absent with a mac")]
        public void A_hostile_adapter_part_is_refused(string damage)
        {
            byte[] image = Export(State(adapter: true), Mac, "lab");
            int at = AdapterAt;
            switch (damage)
            {
                case "group mac": image[at + 1 + 5] |= 1; break;             // first octet (most significant byte) gets the I/G bit
                case "zero mac": Array.Clear(image, at + 1, 8); break;
                case "present 2": image[at] = 2; break;
                case "no devices": image[AdapterAt - 8 - 16 - 1 - PcPlatform.StateSize] = 0; break;
                case "long switch name": image[at + 9] = 65; break;
                case "unprintable switch name": image[at + 10] = 7; break;
                case "absent with a mac": image[at] = 0; break;
            }
            Rehash(image);
            VmImageReader reader = Import(image, out VmImageStatus status);
            Assert.Equal(VmImageStatus.Malformed, status);
            reader.Free();
        }
    }
}
