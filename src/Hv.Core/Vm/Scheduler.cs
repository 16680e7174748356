namespace Hv.Core.Vm
{
    /// <summary>
    /// Round-robin over the VMs of one physical CPU (the <see cref="VmRunner"/>'s). The queue is a fixed array in run order: <see cref="Next"/>
    /// takes the first Running VM and moves it to the back, so each runnable VM gets a turn before any gets a
    /// second (over K picks among N runnable VMs each gets K/N rounded up or down). Paused, Created and
    /// Stopped VMs stay queued but are skipped; <see cref="RemoveFinished"/> drops the stopped ones.
    /// </summary>
    public sealed class Scheduler
    {
        private readonly VirtualMachine[] _queue;
        private int _count;

        public Scheduler(int capacity)
        {
            _queue = new VirtualMachine[capacity];
        }

        public int Count { get { return _count; } }
        public int Capacity { get { return _queue.Length; } }

        /// <summary>Queues <paramref name="vm"/> at the back; false when full, null or already queued.</summary>
        public bool Add(VirtualMachine vm)
        {
            if (vm == null || _count == _queue.Length || IndexOf(vm) >= 0)
            {
                return false;
            }
            _queue[_count++] = vm;
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

        /// <summary>The next Running VM (moved to the back of the queue), or null when none can run.</summary>
        public VirtualMachine Next()
        {
            for (int i = 0; i < _count; i++)
            {
                VirtualMachine vm = _queue[i];
                if (vm.State == VmState.Running)
                {
                    RemoveAt(i);
                    _queue[_count++] = vm;
                    return vm;
                }
            }
            return null;
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

        private void RemoveAt(int index)
        {
            for (int i = index; i + 1 < _count; i++)
            {
                _queue[i] = _queue[i + 1];
            }
            _count--;
            _queue[_count] = null;
        }
    }
}
