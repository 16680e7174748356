using System;

namespace Hv.Core.Memory
{
    /// <summary>
    /// A VM's guest-physical RAM: guest pages [0, Size) each backed by its own host page and mapped RWX,
    /// write-back into the VM's EPT. The host does its own reads and writes (loaders, hypercalls, device
    /// models) through <see cref="Read"/>/<see cref="Write"/>, which refuse any access that is not wholly
    /// inside the RAM, so a guest-supplied address can never reach a host page that is not the VM's.
    /// </summary>
    public sealed class GuestMemory : GuestMemoryAccess
    {
        private const ulong PageSize = PageSource.PageSize;
        private const int PageShift = 12;
        /// <summary>
        /// 4 GiB. The host-page array (8 bytes per guest page, 8 MiB at this size) comes from the image's
        /// bump heap, which never frees, so an absurd request must be refused before it is allocated.
        /// </summary>
        public const ulong MaxSize = 4UL << 30;

        private readonly PageSource _pages;
        private readonly EptBuilder _ept;
        private readonly ulong[] _hostPages;
        private readonly ulong _size;
        private bool _released;

        private GuestMemory(PageSource pages, EptBuilder ept, ulong size)
        {
            _pages = pages;
            _ept = ept;
            _size = size;
            _hostPages = new ulong[(int)(size >> PageShift)];
        }

        /// <summary>Bytes of guest RAM.</summary>
        public ulong Size { get { return _size; } }

        public int PageCount { get { return _hostPages.Length; } }

        /// <summary>
        /// Allocates <paramref name="size"/> bytes of guest RAM from <paramref name="pages"/> and maps them at
        /// guest-physical 0 in <paramref name="ept"/>. On failure everything taken so far is given back.
        /// </summary>
        public static GuestMemoryStatus Create(PageSource pages, EptBuilder ept, ulong size, out GuestMemory memory)
        {
            memory = null;
            if (size == 0 || (size & (PageSize - 1)) != 0 || size > MaxSize)
            {
                return GuestMemoryStatus.InvalidSize;
            }
            GuestMemory created = new GuestMemory(pages, ept, size);
            for (int i = 0; i < created._hostPages.Length; i++)
            {
                ulong host = pages.AllocatePage();
                if (host == 0)
                {
                    created.Release();
                    return GuestMemoryStatus.OutOfMemory;
                }
                EptStatus mapped = ept.Map((ulong)i << PageShift, host, EptPermissions.ReadWriteExecute, EptMemoryType.WriteBack);
                if (mapped != EptStatus.Ok)
                {
                    pages.FreePage(host);
                    created.Release();
                    return mapped == EptStatus.OutOfMemory ? GuestMemoryStatus.OutOfMemory : GuestMemoryStatus.MappingFailed;
                }
                created._hostPages[i] = host;
            }
            memory = created;
            return GuestMemoryStatus.Ok;
        }

        /// <summary>
        /// Host-physical address of the byte at <paramref name="gpa"/>, or 0 when it is outside the RAM or
        /// the memory was released.
        /// </summary>
        public ulong HostAddress(ulong gpa)
        {
            if (_released || gpa >= _size)
            {
                return 0;
            }
            return _hostPages[gpa >> PageShift] | (gpa & (PageSize - 1));
        }

        public override bool Read(ulong gpa, Span<byte> destination)
        {
            if (!Contains(gpa, (ulong)destination.Length))
            {
                return false;
            }
            int done = 0;
            while (done < destination.Length)
            {
                ulong address = gpa + (ulong)done;
                int offset = (int)(address & (PageSize - 1));
                Span<byte> page = _pages.Page(_hostPages[address >> PageShift]);
                int chunk = Math.Min((int)PageSize - offset, destination.Length - done);
                for (int i = 0; i < chunk; i++)
                {
                    destination[done + i] = page[offset + i];
                }
                done += chunk;
            }
            return true;
        }

        public override bool Write(ulong gpa, ReadOnlySpan<byte> source)
        {
            if (!Contains(gpa, (ulong)source.Length))
            {
                return false;
            }
            int done = 0;
            while (done < source.Length)
            {
                ulong address = gpa + (ulong)done;
                int offset = (int)(address & (PageSize - 1));
                Span<byte> page = _pages.Page(_hostPages[address >> PageShift]);
                int chunk = Math.Min((int)PageSize - offset, source.Length - done);
                for (int i = 0; i < chunk; i++)
                {
                    page[offset + i] = source[done + i];
                }
                done += chunk;
            }
            return true;
        }

        /// <summary>
        /// Unmaps every page from the EPT and returns it to the page source. The EPT unmaps first so it never
        /// points at a freed page; the kernel must still INVEPT before reusing the EPT for a running VM.
        /// </summary>
        public void Release()
        {
            if (_released)
            {
                return;
            }
            _released = true;
            for (int i = 0; i < _hostPages.Length; i++)
            {
                if (_hostPages[i] != 0)
                {
                    _ept.Unmap((ulong)i << PageShift);
                    _pages.FreePage(_hostPages[i]);
                    _hostPages[i] = 0;
                }
            }
        }

        /// <summary>True when [gpa, gpa+length) lies inside the RAM; written to be overflow-proof.</summary>
        private bool Contains(ulong gpa, ulong length)
        {
            return !_released && gpa <= _size && length <= _size - gpa;
        }
    }
}
