using Hv.Core.Vm;

namespace Hv.Management
{
    /// <summary>
    /// VM imports in progress (Import-HvVm, Move-HvVm): each an image being rebuilt as it arrives, until it is committed,
    /// aborted, or abandoned by its client (<see cref="TransferDeadline"/>).
    /// </summary>
    internal sealed class VmImports
    {
        public const int Capacity = 4;

        internal sealed class Import
        {
            public uint Id;
            /// <summary>The name the VM gets; null = the one recorded in the image.</summary>
            public string Name;
            public VmImageReader Reader;
            public ulong LastUsedMs;

            /// <summary>Gives back the import: the reader (with whatever memory it still owns) and the name unless a VM took it.</summary>
            public void Free(bool withName)
            {
                if (withName) Owned.Free(Name);
                Reader.Free();
                Owned.Free(this);
            }
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

        /// <summary>The import with this id (now marked as in use at <paramref name="nowMs"/>), or null.</summary>
        public Import Find(uint id, ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                Import import = _imports[i];
                if (import == null || import.Id != id) continue;
                import.LastUsedMs = nowMs;
                return import;
            }
            return null;
        }

        /// <summary>Keeps an import (it is the collection's to free); check <see cref="IsFull"/> first.</summary>
        public void Add(Import import)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_imports[i] != null) continue;
                _imports[i] = import;
                return;
            }
        }

        /// <summary>Forgets the import without freeing it: its owner is now the caller.</summary>
        public void Take(Import import)
        {
            for (int i = 0; i < Capacity; i++) if (_imports[i] == import) _imports[i] = null;
        }

        /// <summary>Frees the imports abandoned by their clients (untouched past the deadline), with what they built.</summary>
        public void ReclaimIdle(ulong nowMs)
        {
            for (int i = 0; i < Capacity; i++)
            {
                if (_imports[i] == null || !TransferDeadline.Passed(_imports[i].LastUsedMs, nowMs)) continue;
                _imports[i].Free(withName: true);
                _imports[i] = null;
            }
        }
    }
}
