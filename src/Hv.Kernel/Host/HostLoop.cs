using Hv.Core.Boot;
using Hv.Core.Memory;
using Hv.Core.Text;
using Hv.Core.Vm;
using Hv.Kernel.Drivers.Net;
using Hv.Kernel.Platform;
using Hv.Management;

namespace Hv.Kernel.Host
{
    // The hypervisor's main loop: serve the management channel, give each runnable VM a time slice, echo consoles,
    // report stops. A byte arriving on COM1 ends a guest's turn early (its IRQ is a VM exit), so management stays
    // responsive while guests spin.
    // hv.run=a,b,... starts VMs from those templates at boot; hv.prime=NAME primes a template in the background;
    // hv.exit=idle powers off once no VM can run;
    // hv.turnoff_tsc=N turns every VM off once the TSC passes N (for runs that include a guest that never ends).
    internal static class HostLoop
    {
        // 2,000,000 TSC ticks: 20 ms in Bochs (100 M instructions per second). While the management channel is busy the
        // slices shrink to 50,000 ticks, so a request is read and answered within milliseconds even when guests never
        // halt. While bytes stream in (within 10 ms of the last), the host paces itself by the UART: its FIFO fills to
        // the 14-byte trigger 14 character times after it was emptied (121,500 ticks at 115200 baud), and the line
        // waits until the host empties it again. So a guest runs until just before the FIFO is due to fill, then in
        // 2,000-tick slices until it has: the host takes each fill within a few thousand ticks and ingest stays near
        // the line rate, while guests keep most of the time. (The IRQ would end a guest's turn at once on hardware;
        // Bochs does not raise that exit for a guest running with IF=0.)
        private const ulong SliceTicks = 2000000, InteractiveSliceTicks = 50000, InteractiveTicks = 200000000;
        private const ulong FifoFillTicks = 112000, StreamingSliceTicks = 2000, StreamingTicks = 1000000;

        public static void Run(Hypervisor hypervisor, HypervisorAdapter adapter, PageAllocator pages, SerialPump link,
                               CommandLine options, TextSink log)
        {
            var echo = new ConsoleEcho(hypervisor.Vms.Capacity);
            if (options.Has("hv.bench")) Benchmarks.Run(hypervisor, pages, log);
            if (options.Has("hv.soak"))
                Soak.Run(hypervisor, adapter, pages, ParseDecimal(options.Get("hv.soak")), (int)ParseDecimal(options.Get("hv.soak_rounds")), log);
            StartBootVms(hypervisor, options.Get("hv.run"), log);
            var priming = new BackgroundPriming();
            priming.Start(hypervisor, options.Get("hv.prime"), log);
            bool exitWhenIdle = options.Get("hv.exit") == "idle";
            ulong turnOffAt = ParseDecimal(options.Get("hv.turnoff_tsc"));
            ulong lastTraffic = 0;
            for (;;)
            {
                if (link != null && link.Poll(log) > 0) lastTraffic = Native.hv_rdtsc();
                adapter.ReclaimAbandoned();
                bool preparing = PrepareExports(adapter, SliceFor(lastTraffic));
                HostNetwork.Poll();
                priming.Poll(hypervisor, log);
                if (turnOffAt != 0 && Native.hv_rdtsc() >= turnOffAt)
                {
                    TurnOffAll(hypervisor, echo, log);
                    turnOffAt = 0;
                }
                VirtualMachine vm = hypervisor.RunNext(SliceFor(lastTraffic));
                if (vm != null)
                {
                    echo.Drain(vm, log);
                    if (vm.State == VmState.Stopped) ReportStop(vm, echo, log);
                    // A guest that reset itself (Linux's reboot) starts over from its template, as on a real machine.
                    if (vm.StopCause == StopCause.GuestReset && hypervisor.Start(vm.Id) == HypervisorStatus.Ok) log.WriteLine("  | restarted after the guest's reset");
                    continue;
                }
                if (preparing) continue;
                // A VM waits for its CPU cap's budget, which only host time refills: poll on rather than sleep.
                if (hypervisor.Throttled) continue;
                if (exitWhenIdle)
                {
                    log.WriteLine("idle: no VM can run");
                    Machine.PowerOff();
                }
                // Nothing to run: sleep until COM1 has a byte (its IRQ is the only one unmasked).
                Native.hv_wait_for_interrupt();
            }
        }

        // Exports being prepared get as long as a guest's slice in each turn of the loop (at least one step of a few
        // pages): half the time while guests run, short turns while the management line streams, so a large export goes
        // on while guests keep their slices and requests are answered. True while an export needs more (the loop must not
        // sleep then).
        private static bool PrepareExports(HypervisorAdapter adapter, ulong ticks)
        {
            ulong until = Native.hv_rdtsc() + ticks;
            bool more;
            while ((more = adapter.AdvanceExports()) && Native.hv_rdtsc() < until) { }
            return more;
        }

        private static ulong SliceFor(ulong lastTraffic)
        {
            if (lastTraffic == 0) return SliceTicks;
            ulong quiet = Native.hv_rdtsc() - lastTraffic;
            if (quiet + StreamingSliceTicks < FifoFillTicks) return FifoFillTicks - quiet;
            return quiet < StreamingTicks ? StreamingSliceTicks : quiet < InteractiveTicks ? InteractiveSliceTicks : SliceTicks;
        }

        private static void TurnOffAll(Hypervisor hypervisor, ConsoleEcho echo, TextSink log)
        {
            for (int i = 0; i < hypervisor.Vms.Count; i++)
            {
                VirtualMachine vm = hypervisor.Vms.At(i);
                if ((vm.State != VmState.Running && vm.State != VmState.Paused)) continue;
                hypervisor.Stop(vm.Id, StopCause.HostTurnOff);
                ReportStop(vm, echo, log);
            }
        }

        private static ulong ParseDecimal(string text)
        {
            ulong value = 0;
            if (text == null) return 0;
            for (int i = 0; i < text.Length && text[i] >= '0' && text[i] <= '9'; i++) value = value * 10 + (ulong)(text[i] - '0');
            return value;
        }

        private static void ReportStop(VirtualMachine vm, ConsoleEcho echo, TextSink log)
        {
            echo.Finish(vm, log);
            log.Write("vm ");
            log.WriteDecimal((ulong)vm.Id);
            log.Write(" (");
            log.Write(vm.Name);
            log.Write(") stopped: ");
            StopCauses.Describe(log, vm.StopCause, vm.StopDetail, vm.StopAccess);
            log.Write(", exit code ");
            log.WriteDecimal(vm.ExitCode);
            log.Write(", exits ");
            log.WriteDecimal(vm.Counters.TotalExits);
            log.WriteLine();
        }

        private static void StartBootVms(Hypervisor hypervisor, string list, TextSink log)
        {
            if (list == null) return;
            int start = 0;
            for (int i = 0; i <= list.Length; i++)
            {
                if (i < list.Length && list[i] != ',') continue;
                if (i > start) StartBootVm(hypervisor, list.Substring(start, i - start), log);
                start = i + 1;
            }
        }

        // Boot VMs are named template-N (N = the VM id).
        private static void StartBootVm(Hypervisor hypervisor, string template, TextSink log)
        {
            var name = new CharBufferSink(Hypervisor.MaxNameLength);
            name.Write(template);
            name.Write("-");
            name.WriteDecimal((ulong)(hypervisor.Vms.Count + 1));
            VirtualMachine vm;
            HypervisorStatus status = hypervisor.Create(template, name.ToString(), 0, out vm);
            if (status == HypervisorStatus.Ok) status = hypervisor.Start(vm.Id);
            log.Write("vm: create ");
            log.Write(template);
            if (status != HypervisorStatus.Ok)
            {
                log.Write(" failed: status ");
                log.WriteDecimal((ulong)status);
                log.WriteLine();
                return;
            }
            log.Write(" -> vm ");
            log.WriteDecimal((ulong)vm.Id);
            log.Write(" ");
            log.WriteLine(vm.Name);
        }
    }
}
