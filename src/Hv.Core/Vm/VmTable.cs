namespace Hv.Core.Vm
{
    /// <summary>
    /// The VMs of one host: a slot per VM, found by id in O(1), and a dense list to walk them.
    ///
    /// A VM id is (generation &lt;&lt; slot bits) | (slot + 1): the low bits name the slot, the high bits how often the
    /// slot has been used before, so an id is never 0 and a removed VM's id does not come back until the generation
    /// wraps. Free slots are taken oldest first (never-used ones before any freed one), so the first
    /// <see cref="Capacity"/> VMs a host makes get ids 1, 2, 3, ... The table owns the VM records: removing a VM frees
    /// its record, devices, buffers and name (the image has no garbage collector).
    /// </summary>
    public sealed class VmTable
    {
        private readonly VirtualMachine[] _bySlot;   // the live VM in each slot; null when free
        private readonly int[] _liveSlots;           // dense: the slots of the live VMs, _liveSlots[0.._count)
        private int _count;
        private int _fresh;                          // slots _fresh.. have never been used
        private readonly uint[] _freedIds;           // a FIFO ring: the id each freed slot gives next
        private int _freedHead, _freedCount;
        private readonly int _slotBits;
        private readonly uint _slotMask;

        /// <param name="capacity">Most VMs at once: 1 .. 65535 (a slot is also a VPID).</param>
        public VmTable(int capacity)
        {
            if (capacity < 1) capacity = 1;
            if (capacity > 0xFFFF) capacity = 0xFFFF;
            _bySlot = new VirtualMachine[capacity];
            _liveSlots = new int[capacity];
            _freedIds = new uint[capacity];
            _slotBits = 1;
            while ((1 << _slotBits) - 1 < capacity) _slotBits++;
            _slotMask = (1u << _slotBits) - 1;
        }

        public int Capacity { get { return _bySlot.Length; } }

        public int Count { get { return _count; } }

        public bool IsFull { get { return _count == _bySlot.Length; } }

        /// <summary>The index-th live VM (0 .. Count-1), null beyond. Removing a VM changes the order.</summary>
        public VirtualMachine At(int index)
        {
            return index >= 0 && index < _count ? _bySlot[_liveSlots[index]] : null;
        }

        /// <summary>The live VM with this id, or null.</summary>
        public VirtualMachine Find(uint id)
        {
            uint slot = (id & _slotMask) - 1;
            if (slot >= (uint)_bySlot.Length) return null;
            VirtualMachine vm = _bySlot[slot];
            return vm != null && vm.Id == id ? vm : null;
        }

        public VirtualMachine FindByName(string name)
        {
            for (int i = 0; i < _count; i++)
            {
                VirtualMachine vm = _bySlot[_liveSlots[i]];
                if (vm.Name == name) return vm;
            }
            return null;
        }

        /// <summary>A new VM in state Created with nothing attached, or null when the table is full; it owns <paramref name="name"/>.</summary>
        public VirtualMachine Add(string name)
        {
            uint id;
            if (_fresh < _bySlot.Length)
            {
                id = (uint)(++_fresh);
            }
            else if (_freedCount > 0)
            {
                id = _freedIds[_freedHead];
                if (++_freedHead == _freedIds.Length) _freedHead = 0;
                _freedCount--;
            }
            else
            {
                return null;
            }
            var vm = new VirtualMachine();
            int slot = (int)(id & _slotMask) - 1;
            vm.Assign(id, slot, name);
            _bySlot[slot] = vm;
            vm.DenseIndex = _count;
            _liveSlots[_count++] = slot;
            return vm;
        }

        /// <summary>
        /// Takes back and frees a VM that <see cref="Add"/> made but that never came to be: its id is given out again
        /// next, and its name is the caller's again.
        /// </summary>
        public void Cancel(VirtualMachine vm)
        {
            if (!Forget(vm)) return;
            if (vm.Slot == _fresh - 1) _fresh--;
            else
            {
                if (--_freedHead < 0) _freedHead = _freedIds.Length - 1;
                _freedIds[_freedHead] = vm.Id;
                _freedCount++;
            }
            vm.Free(withName: false);
        }

        /// <summary>Forgets and frees a removed VM; its slot comes back (under a new id) after every other free slot.</summary>
        public void Remove(VirtualMachine vm)
        {
            if (!Forget(vm)) return;
            uint generation = ((vm.Id >> _slotBits) + 1) & (uint.MaxValue >> _slotBits);
            int tail = _freedHead + _freedCount;
            if (tail >= _freedIds.Length) tail -= _freedIds.Length;
            _freedIds[tail] = (generation << _slotBits) | (vm.Id & _slotMask);
            _freedCount++;
            vm.Free(withName: true);
        }

        private bool Forget(VirtualMachine vm)
        {
            if (vm == null || vm.Slot < 0 || vm.Slot >= _bySlot.Length || _bySlot[vm.Slot] != vm) return false;
            int last = _liveSlots[--_count];
            _liveSlots[vm.DenseIndex] = last;
            if (last != vm.Slot) _bySlot[last].DenseIndex = vm.DenseIndex;
            _bySlot[vm.Slot] = null;
            return true;
        }
    }
}
