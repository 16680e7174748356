using Hv.Core.Boot;
using Hv.Core.Guests;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Host
{
    // Guest images shipped as Multiboot2 modules become templates, used where GRUB loaded them (ModuleBytes); each
    // module's command line is its manifest. Modules with mode=data (a Linux template's initrd) are read first, so a
    // template finds them whatever the module order.
    internal static class BootTemplates
    {
        private const ulong MaxModuleBytes = 64UL << 20;

        public static void Register(BootModule[] modules, Hypervisor hypervisor, TextSink log)
        {
            var data = new DataModules(modules.Length);
            for (int i = 0; i < modules.Length; i++)
            {
                string name = TemplateManifest.DataName(modules[i].CommandLine);
                if (name == null) continue;
                ModuleBytes bytes = ModuleBytes.Of(modules[i], MaxModuleBytes);
                if (bytes == null || !data.Add(name, bytes))
                {
                    Ignored(modules[i], bytes == null ? TooLarge : "another data module has that name", log);
                    continue;
                }
                log.Write("template data: ");
                log.Write(name);
                log.Write(" (");
                log.WriteDecimal((ulong)bytes.Length);
                log.WriteLine(" bytes)");
            }
            for (int i = 0; i < modules.Length; i++)
            {
                BootModule m = modules[i];
                if (TemplateManifest.DataName(m.CommandLine) != null) continue;
                ModuleBytes image = ModuleBytes.Of(m, MaxModuleBytes);
                ManifestError error = ManifestError.None;
                Template t = image != null ? TemplateManifest.Parse(m.CommandLine, image, data, out error) : null;
                if (t == null)
                {
                    Ignored(m, image == null ? TooLarge : ManifestErrorText.Describe(error), log);
                    continue;
                }
                HypervisorStatus status = hypervisor.AddTemplate(t);
                if (status != HypervisorStatus.Ok)
                {
                    Ignored(m, Refusal(status, hypervisor), log);
                    continue;
                }
                log.Write("template: ");
                log.Write(t.Name);
                log.Write(" (");
                log.WriteSize(t.MemorySize);
                log.Write(", ");
                log.WriteDecimal((ulong)image.Length);
                log.WriteLine(" bytes)");
                if (t.Prime) Prime(hypervisor, t.Name, log);
            }
        }

        private const string TooLarge = "the module's bounds are bad or it is larger than 64 MiB";

        private static void Ignored(BootModule m, string reason, TextSink log)
        {
            log.Write("template: ignored module with manifest \"");
            log.Write(m.CommandLine);
            log.Write("\": ");
            log.WriteLine(reason);
        }

        private static string Refusal(HypervisorStatus status, Hypervisor hypervisor)
        {
            switch (status)
            {
                case HypervisorStatus.LoadFailed: return GuestLoadStatusText.Describe(hypervisor.Templates.LastLoadStatus);
                case HypervisorStatus.OutOfMemory: return "no memory left for its golden address space";
                case HypervisorStatus.NameInUse: return "another template has that name";
                case HypervisorStatus.InvalidName: return "the name is not a valid VM name";
                case HypervisorStatus.TooManyVms: return "the template table is full";
                case HypervisorStatus.InvalidArgument: return "its memory size is not allowed";
                default: return "the hypervisor refused it";
            }
        }

        // Boots the template's guest once up to its Ready hypercall (at most 2e9 TSC ticks) so clones start there.
        private static void Prime(Hypervisor hypervisor, string name, TextSink log)
        {
            ulong start = Native.hv_rdtsc();
            HypervisorStatus status = hypervisor.Prime(name, 2000000000);
            log.Write("template: ");
            log.Write(name);
            if (status == HypervisorStatus.Ok)
            {
                log.Write(" primed in ");
                log.WriteDecimal(Native.hv_rdtsc() - start);
                log.WriteLine(" ticks");
            }
            else
            {
                log.Write(" not primed: status ");
                log.WriteDecimal((ulong)status);
                log.WriteLine();
            }
        }
    }
}
