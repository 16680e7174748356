namespace Hv.Core.Vm
{
    /// <summary>
    /// Shares one physical CPU (the <see cref="VmRunner"/>'s) among its VMs by their CPU weight and cap.
    ///
    /// Weight (stride scheduling over measured time): each VM has a pass that grows by the TSC ticks it ran divided by its
    /// <see cref="VirtualMachine.CpuWeight"/> (<see cref="Charge"/>); <see cref="Next"/> picks the eligible VM with the
    /// lowest pass, so over time runnable VMs get CPU time in proportion to their weights. Ties go to the VM that waited
    /// longest (the queue is in run order; the picked VM moves to the back), so equal VMs take turns round-robin. A VM
    /// that comes back (resumed, started, out of its cap) starts at the pass of the last pick: it gets no credit for the
    /// time it did not run.
    ///
    /// Cap (a token bucket over host time): a VM with <see cref="VirtualMachine.CpuCapPercent"/> C earns C/100 of every
    /// host tick as budget, up to C/100 of <see cref="CapWindowTicks"/>; it is eligible while it has at least
    /// <see cref="MinCapSliceTicks"/> of budget (or a full bucket, for tiny caps), its slice is cut to its budget, and
    /// the time it ran is taken from the budget. So it never runs more than C% of host time, also when it is the only
    /// runnable VM: then <see cref="Next"/> returns null and <see cref="Throttled"/> says that a VM waits for its budget.
    ///
    /// A VM halted with nothing to wake it is passed over for the rest of a pick (<see cref="PassOver"/>, until
    /// <see cref="EndRound"/>): it is charged nothing, so it would otherwise keep the lowest pass and hold every other VM
    /// off until its own timer fires; like any VM that comes back, it gets no credit for the time it slept.
    ///
    /// Paused, Created and Stopped VMs stay queued but are skipped; <see cref="RemoveFinished"/> drops the stopped ones.
    /// Fixed arrays, no allocation after construction.
    /// </summary>
    public sealed class Scheduler
    {
        /// <summary>The host time over which a cap is measured: 100 ms in Bochs (100 M ticks a second).</summary>
        public const ulong CapWindowTicks = 10000000;
        /// <summary>A capped VM waits until its budget allows a slice this long (or its bucket is full), so a cap does not cut the CPU into tiny slices.</summary>
        public const ulong MinCapSliceTicks = 100000;
        /// <summary>Pass per tick at weight 1 (a pass grows by ticks × PassScale / weight).</summary>
        private const ulong PassScale = 10000;
        // Passes are rebased (all lowered together) once the virtual time passes this, so they never overflow.
        private const ulong RebaseAbove = 1UL << 62;

        private readonly VirtualMachine[] _queue;
        // Parallel to _queue, moved with it.
        private readonly ulong[] _pass;
        private readonly long[] _budget;
        private readonly ulong[] _refilledAt;
        private readonly bool[] _wasEligible;
        private readonly bool[] _passedOver;
        private int _count;
        private ulong _virtualTime;
        private bool _throttled;

        public Scheduler(int capacity)
        {
            _queue = new VirtualMachine[capacity];
            _pass = new ulong[capacity];
            _budget = new long[capacity];
            _refilledAt = new ulong[capacity];
            _wasEligible = new bool[capacity];
            _passedOver = new bool[capacity];
        }

        public int Count { get { return _count; } }
        public int Capacity { get { return _queue.Length; } }

        /// <summary>The last <see cref="Next"/> passed over a Running VM because its cap's budget was spent.</summary>
        public bool Throttled { get { return _throttled; } }

        /// <summary>Queues <paramref name="vm"/> at the back; false when full, null or already queued.</summary>
        public bool Add(VirtualMachine vm)
        {
            if (vm == null || _count == _queue.Length || IndexOf(vm) >= 0)
            {
                return false;
            }
            int i = _count++;
            _queue[i] = vm;
            _pass[i] = _virtualTime;
            _budget[i] = 0;
            _refilledAt[i] = 0;
            _wasEligible[i] = false;
            _passedOver[i] = false;
            return true;
        }

        public bool Remove(VirtualMachine vm)
        {
            int index = IndexOf(vm);
            if (index < 0)
            {
                return false;
            }
            RemoveAt(index);
            return true;
        }

        /// <summary>Drops every Stopped or Removed VM; returns how many.</summary>
        public int RemoveFinished()
        {
            int removed = 0;
            int i = 0;
            while (i < _count)
            {
                VmState state = _queue[i].State;
                if (state == VmState.Stopped || state == VmState.Removed)
                {
                    RemoveAt(i);
                    removed++;
                }
                else
                {
                    i++;
                }
            }
            return removed;
        }

        /// <summary>
        /// The eligible Running VM with the lowest pass (moved to the back of the queue), or null when none can run now.
        /// <paramref name="slice"/> is <paramref name="sliceTicks"/>, cut to a capped VM's budget. <paramref name="now"/>
        /// is the host's TSC.
        /// </summary>
        public VirtualMachine Next(ulong now, ulong sliceTicks, out ulong slice)
        {
            slice = 0;
            _throttled = false;
            int best = -1;
            for (int i = 0; i < _count; i++)
            {
                bool eligible = !_passedOver[i] && _queue[i].State == VmState.Running && HasBudget(i, now);
                if (eligible && !_wasEligible[i] && _pass[i] < _virtualTime) _pass[i] = _virtualTime;
                _wasEligible[i] = eligible;
                if (eligible && (best < 0 || _pass[i] < _pass[best])) best = i;
            }
            if (best < 0)
            {
                return null;
            }
            if (_pass[best] > _virtualTime) _virtualTime = _pass[best];
            if (_virtualTime > RebaseAbove) Rebase();
            MoveToBack(best);
            int last = _count - 1;
            VirtualMachine vm = _queue[last];
            slice = sliceTicks;
            if (vm.CpuCapPercent != 0 && (ulong)_budget[last] < slice) slice = (ulong)_budget[last];
            return vm;
        }

        /// <summary>Leaves <paramref name="vm"/> out of <see cref="Next"/> until <see cref="EndRound"/>: it could not run (halted, nothing to wake it).</summary>
        public void PassOver(VirtualMachine vm)
        {
            int i = IndexOf(vm);
            if (i >= 0) _passedOver[i] = true;
        }

        /// <summary>The pick is over: VMs passed over take part again.</summary>
        public void EndRound()
        {
            for (int i = 0; i < _count; i++) _passedOver[i] = false;
        }

        /// <summary>Accounts <paramref name="ticks"/> of host time that <paramref name="vm"/> just ran (its slice from <see cref="Next"/>).</summary>
        public void Charge(VirtualMachine vm, ulong ticks)
        {
            int i = _count > 0 && _queue[_count - 1] == vm ? _count - 1 : IndexOf(vm);
            if (i < 0)
            {
                return;
            }
            uint weight = vm.CpuWeight == 0 ? VirtualMachine.DefaultCpuWeight : vm.CpuWeight;
            _pass[i] += ticks * PassScale / weight;
            if (vm.CpuCapPercent != 0) _budget[i] -= (long)ticks;
        }

        // Refills a capped VM's budget for the host time since its last refill; true when it may run now. An uncapped
        // VM keeps an empty bucket, so a cap set later starts from nothing.
        private bool HasBudget(int i, ulong now)
        {
            uint cap = _queue[i].CpuCapPercent;
            if (cap == 0)
            {
                _budget[i] = 0;
                _refilledAt[i] = now;
                return true;
            }
            long full = (long)(CapWindowTicks * cap / 100);
            ulong elapsed = now > _refilledAt[i] ? now - _refilledAt[i] : 0;
            ulong earned = elapsed > CapWindowTicks ? CapWindowTicks * cap / 100 : elapsed * cap / 100;
            if (_budget[i] + (long)earned >= full)
            {
                _budget[i] = full;
                _refilledAt[i] = now;
            }
            else
            {
                _budget[i] += (long)earned;
                // Advance only by the time that earned whole ticks, so the rounding loses nothing.
                _refilledAt[i] += earned * 100 / cap;
            }
            bool ready = _budget[i] >= (long)MinCapSliceTicks || _budget[i] == full;
            if (!ready && _queue[i].State == VmState.Running) _throttled = true;
            return ready;
        }

        private void Rebase()
        {
            ulong lowest = _virtualTime;
            for (int i = 0; i < _count; i++) if (_pass[i] < lowest) lowest = _pass[i];
            for (int i = 0; i < _count; i++) _pass[i] -= lowest;
            _virtualTime -= lowest;
        }

        private int IndexOf(VirtualMachine vm)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_queue[i] == vm)
                {
                    return i;
                }
            }
            return -1;
        }

        private void MoveToBack(int index)
        {
            VirtualMachine vm = _queue[index];
            ulong pass = _pass[index], refilledAt = _refilledAt[index];
            long budget = _budget[index];
            bool wasEligible = _wasEligible[index], passedOver = _passedOver[index];
            RemoveAt(index);
            int last = _count++;
            _queue[last] = vm;
            _pass[last] = pass;
            _budget[last] = budget;
            _refilledAt[last] = refilledAt;
            _wasEligible[last] = wasEligible;
            _passedOver[last] = passedOver;
        }

        private void RemoveAt(int index)
        {
            for (int i = index; i + 1 < _count; i++)
            {
                _queue[i] = _queue[i + 1];
                _pass[i] = _pass[i + 1];
                _budget[i] = _budget[i + 1];
                _refilledAt[i] = _refilledAt[i + 1];
                _wasEligible[i] = _wasEligible[i + 1];
                _passedOver[i] = _passedOver[i + 1];
            }
            _count--;
            _queue[_count] = null;
        }
    }
}
