using Hv.Core.Boot;
using Hv.Core.Text;
using Hv.Core.Vm;

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
                if (t == null || !hypervisor.AddTemplate(t))
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
            }
        }
    }
}
