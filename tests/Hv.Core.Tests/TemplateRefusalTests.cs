using System;
using Hv.Core.Guests;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Hv.Core.Vm;

namespace Hv.Core.Tests
{
    /// <summary>A refused template says why: every manifest error and every loader status has its own words.</summary>
    public class TemplateRefusalTests
    {
        private static readonly byte[] Image = { 0xF4 };

        [Theory]
        [InlineData("mode=real", ManifestError.NoName)]
        [InlineData("name= mode=real", ManifestError.NoName)]
        [InlineData("name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ManifestError.NameTooLong)]
        [InlineData("name=x mode=bios", ManifestError.UnknownMode)]
        [InlineData("name=x memory=12Q", ManifestError.BadMemorySize)]
        [InlineData("name=x memory=100", ManifestError.BadMemorySize)]
        [InlineData("name=x mode=long initrd=rd", ManifestError.InitrdNotLinux)]
        [InlineData("name=x mode=linux initrd=none", ManifestError.DataMissing)]
        [InlineData("name=x mode=linux initrd=rd", ManifestError.None)]
        [InlineData("name=x mode=long disk=16M", ManifestError.DiskNotLinux)]
        [InlineData("name=x mode=linux disk=100", ManifestError.BadDiskSize)]
        [InlineData("name=x mode=linux disk=2G", ManifestError.BadDiskSize)]
        [InlineData("name=x mode=linux disk=16M", ManifestError.None)]
        [InlineData("name=x mode=linux disk=16M diskimage=rd", ManifestError.None)]
        [InlineData("name=x mode=linux diskimage=rd", ManifestError.DiskImageWithoutDisk)]
        [InlineData("name=x mode=linux disk=16M diskimage=none", ManifestError.DataMissing)]
        [InlineData("name=x mode=linux disk=4K diskimage=big", ManifestError.DiskImageTooLarge)]
        [InlineData("name=x mode=linux disk=8K diskimage=big", ManifestError.None)]
        public void Each_manifest_error_is_named(string manifest, ManifestError expected)
        {
            var data = new DataModules(2);
            data.Add("rd", new byte[] { 1 });
            data.Add("big", new byte[8192]);
            Template t = TemplateManifest.Parse(manifest, Image, data, out ManifestError error);
            Assert.Equal(expected, error);
            Assert.Equal(expected == ManifestError.None, t != null);
        }

        [Fact]
        public void Disk_gives_the_size_of_each_vms_disk_and_none_is_zero()
        {
            Assert.Equal(16UL << 20, TemplateManifest.Parse("name=x mode=linux disk=16M", Image).DiskSize);
            Assert.Equal(0UL, TemplateManifest.Parse("name=x mode=linux", Image).DiskSize);
        }

        [Fact]
        public void An_empty_image_is_named()
        {
            Assert.Null(TemplateManifest.Parse("name=x", new byte[0], null, out ManifestError error));
            Assert.Equal(ManifestError.EmptyImage, error);
        }

        [Fact]
        public void Every_manifest_error_and_load_status_has_its_own_words()
        {
            var seen = new System.Collections.Generic.HashSet<string>();
            foreach (ManifestError e in Enum.GetValues<ManifestError>())
                Assert.True(seen.Add(ManifestErrorText.Describe(e)), e.ToString());
            foreach (GuestLoadStatus s in Enum.GetValues<GuestLoadStatus>())
                Assert.True(seen.Add(GuestLoadStatusText.Describe(s)), s.ToString());
        }

        [Fact]
        public void The_store_keeps_the_loaders_reason_for_a_refused_image()
        {
            var pages = new CowPages();
            var store = new TemplateStore(pages, pages.NewSharing(), 4);
            // A multiboot template whose image has no Multiboot header.
            Assert.Equal(HypervisorStatus.LoadFailed, store.Add(new Template("mb", new byte[64], GuestEntryMode.Multiboot, 4UL << 20, null)));
            Assert.Equal(GuestLoadStatus.NoMultibootHeader, store.LastLoadStatus);
            Assert.Equal(HypervisorStatus.LoadFailed, store.Add(new Template("lx", new byte[64], GuestEntryMode.Linux, 32UL << 20, null)));
            Assert.Equal(GuestLoadStatus.NotBzImage, store.LastLoadStatus);
            Assert.Equal(HypervisorStatus.Ok, store.Add(new Template("ok", Image, GuestEntryMode.Real, 1UL << 20, null)));
            Assert.Equal(GuestLoadStatus.Ok, store.LastLoadStatus);
        }
    }
}
