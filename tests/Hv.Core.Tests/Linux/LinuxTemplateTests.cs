using System.Text;
using Hv.Core.Guests;
using Hv.Core.Guests.Acpi;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vm;
using Xunit;

namespace Hv.Core.Tests.Linux
{
    /// <summary>The linux template: its manifest (kernel module + initrd data module) and its golden image built by the loader.</summary>
    public class LinuxTemplateTests
    {
        private const string Manifest = "name=linux mode=linux memory=32M initrd=rd cmdline=\"console=ttyS0 quiet\"";

        private static DataModules Data(byte[] initrd)
        {
            var data = new DataModules(2);
            Assert.True(data.Add("rd", initrd));
            return data;
        }

        [Fact]
        public void A_linux_manifest_takes_its_initrd_from_the_named_data_module()
        {
            byte[] kernel = new SyntheticBzImage().Build();
            byte[] initrd = { 1, 2, 3 };
            Template t = TemplateManifest.Parse(Manifest, kernel, Data(initrd));
            Assert.NotNull(t);
            Assert.Equal(GuestEntryMode.Linux, t.Mode);
            Assert.Same(initrd, ((ArrayBytes)t.Initrd).Array);
            Assert.Equal(32UL << 20, t.MemorySize);
            Assert.Equal("console=ttyS0 quiet", t.CommandLine);
        }

        [Fact]
        public void A_missing_initrd_or_an_initrd_on_another_mode_is_refused()
        {
            byte[] kernel = new SyntheticBzImage().Build();
            Assert.Null(TemplateManifest.Parse(Manifest, kernel, null));
            Assert.Null(TemplateManifest.Parse(Manifest.Replace("initrd=rd", "initrd=other"), kernel, Data(new byte[1])));
            Assert.Null(TemplateManifest.Parse("name=x mode=multiboot initrd=rd", kernel, Data(new byte[1])));
            Assert.NotNull(TemplateManifest.Parse("name=x mode=linux memory=32M", kernel, null)); // an initrd is optional
        }

        [Fact]
        public void Data_modules_are_told_apart_from_templates()
        {
            Assert.Equal("rd", TemplateManifest.DataName("name=rd mode=data"));
            Assert.Null(TemplateManifest.DataName(Manifest));
            Assert.Null(TemplateManifest.DataName("mode=data"));
            var data = new DataModules(1);
            Assert.True(data.Add("rd", new byte[1]));
            Assert.False(data.Add("rd", new byte[1]));
            Assert.False(data.Add("other", new byte[1]));
        }

        [Fact]
        public void Adding_the_template_loads_kernel_initrd_zero_page_and_acpi_into_its_golden_memory()
        {
            var pages = new CowPages();
            var store = new TemplateStore(pages, new PageSharing(pages, CowPages.Base, CowPages.Limit), 4);
            byte[] initrd = Encoding.ASCII.GetBytes("070701 initrd bytes");
            Assert.Equal(HypervisorStatus.Ok, store.Add(TemplateManifest.Parse(Manifest, new SyntheticBzImage().Build(), Data(initrd))));

            var space = NewSpace(pages);
            var entry = new GuestEntryState();
            Assert.Equal(GuestLoadStatus.Ok, store.Find("linux").LoadInto(space, entry));
            Assert.Equal(0x1000200UL, entry.Rip);
            var zeroPage = new byte[BootParams.Size];
            Assert.True(space.Read(entry.Rsi, zeroPage));
            uint at = LittleEndian.ReadUInt32(zeroPage, BootParams.RamdiskImageOffset);
            var loaded = new byte[initrd.Length];
            Assert.True(space.Read(at, loaded));
            Assert.Equal(initrd, loaded);
            Assert.Equal(AcpiTables.RsdpAddress, LittleEndian.ReadUInt64(zeroPage, BootParams.AcpiRsdpAddrOffset));
            var cmdline = new byte[20];
            Assert.True(space.Read(GuestLayout.LinuxCommandLineAddress, cmdline));
            Assert.Equal("console=ttyS0 quiet\0", Encoding.ASCII.GetString(cmdline));
        }

        [Fact]
        public void A_linux_template_whose_kernel_does_not_fit_its_memory_is_refused()
        {
            var pages = new CowPages();
            var store = new TemplateStore(pages, new PageSharing(pages, CowPages.Base, CowPages.Limit), 4);
            Template t = TemplateManifest.Parse("name=small mode=linux memory=16M", new SyntheticBzImage().Build(), null);
            Assert.Equal(HypervisorStatus.LoadFailed, store.Add(t));
            Assert.Null(store.Find("small"));
        }

        [Fact]
        public void A_template_disk_starts_with_its_image_and_zeros_after_it_holding_only_the_images_nonzero_pages()
        {
            var pages = new CowPages();
            var store = new TemplateStore(pages, new PageSharing(pages, CowPages.Base, CowPages.Limit), 4);
            // Three pages of image: data, a zero page (stays a hole), data that ends mid-page.
            byte[] image = new byte[2 * 4096 + 100];
            Encoding.ASCII.GetBytes("ext2 superblock").CopyTo(image, 1024);
            image[2 * 4096 + 99] = 0x5A;
            var data = Data(new byte[1]);
            Assert.True(data.Add("img", image));
            Template t = TemplateManifest.Parse(Manifest + " disk=64K diskimage=img", new SyntheticBzImage().Build(), data);
            Assert.Equal(HypervisorStatus.Ok, store.Add(t));

            TemplateImage loaded = store.Find("linux");
            DiskImage disk = loaded.Disk;
            Assert.Equal(64UL * 1024, disk.SizeBytes);
            Assert.Equal(3UL, disk.PrivatePages); // two data pages and the one table a 16-page disk needs
            var all = new byte[64 * 1024];
            Assert.Equal(DiskStatus.Ok, disk.Read(0, all));
            Assert.Equal(image, all[..image.Length]);
            Assert.All(all[image.Length..], b => Assert.Equal(0, b));
            // Unprimed, every new VM forks the template's disk; a fork's writes stay its own.
            Assert.Same(disk, loaded.DiskFor(clone: true));
            Assert.Equal(DiskStatus.Ok, disk.Fork(out DiskImage mine));
            Assert.Equal(DiskStatus.Ok, mine.Write(1024, Encoding.ASCII.GetBytes("mine")));
            var first = new byte[4];
            Assert.Equal(DiskStatus.Ok, disk.Read(1024, first));
            Assert.Equal("ext2", Encoding.ASCII.GetString(first));
        }

        private static AddressSpace NewSpace(CowPages pages)
        {
            Assert.Equal(AddressSpaceStatus.Ok, AddressSpace.Create(pages, new PageSharing(pages, CowPages.Base, CowPages.Limit), 32UL << 20, out AddressSpace space));
            return space;
        }
    }
}
