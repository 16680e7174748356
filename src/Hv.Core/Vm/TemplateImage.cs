using System;
using Hv.Core.Guests;
using Hv.Core.Guests.Linux;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;

namespace Hv.Core.Vm
{
    /// <summary>
    /// A template as the host keeps it: its golden address space (the image loaded, or the primed guest's memory) and
    /// the vCPU state its clones start from (the loader's entry state, or the primed vCPU). A clone forks the golden
    /// space copy-on-write, so it costs the same for any template size.
    /// </summary>
    public sealed class TemplateImage
    {
        private readonly Template _template;
        private readonly GuestEntryState _entry = new GuestEntryState();
        private AddressSpace _golden;
        private VcpuState _primed;
        private DiskImage _primedDisk;
        private DiskImage _disk;

        private TemplateImage(Template template)
        {
            _template = template;
        }

        public Template Template { get { return _template; } }
        public bool IsPrimed { get { return _primed != null; } }
        /// <summary>The primed vCPU (and devices) its clones continue from; null until primed.</summary>
        public VcpuState PrimedState { get { return _primed; } }
        /// <summary>The primed guest's disk, which its clones fork; null when unprimed or without a disk.</summary>
        public DiskImage PrimedDisk { get { return _primedDisk; } }
        /// <summary>The disk as the template gives it (its image, else zeros), which a VM that boots afresh forks; null without one.</summary>
        public DiskImage Disk { get { return _disk; } }
        /// <summary>The disk a new VM forks: the primed one for a clone of a primed template, else the template's own (null: none).</summary>
        public DiskImage DiskFor(bool clone) { return clone && _primedDisk != null ? _primedDisk : _disk; }

        /// <summary>Loads the template's image into a new golden address space.</summary>
        /// <remarks><paramref name="loadStatus"/> says why the loader refused the image (LoadFailed).</remarks>
        public static HypervisorStatus Load(Template template, PageSource pages, PageSharing sharing, out TemplateImage image,
            out GuestLoadStatus loadStatus)
        {
            image = null;
            loadStatus = GuestLoadStatus.Ok;
            AddressSpace golden;
            if (AddressSpace.CreateOnWrite(pages, sharing, template.MemorySize, out golden) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            var loaded = new TemplateImage(template);
            loadStatus = loaded.LoadInto(golden, loaded._entry);
            if (loadStatus != GuestLoadStatus.Ok)
            {
                golden.Free();
                loaded.Free();
                return HypervisorStatus.LoadFailed;
            }
            loaded._golden = golden;
            if (template.DiskSize != 0 && !loaded.CreateDisk(sharing))
            {
                loaded.Free();
                return HypervisorStatus.OutOfMemory;
            }
            image = loaded;
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// Gives <paramref name="vm"/> its memory and vCPU as a clone of this template: a copy-on-write fork of the golden
        /// space, and a vCPU at the start state. Nothing is left behind on failure.
        /// </summary>
        public HypervisorStatus Clone(HostProcessor processor, VirtualMachine vm)
        {
            AddressSpace memory;
            if (_golden.Fork(out memory) != AddressSpaceStatus.Ok) return HypervisorStatus.OutOfMemory;
            Vcpu cpu = _primed != null ? processor.ResumeVcpu(_primed, memory.Eptp, vm.Vpid) : processor.CreateVcpu(_entry, memory.Eptp, vm.Vpid);
            if (cpu == null)
            {
                memory.Free();
                return HypervisorStatus.VcpuFailed;
            }
            vm.Attach(memory, cpu, _template);
            return HypervisorStatus.Ok;
        }

        /// <summary>
        /// The template's image loaded afresh into <paramref name="memory"/> (another size than the template's, or a
        /// Linux VM of <paramref name="processors"/> vCPUs, whose firmware tables list them).
        /// </summary>
        public GuestLoadStatus LoadInto(AddressSpace memory, GuestEntryState entry, int processors = 1)
        {
            ReadOnlySpan<byte> image = _template.Image.Span;
            switch (_template.Mode)
            {
                case GuestEntryMode.Real: return RealModeLoader.Load(image, memory, memory.Size, entry);
                case GuestEntryMode.Long: return LongModeLoader.Load(image, memory, memory.Size, entry);
            }
            // Linux and Multiboot kernels take the command line as ASCII bytes.
            byte[] commandLine = AsciiBytes(_template.CommandLine);
            GuestLoadStatus status = _template.Mode == GuestEntryMode.Linux
                ? LinuxLoader.Load(image, _template.Initrd, memory, memory.Size, commandLine, entry, processors)
                : MultibootLoader.Load(image, memory, memory.Size, commandLine, entry, _template.Modules);
            Owned.Free(commandLine);
            return status;
        }

        // The template's disk, once: its image's pages (zeros stay holes), so each VM's disk is an O(1) fork of it.
        private bool CreateDisk(PageSharing sharing)
        {
            ReadOnlySpan<byte> contents = _template.DiskContents != null ? _template.DiskContents.Span : default;
            return DiskImage.Create(sharing, _template.DiskSize / DiskImage.SectorSize, Hypervisor.MaxMemorySize, contents, out _disk) == DiskStatus.Ok;
        }

        /// <summary>From now on clones start from this primed state, memory and disk (null: none), which this image now owns.</summary>
        public void Prime(AddressSpace golden, VcpuState state, DiskImage disk)
        {
            if (_primedDisk != null) _primedDisk.Free();
            _primedDisk = disk;
            _golden.Free();
            _golden = golden;
            if (_primed != null) _primed.Free();
            _primed = state;
        }

        /// <summary>
        /// Gives the golden pages back, and this record with its start state (the template is removed); VMs made from
        /// it keep their own references to the pages they share. The <see cref="Template"/> is its owner's.
        /// </summary>
        public void Free()
        {
            if (_golden != null) _golden.Free();
            if (_primed != null) _primed.Free();
            if (_primedDisk != null) _primedDisk.Free();
            if (_disk != null) _disk.Free();
            Owned.Free(_entry);
            Owned.Free(this);
        }

        private static byte[] AsciiBytes(string text)
        {
            if (text == null) return new byte[0];
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++) bytes[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            return bytes;
        }
    }
}
