using Hv.Core.Devices.Pc;
using Hv.Core.Memory;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Runs VMs on this physical CPU: the <see cref="Scheduler"/> picks the next runnable VM, its vCPU runs until an exit,
    /// the <see cref="ExitDispatcher"/> handles it, and so on until the VM yields (HLT, its slice ends) or stops. A VM that
    /// stops gives its memory and vCPU back at once; its record stays until it is removed.
    /// </summary>
    public sealed class VmRunner
    {
        private readonly HostProcessor _processor;
        private readonly ExitDispatcher _dispatcher;
        private readonly Scheduler _scheduler;

        public VmRunner(HostProcessor processor, ExitDispatcher dispatcher, int capacity)
        {
            _processor = processor;
            _dispatcher = dispatcher;
            _scheduler = new Scheduler(capacity);
        }

        /// <summary>Takes part in the round-robin from now on (it runs while its state is Running).</summary>
        public void Add(VirtualMachine vm)
        {
            _scheduler.Add(vm);
        }

        public void Remove(VirtualMachine vm)
        {
            _scheduler.Remove(vm);
        }

        /// <summary>
        /// Gives the next runnable VM (by the scheduler's weights and caps) one time slice of about
        /// <paramref name="sliceTicks"/> TSC ticks, less for a VM near its cap. A VM halted with nothing to wake it gives
        /// its turn to the next one, so a guest waiting for another VM (a frame, say) does not hold that VM off. Returns
        /// the VM that ran; a halted one when every VM waits for an interrupt (the caller polls on: their timers run on the
        /// host's time); null when none can run now.
        /// </summary>
        public VirtualMachine RunNext(ulong sliceTicks)
        {
            VirtualMachine waiting = null;
            for (;;)
            {
                ulong slice;
                VirtualMachine vm = _scheduler.Next(_processor.Now(), sliceTicks, out slice);
                if (vm == null) break;
                ulong before = vm.Counters.GuestTscTicks;
                bool ran = RunSlice(vm, slice);
                _scheduler.Charge(vm, vm.Counters.GuestTscTicks - before);
                if (ran)
                {
                    _scheduler.EndRound();
                    return vm;
                }
                _scheduler.PassOver(vm);
                waiting = vm;
            }
            _scheduler.EndRound();
            return waiting;
        }

        /// <summary>A Running VM waits for its CPU cap's budget (so "nothing ran" does not mean "nothing will").</summary>
        public bool Throttled { get { return _scheduler.Throttled; } }

        /// <summary>
        /// Runs <paramref name="vm"/> (which must be Running) until it yields or stops; false when it did not run (halted,
        /// nothing to wake it).
        /// </summary>
        public bool RunSlice(VirtualMachine vm, ulong sliceTicks)
        {
            Vcpu cpu = vm.Cpu;
            AddressSpace memory = vm.Memory;
            PcPlatform platform = vm.Platform;
            if (vm.ShutdownDeadline != 0 && _processor.Now() >= vm.ShutdownDeadline)
            {
                vm.Stop(StopCause.Forced); // the guest did not shut down in the time it was given
                vm.ReleaseResources();
                return true;
            }
            if (platform != null && !Wake(vm, cpu, platform)) return false;
            ulong start = _processor.Now();
            ulong end = start + sliceTicks;
            ulong slice = sliceTicks;
            for (;;)
            {
                // Write-protection by a fork or snapshot, or a copy-on-write, must reach the CPU's EPT caches first.
                if (memory.FlushPending && memory.TakeFlush()) _processor.FlushTranslations(memory.Eptp);
                // A PC's slice also ends at its next device deadline (a timer interrupt), so it is delivered on time.
                if (platform != null) slice = TimeToRun(cpu, platform, end);
                if (cpu.Run(slice) == Vcpu.EntryFailed)
                {
                    vm.Stop(StopCause.EntryFailed);
                    break;
                }
                slice = 0;
                ExitAction action = _dispatcher.Dispatch(vm, cpu);
                if (action == ExitAction.Resume) continue;
                // A device deadline ended the entry, not the slice: go on.
                if (action == ExitAction.Yield && platform != null && !vm.Halted && vm.State == VmState.Running && _processor.Now() < end) continue;
                break;
            }
            vm.Counters.RecordGuestRun(_processor.Now() - start);
            if (vm.State == VmState.Stopped) vm.ReleaseResources();
            return true;
        }

        // A PC VM that halted runs again only once its platform has an interrupt for it (a timer expired, console input
        // arrived); the interrupt is queued for the entry.
        private static bool Wake(VirtualMachine vm, Vcpu cpu, PcPlatform platform)
        {
            if (!cpu.Activate()) return true; // the entry will fail and say so
            platform.Advance(cpu.GuestTsc());
            if (vm.Halted)
            {
                if (platform.PendingVector() < 0) return false;
                vm.Halted = false;
            }
            EventInjection.DeliverPendingInterrupt(vm, cpu);
            return true;
        }

        // Host ticks until the slice ends or the platform's next deadline passes, whichever is first (at least 1).
        private ulong TimeToRun(Vcpu cpu, PcPlatform platform, ulong end)
        {
            ulong now = _processor.Now();
            ulong left = end > now ? end - now : 1;
            ulong deadline = platform.NextDeadline();
            if (deadline == ulong.MaxValue) return left;
            ulong guestNow = cpu.GuestTsc();
            ulong untilDeadline = deadline > guestNow ? deadline - guestNow : 1;
            return untilDeadline < left ? untilDeadline : left;
        }
    }
}
