using Hv.Core.Boot;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Reads a template's manifest from a boot module's command line, e.g.
    /// <c>name=hello mode=real memory=1M cmdline="console=uart" prime=yes</c> (mode: real, long, multiboot or linux; memory
    /// in K, M or G; prime=yes boots it once up to its Ready hypercall and clones from there). A linux template names its
    /// initrd, another boot module with <c>name=NAME mode=data</c>, as <c>initrd=NAME</c>. <c>ready="TEXT"</c> says what the
    /// guest prints when it can be primed (a shell prompt), for guests without the Ready hypercall.
    /// </summary>
    public static class TemplateManifest
    {
        /// <summary>The template the manifest describes, or null when it is malformed or names data that is not there.</summary>
        public static Template Parse(string manifest, byte[] image, DataModules data = null)
        {
            CommandLine fields = CommandLine.Parse(manifest);
            string name = fields.Get("name");
            if (name == null || name.Length == 0 || name.Length > Hypervisor.MaxNameLength || image == null || image.Length == 0) return null;
            GuestEntryMode mode;
            string modeText = fields.Get("mode");
            if (modeText == null || modeText == "real") mode = GuestEntryMode.Real;
            else if (modeText == "long") mode = GuestEntryMode.Long;
            else if (modeText == "multiboot") mode = GuestEntryMode.Multiboot;
            else if (modeText == "linux") mode = GuestEntryMode.Linux;
            else return null;
            ulong memory = Template.DefaultMemorySize;
            string memoryText = fields.Get("memory");
            if (memoryText != null && !TryParseSize(memoryText, out memory)) return null;
            byte[] initrd = null;
            string initrdName = fields.Get("initrd");
            if (initrdName != null)
            {
                if (mode != GuestEntryMode.Linux || data == null) return null;
                initrd = data.Find(initrdName);
                if (initrd == null) return null;
            }
            return new Template(name, image, mode, memory, fields.Get("cmdline"), fields.Get("prime") == "yes", initrd: initrd,
                                readyText: fields.Get("ready"));
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
