using System;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;
using Hv.Crypto;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Produces a <see cref="VmImage"/> from a paused VM's captured state and a fork of its memory and of its disk (if it
    /// has one), which it owns and releases (so the VM may go on running, or be removed, while the export is prepared
    /// and read). Preparing the image
    /// (finding the pages with content, then hashing them) is work in proportion to the VM's memory, so it is a job done
    /// in bounded steps (<see cref="Advance"/>) until <see cref="IsReady"/>: the host keeps serving requests and running
    /// guests between the steps. The bytes are the same however the steps are cut.
    /// </summary>
    public sealed class VmImageWriter
    {
        private readonly AddressSpace _memory;
        private readonly DiskImage _disk;   // null for a VM without a disk
        private readonly byte[] _head;      // header + bitmap + disk bitmap
        private readonly int _bitmapAt;
        private readonly int _diskBitmapAt;
        private readonly int _pages;        // guest pages in the memory
        private readonly int _diskPages;    // 4 KiB pages of the disk (0 without one)
        // k-th page in the stream → guest page number, or _pages + disk page number (the first _present entries)
        private readonly int[] _pageIndex;
        private int _diskScanned;           // disk pages checked so far (holes are skipped whole)
        private readonly byte[] _page = new byte[VmImage.PageSize];
        private readonly byte[] _digest = new byte[VmImage.DigestBytes];
        private Sha256 _hash;               // while the present pages are hashed; null before and once ready
        private int _present;
        private int _scanned;               // guest pages checked for content so far
        private int _hashed;                // present pages hashed so far
        private int _cachedPage = -1;
        private ulong _bodyBytes;

        /// <summary>The image's size; 0 until <see cref="IsReady"/>.</summary>
        public ulong TotalBytes { get; private set; }

        public bool IsReady { get { return TotalBytes != 0; } }

        /// <summary>Pages of preparation done so far, of <see cref="WorkPages"/>.</summary>
        public ulong DonePages { get { return (ulong)_scanned + (ulong)_diskScanned + (ulong)_hashed; } }

        /// <summary>
        /// Pages of preparation in all: every guest and disk page to scan (a disk's holes pass in one step), then each
        /// one with content to hash (all of them until the scan says).
        /// </summary>
        public ulong WorkPages
        {
            get { return (ulong)_pages + (ulong)_diskPages + (ulong)(Scanning ? _pages + _diskPages : _present); }
        }

        private bool Scanning { get { return _scanned < _pages || _diskScanned < _diskPages; } }

        /// <summary>An image of a VM without a disk.</summary>
        public VmImageWriter(string name, string template, uint cpuWeight, uint cpuCapPercent, VcpuState state, AddressSpace memory)
            : this(name, template, cpuWeight, cpuCapPercent, state, memory, null)
        {
        }

        /// <summary>An image of a VM and its disk (<paramref name="disk"/>: a fork the writer owns from now on, or null), without a network adapter.</summary>
        public VmImageWriter(string name, string template, uint cpuWeight, uint cpuCapPercent, VcpuState state, AddressSpace memory, DiskImage disk)
            : this(name, template, cpuWeight, cpuCapPercent, state, memory, disk, 0, null)
        {
        }

        /// <summary>
        /// An image of a VM, its disk and its network adapter: when <paramref name="state"/> has the adapter's device state
        /// (<see cref="VcpuState.HasNetwork"/>), its MAC <paramref name="adapterMac"/> and the switch it is connected to
        /// (<paramref name="switchName"/>, or null) travel with it.
        /// </summary>
        public VmImageWriter(string name, string template, uint cpuWeight, uint cpuCapPercent, VcpuState state, AddressSpace memory, DiskImage disk,
                             ulong adapterMac, string switchName)
        {
            _memory = memory;
            _disk = disk;
            byte[] nameBytes = Ascii(name), templateBytes = Ascii(template);
            _bitmapAt = VmImage.HeaderBytes(nameBytes.Length, templateBytes.Length, VmImage.Version);
            _pages = (int)(memory.Size / VmImage.PageSize);
            ulong diskSectors = disk == null ? 0 : disk.Sectors;
            _diskPages = (int)VmImage.DiskPages(diskSectors);
            _diskBitmapAt = _bitmapAt + VmImage.BitmapBytes(memory.Size);
            _head = new byte[_diskBitmapAt + (disk == null ? 0 : VmImage.DiskBitmapBytes(diskSectors))];
            var w = new SpanCursor(_head);
            w.U32(VmImage.Magic); w.U16(VmImage.Version); w.U16(0); w.U64(memory.Size);
            w.Text(nameBytes); w.Text(templateBytes);
            Owned.Free(nameBytes);
            Owned.Free(templateBytes);
            w.U16((ushort)VcpuState.Fields.Length);
            for (int i = 0; i < VcpuState.Fields.Length; i++) w.U64(state.Values[i]);
            for (int i = 0; i < VmImage.RegisterCount; i++) w.U64(VmImage.Register(state.Registers, i));
            for (int i = 0; i < VcpuState.FpuStateBytes; i++) w.U8(state.FpuState[i]);
            for (int i = 0; i < VmImage.MsrCount; i++) w.U64(state.Msrs.Get(i));
            for (int i = 0; i < VmImage.SwitchedCount; i++) w.U64(state.Switched.Get(i));
            for (int i = 0; i < VmImage.MtrrCount; i++) w.U64(state.Mtrrs.Get(i));
            w.U16((ushort)cpuWeight); w.U8((byte)cpuCapPercent);
            w.U8(state.HasDevices ? (byte)1 : (byte)0);
            for (int i = 0; i < state.DeviceState.Length; i++) w.U8(state.HasDevices ? state.DeviceState[i] : (byte)0);
            w.U64(state.Tsc);
            w.U64(state.TscAdjust);
            w.U64(diskSectors);
            WriteNetworkAdapter(ref w, state, adapterMac, switchName);
            _pageIndex = new int[_pages + _diskPages];
        }

        /// <summary>
        /// Does up to <paramref name="pages"/> pages of the preparation: first every guest page is checked for content
        /// (zero pages do not travel, the bitmap says which do), then the digest over the header, the bitmap and the pages
        /// is computed, so an import can tell a damaged image. Returns <see cref="IsReady"/>.
        /// </summary>
        public bool Advance(int pages)
        {
            for (; pages > 0 && _scanned < _pages; pages--, _scanned++)
            {
                if (_memory.IsZeroPage((ulong)_scanned * VmImage.PageSize)) continue;
                _head[_bitmapAt + _scanned / 8] |= (byte)(1 << (_scanned % 8));
                _pageIndex[_present++] = _scanned;
            }
            // The disk's written pages; a run of holes is one step (the tree finds the next page without visiting them).
            for (; pages > 0 && _scanned == _pages && _diskScanned < _diskPages; pages--)
            {
                ulong next = _disk.NextData((ulong)_diskScanned * VmImage.PageSize);
                if (next >= _disk.SizeBytes)
                {
                    _diskScanned = _diskPages;
                    break;
                }
                int page = (int)(next / VmImage.PageSize);
                _head[_diskBitmapAt + page / 8] |= (byte)(1 << (page % 8));
                _pageIndex[_present++] = _pages + page;
                _diskScanned = page + 1;
            }
            if (Scanning || IsReady) return IsReady;
            if (_hash == null)
            {
                _hash = new Sha256();
                _hash.Update(_head, 0, _head.Length);
            }
            for (; pages > 0 && _hashed < _present; pages--, _hashed++)
            {
                ReadPage(_pageIndex[_hashed]);
                _hash.Update(_page, 0, _page.Length);
            }
            if (_hashed < _present) return false;
            _hash.Finish(_digest, 0);
            _hash.Free();
            _hash = null;
            _bodyBytes = (ulong)_head.Length + (ulong)_present * VmImage.PageSize;
            TotalBytes = _bodyBytes + VmImage.DigestBytes;
            return true;
        }

        /// <summary>Copies image bytes [offset, offset+count) into destination; returns how many (0 at the end, and until ready).</summary>
        public int Read(ulong offset, byte[] destination, int at, int count)
        {
            int done = 0;
            while (done < count && offset < TotalBytes)
            {
                if (offset < (ulong)_head.Length)
                {
                    destination[at + done++] = _head[(int)offset++];
                    continue;
                }
                if (offset >= _bodyBytes)
                {
                    destination[at + done++] = _digest[(int)(offset++ - _bodyBytes)];
                    continue;
                }
                ulong inPages = offset - (ulong)_head.Length;
                int k = (int)(inPages / VmImage.PageSize);
                if (k != _cachedPage)
                {
                    ReadPage(_pageIndex[k]);
                    _cachedPage = k;
                }
                int within = (int)(inPages % VmImage.PageSize);
                int n = Math.Min(count - done, VmImage.PageSize - within);
                for (int i = 0; i < n; i++) destination[at + done + i] = _page[within + i];
                done += n;
                offset += (ulong)n;
            }
            return done;
        }

        // A page of the stream into _page: guest page <index>, or disk page <index> - _pages (zero past the disk's end).
        private void ReadPage(int index)
        {
            if (index < _pages)
            {
                _memory.Read((ulong)index * VmImage.PageSize, _page);
                return;
            }
            ulong at = (ulong)(index - _pages) * VmImage.PageSize;
            int n = (int)Math.Min((ulong)VmImage.PageSize, _disk.SizeBytes - at);
            new Span<byte>(_page, n, VmImage.PageSize - n).Clear();
            _disk.Read(at, new Span<byte>(_page, 0, n));
        }

        /// <summary>Gives back the frozen memory and disk, the buffers and the writer (the export ended, ready or not).</summary>
        public void Free()
        {
            if (_hash != null) _hash.Free();
            _memory.Free();
            if (_disk != null) _disk.Free();
            Owned.Free(_head);
            Owned.Free(_pageIndex);
            Owned.Free(_page);
            Owned.Free(_digest);
            Owned.Free(this);
        }

        // Version 8's adapter part (VmImage): present, MAC, switch name in a fixed 64-byte field, device state.
        private static void WriteNetworkAdapter(ref SpanCursor w, VcpuState state, ulong mac, string switchName)
        {
            bool present = state.HasNetwork;
            w.U8(present ? (byte)1 : (byte)0);
            w.U64(present ? mac : 0);
            byte[] switchBytes = Ascii(present ? switchName : null);
            w.Text(switchBytes);
            w.Skip(Hv.Core.Text.NameRule.MaxLength - switchBytes.Length);
            Owned.Free(switchBytes);
            for (int i = 0; i < state.NetworkState.Length; i++) w.U8(present ? state.NetworkState[i] : (byte)0);
        }

        private static byte[] Ascii(string text)
        {
            int n = text == null ? 0 : Math.Min(text.Length, 64);
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = text[i] < 128 ? (byte)text[i] : (byte)'?';
            return b;
        }
    }
}
