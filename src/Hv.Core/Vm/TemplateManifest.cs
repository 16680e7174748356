using Hv.Core.Guests;
using Hv.Core.Boot;
using Hv.Core.Memory;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Reads a template's manifest from a boot module's command line, e.g.
    /// <c>name=hello mode=real memory=1M cmdline="console=uart" prime=yes</c> (mode: real, long, multiboot or linux; memory
    /// in K, M or G; prime=yes boots it once up to its Ready hypercall and clones from there). A linux template names its
    /// initrd, another boot module with <c>name=NAME mode=data</c>, as <c>initrd=NAME</c>; a multiboot template its modules
    /// (the kernel's mods list, each with its name as its string) as <c>modules=NAME,NAME</c>. <c>ready="TEXT"</c> says what
    /// the guest prints when it can be primed (a shell prompt), for guests without the Ready hypercall. <c>disk=16M</c>
    /// gives each of a linux template's VMs a virtio disk of that size, zero-filled or, with <c>diskimage=NAME</c>, starting
    /// with a data module's raw image (at most the disk's size; zeros after it); <c>nic=1</c> a virtio network adapter
    /// (PCI 00:02.0, not connected), present from the first instruction so the primed template's clones have it too.
    /// </summary>
    public static class TemplateManifest
    {
        /// <summary>The template the manifest describes, or null when it is malformed or names data that is not there.</summary>
        public static Template Parse(string manifest, ImageBytes image, DataModules data = null)
        {
            ManifestError error;
            return Parse(manifest, image, data, out error);
        }

        /// <summary>The template the manifest describes, or null and what is wrong with it.</summary>
        public static Template Parse(string manifest, ImageBytes image, DataModules data, out ManifestError error)
        {
            CommandLine fields = CommandLine.Parse(manifest);
            string name = fields.Get("name");
            error = name == null || name.Length == 0 ? ManifestError.NoName
                : name.Length > Hypervisor.MaxNameLength ? ManifestError.NameTooLong
                : image == null || image.Length == 0 ? ManifestError.EmptyImage
                : ManifestError.None;
            if (error != ManifestError.None) return null;
            GuestEntryMode mode;
            string modeText = fields.Get("mode");
            if (modeText == null || modeText == "real") mode = GuestEntryMode.Real;
            else if (modeText == "long") mode = GuestEntryMode.Long;
            else if (modeText == "multiboot") mode = GuestEntryMode.Multiboot;
            else if (modeText == "linux") mode = GuestEntryMode.Linux;
            else
            {
                error = ManifestError.UnknownMode;
                return null;
            }
            ulong memory = Template.DefaultMemorySize;
            string memoryText = fields.Get("memory");
            if (memoryText != null && !TryParseSize(memoryText, out memory))
            {
                error = ManifestError.BadMemorySize;
                return null;
            }
            ImageBytes initrd = null;
            string initrdName = fields.Get("initrd");
            if (initrdName != null)
            {
                if (mode != GuestEntryMode.Linux)
                {
                    error = ManifestError.InitrdNotLinux;
                    return null;
                }
                initrd = data == null ? null : data.Find(initrdName);
                if (initrd == null)
                {
                    error = ManifestError.DataMissing;
                    return null;
                }
            }
            ulong disk = 0;
            string diskText = fields.Get("disk");
            if (diskText != null)
            {
                error = mode != GuestEntryMode.Linux ? ManifestError.DiskNotLinux
                    : !TryParseSize(diskText, out disk) ? ManifestError.BadDiskSize : ManifestError.None;
                if (error != ManifestError.None) return null;
            }
            ImageBytes diskContents = null;
            string diskImageName = fields.Get("diskimage");
            if (diskImageName != null)
            {
                diskContents = data == null ? null : data.Find(diskImageName);
                error = disk == 0 ? ManifestError.DiskImageWithoutDisk
                    : diskContents == null ? ManifestError.DataMissing
                    : (ulong)diskContents.Length > disk ? ManifestError.DiskImageTooLarge : ManifestError.None;
                if (error != ManifestError.None) return null;
            }
            bool nic = false;
            string nicText = fields.Get("nic");
            if (nicText != null)
            {
                error = mode != GuestEntryMode.Linux ? ManifestError.NicNotLinux
                    : nicText != "0" && nicText != "1" ? ManifestError.BadNic : ManifestError.None;
                if (error != ManifestError.None) return null;
                nic = nicText == "1";
            }
            MultibootModule[] modules = null;
            string moduleNames = fields.Get("modules");
            if (moduleNames != null)
            {
                error = mode != GuestEntryMode.Multiboot ? ManifestError.ModulesNotMultiboot : Modules(moduleNames, data, out modules);
                if (error != ManifestError.None) return null;
            }
            return new Template(name, image, mode, memory, fields.Get("cmdline"), fields.Get("prime") == "yes", initrd: initrd,
                                modules: modules, readyText: fields.Get("ready"), diskSize: disk, diskContents: diskContents,
                                networkAdapter: nic);
        }

        /// <summary>The data modules a comma-separated list names, in its order (their names are their strings).</summary>
        private static ManifestError Modules(string names, DataModules data, out MultibootModule[] modules)
        {
            int count = 1;
            for (int i = 0; i < names.Length; i++) if (names[i] == ',') count++;
            modules = new MultibootModule[count];
            int start = 0;
            for (int m = 0; m < count; m++)
            {
                int end = start;
                while (end < names.Length && names[end] != ',') end++;
                char[] chars = new char[end - start];
                for (int c = 0; c < chars.Length; c++) chars[c] = names[start + c];
                string name = new string(chars, 0, chars.Length);
                ImageBytes bytes = data == null ? null : data.Find(name);
                if (bytes == null)
                {
                    modules = null;
                    return ManifestError.DataMissing;
                }
                modules[m] = new MultibootModule(name, bytes);
                start = end + 1;
            }
            return ManifestError.None;
        }

        /// <summary>The name of a data module's manifest (<c>name=NAME mode=data</c>), or null when it is not one.</summary>
        public static string DataName(string manifest)
        {
            CommandLine fields = CommandLine.Parse(manifest);
            string name = fields.Get("name");
            if (fields.Get("mode") != "data" || name == null || name.Length == 0 || name.Length > Hypervisor.MaxNameLength) return null;
            return name;
        }

        /// <summary>"512K", "16M", "1G" or a byte count; a whole number of 4 KiB pages, at most 1 GiB.</summary>
        public static bool TryParseSize(string text, out ulong bytes)
        {
            bytes = 0;
            if (text.Length == 0) return false;
            int digits = text.Length;
            ulong unit = 1;
            char last = text[text.Length - 1];
            if (last == 'K' || last == 'k') unit = 1UL << 10;
            else if (last == 'M' || last == 'm') unit = 1UL << 20;
            else if (last == 'G' || last == 'g') unit = 1UL << 30;
            if (unit != 1) digits--;
            if (digits == 0 || digits > 10) return false;
            ulong value = 0;
            for (int i = 0; i < digits; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9') return false;
                value = value * 10 + (ulong)(c - '0');
            }
            bytes = value * unit;
            return bytes != 0 && bytes <= Hypervisor.MaxMemorySize && (bytes & 0xFFF) == 0;
        }
    }
}
