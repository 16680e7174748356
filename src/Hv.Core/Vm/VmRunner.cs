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
        /// <paramref name="sliceTicks"/> TSC ticks, less for a VM near its cap. Returns the VM that ran, or null when none
        /// can run now.
        /// </summary>
        public VirtualMachine RunNext(ulong sliceTicks)
        {
            ulong slice;
            VirtualMachine vm = _scheduler.Next(_processor.Now(), sliceTicks, out slice);
            if (vm == null) return null;
            ulong before = vm.Counters.GuestTscTicks;
            RunSlice(vm, slice);
            _scheduler.Charge(vm, vm.Counters.GuestTscTicks - before);
            return vm;
        }

        /// <summary>A Running VM waits for its CPU cap's budget (so "nothing ran" does not mean "nothing will").</summary>
        public bool Throttled { get { return _scheduler.Throttled; } }

        /// <summary>Runs <paramref name="vm"/> (which must be Running) until it yields or stops.</summary>
        public void RunSlice(VirtualMachine vm, ulong sliceTicks)
        {
            Vcpu cpu = vm.Cpu;
            AddressSpace memory = vm.Memory;
            ulong start = _processor.Now();
            ulong slice = sliceTicks;
            for (;;)
            {
                // Write-protection by a fork or snapshot, or a copy-on-write, must reach the CPU's EPT caches first.
                if (memory.FlushPending && memory.TakeFlush()) _processor.FlushTranslations(memory.Eptp);
                if (cpu.Run(slice) == Vcpu.EntryFailed)
                {
                    vm.Stop(StopCause.EntryFailed);
                    break;
                }
                slice = 0;
                if (_dispatcher.Dispatch(vm, cpu) != ExitAction.Resume) break;
            }
            vm.Counters.RecordGuestRun(_processor.Now() - start);
            if (vm.State == VmState.Stopped) vm.ReleaseResources();
        }
    }
}
