using Hv.Core.Vm;

namespace Hv.Management
{
    /// <summary>VM exports in progress (Export-HvVm): each a frozen image of a paused VM, until EndExport releases it.</summary>
    internal sealed class VmExports
    {
        public const int Capacity = 4;

        private readonly VmImageWriter[] _writers = new VmImageWriter[Capacity];
        private readonly uint[] _ids = new uint[Capacity];

        public bool IsFull
        {
            get
            {
                for (int i = 0; i < Capacity; i++) if (_writers[i] == null) return false;
                return true;
            }
        }

        public VmImageWriter Find(uint id)
        {
            for (int i = 0; i < Capacity; i++) if (_writers[i] != null && _ids[i] == id) return _writers[i];
            return null;
        }

        /// <summary>Keeps an export under <paramref name="id"/>; check <see cref="IsFull"/> first.</summary>
        public void Add(uint id, VmImageWriter writer)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_writers[i] != null) continue;
                _writers[i] = writer;
                _ids[i] = id;
                return;
            }
        }

        /// <summary>Releases the export's image; false for an unknown id.</summary>
        public bool End(uint id)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_writers[i] == null || _ids[i] != id) continue;
                _writers[i].Release();
                _writers[i] = null;
                _ids[i] = 0;
                return true;
            }
            return false;
        }
    }
}
