using Hv.Core.Boot;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Host
{
    // Guest images shipped as Multiboot2 modules become templates; each module's command line is its manifest.
    internal static unsafe class BootTemplates
    {
        public static void Register(BootModule[] modules, Hypervisor hypervisor, TextSink log)
        {
            for (int i = 0; i < modules.Length; i++)
            {
                BootModule m = modules[i];
                ulong length = m.End - m.Start;
                if (m.End < m.Start || length > 64UL << 20) continue;
                byte[] image = new byte[(int)length];
                byte* source = (byte*)m.Start;
                for (int b = 0; b < image.Length; b++) image[b] = source[b];
                Template t = TemplateManifest.Parse(m.CommandLine, image);
                if (t == null || hypervisor.AddTemplate(t) != HypervisorStatus.Ok)
                {
                    log.Write("template: ignored module with manifest \"");
                    log.Write(m.CommandLine);
                    log.WriteLine("\"");
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
