using Hv.Core.Devices.Interrupts;
using Hv.Core.Devices.Pc;
using Hv.Core.Guests;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Core.Vmx.Arch;

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
        /// Runs <paramref name="vm"/> (which must be Running) until it yields or stops. A VM with several vCPUs runs them
        /// in turn within the slice, each until it yields (HLT, PAUSE, a device deadline) or its share of the slice is
        /// used; vCPUs that cannot run (halted with nothing pending, APs waiting for a STARTUP IPI) are skipped, and the
        /// slice ends early once none can run. False when no vCPU ran (all halted with nothing to wake them).
        /// </summary>
        public bool RunSlice(VirtualMachine vm, ulong sliceTicks)
        {
            PcPlatform platform = vm.Platform;
            if (vm.ShutdownDeadline != 0 && _processor.Now() >= vm.ShutdownDeadline)
            {
                vm.Stop(StopCause.Forced); // the guest did not shut down in the time it was given
                vm.ReleaseResources();
                return true;
            }
            ulong start = _processor.Now();
            ulong end = start + sliceTicks;
            VcpuSet cpus = vm.Cpus;
            bool ran = platform == null;
            if (ran)
            {
                RunTurn(vm, vm.Cpu, null, end, false);
            }
            else
            {
                bool siblings = cpus.Count > 1;
                ulong share = sliceTicks / (ulong)cpus.Count;
                for (int idle = 0; idle < cpus.Count && vm.State == VmState.Running;)
                {
                    int index = cpus.NextInTurn();
                    vm.SelectCpu(index);
                    Vcpu cpu = Ready(vm, index, platform);
                    if (cpu == null)
                    {
                        idle++;
                        continue;
                    }
                    idle = 0;
                    ran = true;
                    ulong now = _processor.Now();
                    RunTurn(vm, cpu, platform, siblings && now + share < end ? now + share : end, siblings);
                    if (_processor.Now() >= end) break;
                }
            }
            if (ran) vm.Counters.RecordGuestRun(_processor.Now() - start);
            if (vm.State == VmState.Stopped) vm.ReleaseResources();
            return ran;
        }

        // One vCPU runs until it yields, stops or reaches <turnEnd>. Alone in its VM, a device deadline does not end its
        // turn; with siblings every yield does, so a sibling whose timer fired gets its turn.
        private void RunTurn(VirtualMachine vm, Vcpu cpu, PcPlatform platform, ulong turnEnd, bool siblings)
        {
            AddressSpace memory = vm.Memory;
            ulong now = _processor.Now();
            ulong slice = turnEnd > now ? turnEnd - now : 1;
            for (;;)
            {
                // Write-protection by a fork or snapshot, or a copy-on-write, must reach the CPU's EPT caches first.
                if (memory.FlushPending && memory.TakeFlush()) _processor.FlushTranslations(memory.Eptp);
                // A PC's slice also ends at its next device deadline (a timer interrupt), so it is delivered on time.
                if (platform != null) slice = TimeToRun(cpu, platform, turnEnd);
                if (cpu.Run(slice) == Vcpu.EntryFailed)
                {
                    vm.Stop(StopCause.EntryFailed);
                    return;
                }
                slice = 0;
                ExitAction action = _dispatcher.Dispatch(vm, cpu);
                if (action == ExitAction.Resume) continue;
                // A device deadline ended the entry, not the slice: go on.
                if (action == ExitAction.Yield && platform != null && !siblings && !vm.Halted && vm.State == VmState.Running
                    && _processor.Now() < turnEnd) continue;
                return;
            }
        }

        // The selected vCPU <index> if it can run now, with its pending interrupt queued; null if not. An AP acts on the
        // INIT and STARTUP IPIs its APIC received first: INIT drops its vCPU, STARTUP makes one at the page it names.
        private Vcpu Ready(VirtualMachine vm, int index, PcPlatform platform)
        {
            if (index != 0)
            {
                LocalApic apic = platform.LocalApic;
                if (apic.TakeInit()) vm.Cpus.ReleaseAt(index);
                int vector = apic.TakeStartup();
                if (vector >= 0 && !StartAp(vm, index, vector)) return null;
            }
            Vcpu cpu = vm.Cpus.At(index);
            if (cpu == null || !Wake(vm, cpu, platform)) return null;
            return cpu;
        }

        // A STARTUP IPI: AP <index> gets a vCPU in real mode at the page <vector> names, with the BSP's TSC offset and
        // TSC_ADJUST (all vCPUs of a VM read one TSC: Linux checks that they agree). False (the VM stopped) when no vCPU
        // can be made.
        private bool StartAp(VirtualMachine vm, int index, int vector)
        {
            Vcpu bsp = vm.Cpu;
            if (!bsp.Activate())
            {
                vm.Stop(StopCause.EntryFailed);
                return false;
            }
            ulong offset = bsp.ReadField(VmcsField.TscOffset);
            var entry = new GuestEntryState();
            StartupIpiState.Fill(entry, vector);
            Vcpu ap = _processor.CreateVcpu(entry, vm.Memory.Eptp, vm.VpidOf(index));
            Owned.Free(entry);
            if (ap == null)
            {
                vm.Stop(StopCause.EntryFailed);
                return false;
            }
            ap.WriteField(VmcsField.TscOffset, offset);
            ap.TscAdjust = bsp.TscAdjust;
            vm.Cpus.Put(index, ap);
            return true;
        }

        // A PC vCPU that halted runs again only once its APIC has an interrupt for it (a timer expired, console input
        // arrived, an IPI) that it can take (a parked AP halted with interrupts off never can); the interrupt is queued
        // for the entry.
        private static bool Wake(VirtualMachine vm, Vcpu cpu, PcPlatform platform)
        {
            if (!cpu.Activate()) return true; // the entry will fail and say so
            platform.Advance(cpu.GuestTsc());
            if (vm.Halted)
            {
                if (platform.PendingVector() < 0 || (cpu.Registers.Rflags & ControlRegisterBits.RflagsInterruptEnable) == 0) return false;
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
