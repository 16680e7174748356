namespace Hv.Core.Vm
{
    /// <summary>A VM's snapshots: at most <see cref="Capacity"/>, each with its own id and a name unique within the VM.</summary>
    public sealed class VmSnapshots
    {
        public const int Capacity = 16;

        private readonly Snapshot[] _snapshots = new Snapshot[Capacity];

        /// <summary>The k-th place (0 .. Capacity-1); null when empty. Places are not in id order.</summary>
        public Snapshot At(int k)
        {
            return k >= 0 && k < Capacity ? _snapshots[k] : null;
        }

        public Snapshot Find(uint id)
        {
            for (int k = 0; k < Capacity; k++) if (_snapshots[k] != null && _snapshots[k].Id == id) return _snapshots[k];
            return null;
        }

        public bool HasName(string name)
        {
            for (int k = 0; k < Capacity; k++) if (_snapshots[k] != null && _snapshots[k].Name == name) return true;
            return false;
        }

        /// <summary>The snapshot with the lowest id at or above <paramref name="fromId"/> (to list them in id order); null when none.</summary>
        public Snapshot LowestFrom(uint fromId)
        {
            Snapshot best = null;
            for (int k = 0; k < Capacity; k++)
            {
                Snapshot s = _snapshots[k];
                if (s != null && s.Id >= fromId && (best == null || s.Id < best.Id)) best = s;
            }
            return best;
        }

        public bool IsFull
        {
            get
            {
                for (int k = 0; k < Capacity; k++) if (_snapshots[k] == null) return false;
                return true;
            }
        }

        /// <summary>Keeps <paramref name="snapshot"/>; false when all places are taken.</summary>
        public bool Add(Snapshot snapshot)
        {
            for (int k = 0; k < Capacity; k++)
            {
                if (_snapshots[k] != null) continue;
                _snapshots[k] = snapshot;
                return true;
            }
            return false;
        }

        /// <summary>Forgets the snapshot and gives back its pages (those only it held) and its record; false for an id not here.</summary>
        public bool Remove(uint id)
        {
            for (int k = 0; k < Capacity; k++)
            {
                if (_snapshots[k] == null || _snapshots[k].Id != id) continue;
                _snapshots[k].Free();
                _snapshots[k] = null;
                return true;
            }
            return false;
        }

        /// <summary>Forgets every snapshot (the VM is being removed).</summary>
        public void RemoveAll()
        {
            for (int k = 0; k < Capacity; k++)
            {
                if (_snapshots[k] == null) continue;
                _snapshots[k].Free();
                _snapshots[k] = null;
            }
        }

        /// <summary>Gives back the table (its VM is being removed, its snapshots already are).</summary>
        public void Free()
        {
            Owned.Free(_snapshots);
            Owned.Free(this);
        }
    }
}
