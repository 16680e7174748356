namespace Hv.Core.Vm
{
    /// <summary>A manifest error in words for the boot log.</summary>
    public static class ManifestErrorText
    {
        public static string Describe(ManifestError error)
        {
            switch (error)
            {
                case ManifestError.None: return "no error";
                case ManifestError.NoName: return "no name=";
                case ManifestError.NameTooLong: return "the name is too long";
                case ManifestError.EmptyImage: return "the module is empty";
                case ManifestError.UnknownMode: return "mode= is not real, long, multiboot, linux or data";
                case ManifestError.BadMemorySize: return "memory= is not a whole number of 4 KiB pages up to 1 GiB (K, M or G)";
                case ManifestError.InitrdNotLinux: return "initrd= is for mode=linux only";
                case ManifestError.BadDiskSize: return "disk= is not a whole number of 4 KiB pages up to 1 GiB (K, M or G)";
                case ManifestError.DiskNotLinux: return "disk= is for mode=linux only";
                case ManifestError.BadNic: return "nic= is 0 or 1 (one network adapter per VM)";
                case ManifestError.NicNotLinux: return "nic= is for mode=linux only";
                case ManifestError.ModulesNotMultiboot: return "modules= is for mode=multiboot only";
                case ManifestError.DataMissing: return "initrd=, modules= or diskimage= names no data module (name=NAME mode=data)";
                case ManifestError.DiskImageWithoutDisk: return "diskimage= needs disk= (the disk's size)";
                case ManifestError.DiskImageTooLarge: return "diskimage= names a data module larger than disk=";
                default: return "malformed";
            }
        }
    }
}
