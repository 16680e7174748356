using System;
using System.Linq;
using System.Text;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    /// <summary>Multiboot modules (§3.3 mods list): placed after the kernel, page-aligned, listed with their names.</summary>
    public class MultibootModulesTests
    {
        private const ulong MiB = 1UL << 20;

        private static MultibootModule Module(string name, string text) => new MultibootModule(name, Encoding.ASCII.GetBytes(text));

        [Fact]
        public void Modules_follow_the_kernel_page_aligned_and_the_info_block_lists_them()
        {
            var memory = new LoaderTestMemory(8 * MiB, 0xCC);
            byte[] kernel = GuestLoaderTests.AoutKernel();
            ulong kernelEnd = 0x100000 + (ulong)kernel.Length + 0x2000;   // the a.out kernel's bss end
            var modules = new[] { Module("config", "key=value\n"), Module("initrd", new string('x', 5000)) };
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(kernel, memory, 8 * MiB, new byte[0], new GuestEntryState(), modules));

            byte[] info = memory.Bytes(GuestLayout.MultibootInfoAddress, MultibootInfoBuilder.InfoSize);
            Assert.NotEqual(0u, LittleEndian.ReadUInt32(info, 0) & MultibootInfoBuilder.FlagModules);
            Assert.Equal(2u, LittleEndian.ReadUInt32(info, 20));
            uint table = LittleEndian.ReadUInt32(info, 24);
            ulong expectedStart = (kernelEnd + 0xFFF) & ~0xFFFUL;
            for (int i = 0; i < 2; i++)
            {
                byte[] entry = memory.Bytes(table + (ulong)(16 * i), 16);
                uint start = LittleEndian.ReadUInt32(entry, 0), end = LittleEndian.ReadUInt32(entry, 4);
                Assert.Equal(expectedStart, start);
                Assert.Equal(modules[i].Bytes.Span.ToArray(), memory.Bytes(start, (int)(end - start)));
                byte[] name = memory.Bytes(LittleEndian.ReadUInt32(entry, 8), modules[i].Name.Length + 1);
                Assert.Equal(modules[i].Name + "\0", Encoding.ASCII.GetString(name));
                expectedStart = (end + 0xFFFUL) & ~0xFFFUL;
            }
        }

        [Fact]
        public void Without_modules_the_flag_is_clear()
        {
            var memory = new LoaderTestMemory(8 * MiB);
            Assert.Equal(GuestLoadStatus.Ok, MultibootLoader.Load(GuestLoaderTests.AoutKernel(), memory, 8 * MiB, new byte[0], new GuestEntryState()));
            Assert.Equal(0u, LittleEndian.ReadUInt32(memory.Bytes(GuestLayout.MultibootInfoAddress, 4), 0) & MultibootInfoBuilder.FlagModules);
        }

        [Fact]
        public void Too_many_too_long_or_too_big_modules_are_refused()
        {
            var memory = new LoaderTestMemory(4 * MiB);
            var state = new GuestEntryState();
            byte[] kernel = GuestLoaderTests.AoutKernel();
            var many = Enumerable.Range(0, MultibootModules.MaxModules + 1).Select(i => Module("m" + i, "x")).ToArray();
            Assert.Equal(GuestLoadStatus.TooManyModules, MultibootLoader.Load(kernel, memory, 4 * MiB, new byte[0], state, many));
            Assert.Equal(GuestLoadStatus.TooManyModules,
                MultibootLoader.Load(kernel, memory, 4 * MiB, new byte[0], state, new[] { Module(new string('n', 72), "x") }));
            var big = new MultibootModule("big", new byte[3 * MiB]);
            Assert.Equal(GuestLoadStatus.DoesNotFit, MultibootLoader.Load(kernel, memory, 4 * MiB, new byte[0], state, new[] { big }));
            Assert.Equal(GuestLoadStatus.Ok,
                MultibootLoader.Load(kernel, memory, 4 * MiB, new byte[0], state, new[] { new MultibootModule("fits", new byte[2 * MiB]) }));
        }

        [Fact]
        public void A_multiboot_manifest_names_its_modules_among_the_data_modules()
        {
            var data = new DataModules(2);
            data.Add("cfg", new byte[] { 1 });
            data.Add("rd", new byte[] { 2, 3 });
            Template t = TemplateManifest.Parse("name=k mode=multiboot memory=4M modules=rd,cfg", GuestLoaderTests.AoutKernel(), data, out ManifestError error);
            Assert.Equal(ManifestError.None, error);
            Assert.Equal(new[] { "rd", "cfg" }, t.Modules.Select(m => m.Name).ToArray());
            Assert.Equal(new byte[] { 2, 3 }, t.Modules[0].Bytes.Span.ToArray());
            Assert.Null(TemplateManifest.Parse("name=k mode=multiboot modules=rd,nope", GuestLoaderTests.AoutKernel(), data, out error));
            Assert.Equal(ManifestError.DataMissing, error);
            Assert.Null(TemplateManifest.Parse("name=k mode=long modules=rd", GuestLoaderTests.AoutKernel(), data, out error));
            Assert.Equal(ManifestError.ModulesNotMultiboot, error);
        }

        [Fact]
        public void A_template_with_modules_loads_them_into_its_golden_memory()
        {
            var pages = new CowPages();
            var sharing = pages.NewSharing();
            var store = new TemplateStore(pages, sharing, 2);
            var data = new DataModules(1);
            data.Add("cfg", Encoding.ASCII.GetBytes("hello from a module"));
            Template t = TemplateManifest.Parse("name=k mode=multiboot memory=4M modules=cfg", GuestLoaderTests.AoutKernel(), data);
            Assert.Equal(HypervisorStatus.Ok, store.Add(t));
            AddressSpace.Create(pages, sharing, 4 * MiB, out AddressSpace space);
            Assert.Equal(GuestLoadStatus.Ok, store.Find("k").LoadInto(space, new GuestEntryState()));
            var entry = new byte[16];
            Assert.True(space.Read(GuestLayout.MultibootModulesAddress, entry));
            var text = new byte[19];
            Assert.True(space.Read(LittleEndian.ReadUInt32(entry, 0), text));
            Assert.Equal("hello from a module", Encoding.ASCII.GetString(text));
        }
    }
}
