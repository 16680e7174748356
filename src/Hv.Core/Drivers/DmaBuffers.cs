using System;
using Hv.Core.Memory;

namespace Hv.Core.Drivers
{
    /// <summary>
    /// A fixed set of equal buffers a device reads or writes by physical address, packed into whole pages from a
    /// <see cref="PageSource"/> (the buffer size divides the page size, so no buffer straddles two pages, which need
    /// not be adjacent). Allocated once when a driver starts; nothing is allocated per frame.
    /// </summary>
    public sealed class DmaBuffers
    {
        private readonly PageSource _pages;
        private readonly ulong[] _pageAddresses;
        private readonly int _bufferBytes;
        private readonly int _perPage;

        private DmaBuffers(PageSource pages, ulong[] pageAddresses, int bufferBytes)
        {
            _pages = pages;
            _pageAddresses = pageAddresses;
            _bufferBytes = bufferBytes;
            _perPage = PageSource.PageSize / bufferBytes;
        }

        public int BufferBytes { get { return _bufferBytes; } }

        /// <summary>count buffers of bufferBytes (a power of two up to a page); null when pages run out (none kept).</summary>
        public static DmaBuffers Allocate(PageSource pages, int count, int bufferBytes)
        {
            int perPage = PageSource.PageSize / bufferBytes;
            var addresses = new ulong[(count + perPage - 1) / perPage];
            for (int i = 0; i < addresses.Length; i++)
            {
                addresses[i] = pages.AllocatePage();
                if (addresses[i] == 0)
                {
                    for (int k = 0; k < i; k++)
                    {
                        pages.FreePage(addresses[k]);
                    }
                    return null;
                }
            }
            return new DmaBuffers(pages, addresses, bufferBytes);
        }

        /// <summary>The physical address the device is given for buffer index.</summary>
        public ulong Address(int index)
        {
            return _pageAddresses[index / _perPage] + (ulong)(index % _perPage * _bufferBytes);
        }

        /// <summary>The CPU's view of buffer index (physical = virtual in the image).</summary>
        public Span<byte> Span(int index)
        {
            return _pages.Page(_pageAddresses[index / _perPage]).Slice(index % _perPage * _bufferBytes, _bufferBytes);
        }
    }
}
