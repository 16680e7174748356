using Hv.Core.Boot;
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
                ModuleBytes bytes = name != null ? ModuleBytes.Of(modules[i], MaxModuleBytes) : null;
                if (bytes == null || !data.Add(name, bytes))
                {
                    if (name != null) Ignored(modules[i], log);
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
                Template t = image != null ? TemplateManifest.Parse(m.CommandLine, image, data) : null;
                if (t == null || hypervisor.AddTemplate(t) != HypervisorStatus.Ok)
                {
                    Ignored(m, log);
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

        private static void Ignored(BootModule m, TextSink log)
        {
            log.Write("template: ignored module with manifest \"");
            log.Write(m.CommandLine);
            log.WriteLine("\"");
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
