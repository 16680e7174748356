using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Core.Vmx.Arch;
using Hv.Kernel.Platform;

namespace Hv.Kernel.Host
{
    // hv.prime=NAME: primes a template in the background (its priming VM takes turns with the others) and logs what the
    // boot to readiness cost: host ticks, exits and the three largest exit reasons (the bench's linux_boot_* figures).
    internal sealed class BackgroundPriming
    {
        private PrimingJob _job;

        public void Start(Hypervisor hypervisor, string template, TextSink log)
        {
            if (template == null) return;
            HypervisorStatus status = hypervisor.BeginPrime(template, out _job);
            if (status == HypervisorStatus.Ok) return;
            log.Write("template: ");
            log.Write(template);
            log.Write(" not primed: status ");
            log.WriteDecimal((ulong)status);
            log.WriteLine();
        }

        public void Poll(Hypervisor hypervisor, TextSink log)
        {
            if (_job == null || !_job.IsDone) return;
            PrimingJob job = _job;
            _job = null;
            ulong ticks = Native.hv_rdtsc() - job.StartTicks;
            VmCounters counters = job.Vm.Counters;
            ulong exits = counters.TotalExits;
            uint first = Largest(counters, uint.MaxValue, uint.MaxValue), second = Largest(counters, first, uint.MaxValue);
            uint third = Largest(counters, first, second);
            string name = job.Image.Template.Name;
            HypervisorStatus status = hypervisor.FinishPrime(job);
            log.Write("template: ");
            log.Write(name);
            if (status != HypervisorStatus.Ok)
            {
                log.Write(" not primed: status ");
                log.WriteDecimal((ulong)status);
                log.WriteLine();
                return;
            }
            log.Write(" primed in ");
            log.WriteDecimal(ticks);
            log.Write(" ticks, ");
            log.WriteDecimal(exits);
            log.Write(" exits (");
            Reason(counters, first, log);
            log.Write(", ");
            Reason(counters, second, log);
            log.Write(", ");
            Reason(counters, third, log);
            log.WriteLine(")");
        }

        // The reason with the most exits other than the two excluded.
        private static uint Largest(VmCounters counters, uint not1, uint not2)
        {
            uint best = 0;
            for (uint r = 0; r < VmCounters.ReasonSlots; r++)
            {
                if (r == not1 || r == not2) continue;
                if (counters.ExitsFor(r) > counters.ExitsFor(best) || best == not1 || best == not2) best = r;
            }
            return best;
        }

        private static void Reason(VmCounters counters, uint reason, TextSink log)
        {
            string name = ExitReasonNames.EventOf(reason);
            log.Write(name ?? ExitReasonNames.InstructionOf(reason) ?? "unnamed");
            log.Write(" = ");
            log.WriteDecimal(counters.ExitsFor(reason));
        }
    }
}
