namespace Hv.Core.Vm
{
    /// <summary>What is wrong with a template's manifest (<see cref="TemplateManifest.Parse(string, Hv.Core.Memory.ImageBytes, DataModules, out ManifestError)"/>).</summary>
    public enum ManifestError
    {
        None,
        NoName,
        NameTooLong,
        EmptyImage,
        UnknownMode,
        /// <summary>memory= is not a whole number of 4 KiB pages up to the VM limit, with an optional K, M or G.</summary>
        BadMemorySize,
        /// <summary>initrd= on a template that is not mode=linux.</summary>
        InitrdNotLinux,
        /// <summary>modules= on a template that is not mode=multiboot.</summary>
        ModulesNotMultiboot,
        /// <summary>initrd=, modules= or diskimage= names no data module (name=NAME mode=data).</summary>
        DataMissing,
        BadDiskSize,
        DiskNotLinux,
        /// <summary>diskimage= without disk=, which gives the disk its size.</summary>
        DiskImageWithoutDisk,
        /// <summary>diskimage= names a data module larger than the disk.</summary>
        DiskImageTooLarge,
        /// <summary>nic= is not 0 or 1 (one network adapter per VM in this version).</summary>
        BadNic,
        NicNotLinux,
    }
}
