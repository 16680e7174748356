using Hv.Core.Vm;

namespace Hv.Management
{
    /// <summary>VM imports in progress (Import-HvVm, Move-HvVm): each an image being rebuilt as it arrives.</summary>
    internal sealed class VmImports
    {
        public const int Capacity = 4;

        internal sealed class Import
        {
            public uint Id;
            /// <summary>The name the VM gets; null = the one recorded in the image.</summary>
            public string Name;
            public VmImageReader Reader;
        }

        private readonly Import[] _imports = new Import[Capacity];

        public bool IsFull
        {
            get
            {
                for (int i = 0; i < Capacity; i++) if (_imports[i] == null) return false;
                return true;
            }
        }

        public Import Find(uint id)
        {
            for (int i = 0; i < Capacity; i++) if (_imports[i] != null && _imports[i].Id == id) return _imports[i];
            return null;
        }

        /// <summary>Keeps an import; check <see cref="IsFull"/> first.</summary>
        public void Add(Import import)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_imports[i] != null) continue;
                _imports[i] = import;
                return;
            }
        }

        /// <summary>Forgets the import (whatever it built is the caller's to abandon or keep).</summary>
        public void Drop(Import import)
        {
            for (int i = 0; i < Capacity; i++) if (_imports[i] == import) _imports[i] = null;
        }
    }
}
