using Hv.Core.Vm;

namespace Hv.Management
{
    /// <summary>
    /// VM exports in progress (Export-HvVm): each a frozen image of a paused VM, prepared in bounded steps
    /// (<see cref="Advance"/>) until it is ready to read, kept until EndExport frees it or its client abandons it
    /// (<see cref="TransferDeadline"/>).
    /// </summary>
    internal sealed class VmExports
    {
        public const int Capacity = 4;

        private readonly VmImageWriter[] _writers = new VmImageWriter[Capacity];
        private readonly uint[] _ids = new uint[Capacity];
        private readonly ulong[] _lastUsedMs = new ulong[Capacity];

        public bool IsFull
        {
            get
            {
                for (int i = 0; i < Capacity; i++) if (_writers[i] == null) return false;
                return true;
            }
        }

        /// <summary>The export with this id (now marked as in use at <paramref name="nowMs"/>), or null.</summary>
        public VmImageWriter Find(uint id, ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_writers[i] == null || _ids[i] != id) continue;
                _lastUsedMs[i] = nowMs;
                return _writers[i];
            }
            return null;
        }

        /// <summary>Keeps an export under <paramref name="id"/> (it is the collection's to free); check <see cref="IsFull"/> first.</summary>
        public void Add(uint id, VmImageWriter writer, ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_writers[i] != null) continue;
                _writers[i] = writer;
                _ids[i] = id;
                _lastUsedMs[i] = nowMs;
                return;
            }
        }

        /// <summary>Frees the export's image; false for an unknown id.</summary>
        public bool End(uint id)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_writers[i] == null || _ids[i] != id) continue;
                FreeAt(i);
                return true;
            }
            return false;
        }

        /// <summary>
        /// Does up to <paramref name="pages"/> pages of preparation on the oldest export that is not ready yet; true while
        /// some export still needs more.
        /// </summary>
        public bool Advance(int pages)
        {
            int oldest = -1;
            for (int i = 0; i < Capacity; i++)
                if (_writers[i] != null && !_writers[i].IsReady && (oldest < 0 || _ids[i] < _ids[oldest])) oldest = i;
            if (oldest < 0) return false;
            _writers[oldest].Advance(pages);
            for (int i = 0; i < Capacity; i++) if (_writers[i] != null && !_writers[i].IsReady) return true;
            return false;
        }

        /// <summary>Frees the exports abandoned by their clients (untouched past the deadline).</summary>
        public void ReclaimIdle(ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
                if (_writers[i] != null && TransferDeadline.Passed(_lastUsedMs[i], nowMs)) FreeAt(i);
        }

        private void FreeAt(int i)
        {
            _writers[i].Free();
            _writers[i] = null;
            _ids[i] = 0;
        }
    }
}
