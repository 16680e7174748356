using Hv.Core.Guests;
using Hv.Core.Memory;

namespace Hv.Core.Vm
{
    /// <summary>A blueprint VMs are created from: a guest image, how it starts, and its default size.</summary>
    public sealed class Template
    {
        public const ulong DefaultMemorySize = 1UL << 20;

        public readonly string Name;
        public readonly ImageBytes Image;
        public readonly GuestEntryMode Mode;
        public readonly ulong MemorySize;
        public readonly string CommandLine;
        /// <summary>A Linux template's initial RAM disk (manifest initrd=NAME), or null.</summary>
        public readonly ImageBytes Initrd;
        /// <summary>A Multiboot template's modules (manifest modules=NAME,NAME), or null.</summary>
        public readonly MultibootModule[] Modules;
        /// <summary>Boot it once until the guest says it is ready, and clone from there (manifest: prime=yes).</summary>
        public readonly bool Prime;
        /// <summary>
        /// What its guest prints when it is ready to be primed (manifest ready="TEXT", e.g. a shell prompt), for guests that
        /// do not make the Ready hypercall; null when only the hypercall counts.
        /// </summary>
        public readonly string ReadyText;
        /// <summary>
        /// Bytes of the virtio disk each of its VMs gets (manifest disk=16M; mode linux only), copy-on-write: every VM's
        /// disk starts as the template's (<see cref="DiskContents"/>, else zeros) and stays its own across restarts;
        /// clones of a primed template share the primed disk until they write. 0: no disk.
        /// </summary>
        public readonly ulong DiskSize;
        /// <summary>
        /// The disk's first bytes (manifest diskimage=NAME, a data module holding a raw image; the bytes after it are
        /// zeros, so an image can leave out its zero tail), or null for a zero-filled disk.
        /// </summary>
        public readonly ImageBytes DiskContents;
        /// <summary>
        /// Each of its VMs has a virtio network adapter from its first instruction (manifest nic=1; mode linux only), so
        /// a primed template's guest probes it and its clones continue with it, each with its own MAC address.
        /// </summary>
        public readonly bool NetworkAdapter;
        /// <summary>It came over the management channel (New-HvTemplate), not with the image.</summary>
        public readonly bool Uploaded;

        public Template(string name, ImageBytes image, GuestEntryMode mode, ulong memorySize, string commandLine, bool prime = false,
                        bool uploaded = false, ImageBytes initrd = null,
                        MultibootModule[] modules = null, string readyText = null, ulong diskSize = 0, ImageBytes diskContents = null,
                        bool networkAdapter = false)
        {
            NetworkAdapter = networkAdapter;
            DiskSize = diskSize;
            DiskContents = diskContents;
            Modules = modules;
            ReadyText = readyText;
            Initrd = initrd;
            Prime = prime;
            Uploaded = uploaded;
            Name = name;
            Image = image;
            Mode = mode;
            MemorySize = memorySize;
            CommandLine = commandLine;
        }

        /// <summary>Gives back an uploaded template's name, image, command line and record (it was removed).</summary>
        public void Free()
        {
            Owned.Free(Name);
            Image.Free();
            Owned.Free(CommandLine);
            Owned.Free(this);
        }
    }
}
