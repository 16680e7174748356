namespace Hv.Core.Storage
{
    /// <summary>
    /// The host's named disk images (New-HvDisk): raw disks held in host pages, blank or uploaded, that
    /// Add-HvVmHardDiskDrive puts into VMs' drives as copy-on-write forks, so one image is shared by every VM it
    /// was attached to until they write. Few and fixed in number (<see cref="Capacity"/>); the store owns each disk
    /// and its name. Like every disk, they live until the host powers off: the host has no storage of its own yet.
    /// </summary>
    public sealed class HostDisks
    {
        public const int Capacity = 16;

        private readonly string[] _names = new string[Capacity];
        private readonly DiskImage[] _disks = new DiskImage[Capacity];
        private int _count;

        public int Count { get { return _count; } }
        public bool IsFull { get { return _count == Capacity; } }
        public string NameAt(int i) { return _names[i]; }
        public DiskImage At(int i) { return _disks[i]; }

        /// <summary>The disk named <paramref name="name"/>, or null.</summary>
        public DiskImage Find(string name)
        {
            for (int i = 0; i < _count; i++) if (_names[i] == name) return _disks[i];
            return null;
        }

        /// <summary>
        /// Frees the disk named <paramref name="name"/> and its name; false when there is none. The forks made of it
        /// (VMs' drives) hold their own references to its pages and stay.
        /// </summary>
        public bool Remove(string name)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_names[i] != name) continue;
                _disks[i].Free();
                Owned.Free(_names[i]);
                _count--;
                for (int j = i; j < _count; j++) // the rest keep their order (the listing's)
                {
                    _names[j] = _names[j + 1];
                    _disks[j] = _disks[j + 1];
                }
                _names[_count] = null;
                _disks[_count] = null;
                return true;
            }
            return false;
        }

        /// <summary>Keeps <paramref name="disk"/> under <paramref name="name"/> (both the store's from now on); false when full.</summary>
        public bool Add(string name, DiskImage disk)
        {
            if (_count == Capacity) return false;
            _names[_count] = name;
            _disks[_count] = disk;
            _count++;
            return true;
        }
    }
}
