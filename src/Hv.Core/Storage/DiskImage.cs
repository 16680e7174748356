using System;
using Hv.Core.Memory;

namespace Hv.Core.Storage
{
    /// <summary>
    /// A virtual disk held in host memory: a flat image of <see cref="Sectors"/> × 512-byte sectors (the raw
    /// format: byte k of the image is byte k of the disk; no header, no footer; an upload or export is exactly
    /// those bytes, and any 4 KiB page of zeros may be left out as a hole).
    ///
    /// The bytes live in the 4 KiB pages of a <see cref="SparsePageTree"/>. An absent page reads as zeros and
    /// costs nothing, so a new disk costs no memory and only written pages do. Tables and pages are reference
    /// counted in the same <see cref="PageSharing"/> as guest RAM: <see cref="Fork"/> shares the root in O(1)
    /// whatever the size, and a write first copies the shared tables on its path and the page itself. So a
    /// template's disk is shared by all its clones until they write, and a snapshot costs one counter.
    ///
    /// Why not <see cref="AddressSpace"/> itself: its tree is an EPT, dense by construction (every guest page must
    /// be mapped, or the guest faults), at most 4 GiB, and it keeps write-permission bits in the entries for the
    /// CPU. A disk needs holes that read as zeros and sizes beyond 4 GiB, and only host code writes it, so it keeps
    /// the sharing and counting (<see cref="PageSharing"/>) and decides copies by count alone.
    ///
    /// Contents do not survive the host powering off: the host has no storage of its own yet.
    /// </summary>
    public sealed class DiskImage
    {
        public const int SectorSize = 512;
        /// <summary>1 TiB: a bound on the tree depth (4 levels of tables), far above what a host's RAM holds.</summary>
        public const ulong MaxSectors = 1UL << 31;

        private const int PageShift = 12;
        private const ulong PageSize = 1UL << PageShift;

        private readonly PageSharing _sharing;
        private readonly SparsePageTree _tree;
        private readonly ulong _sectors;
        private bool _released;

        private DiskImage(PageSharing sharing, SparsePageTree tree, ulong sectors)
        {
            _sharing = sharing;
            _tree = tree;
            _sectors = sectors;
        }

        public ulong Sectors { get { return _sectors; } }
        public ulong SizeBytes { get { return _sectors * SectorSize; } }
        public bool IsReleased { get { return _released; } }
        public PageSharing Sharing { get { return _sharing; } }

        /// <summary>Pages (tables and data) only this disk holds: what releasing it would give back.</summary>
        public ulong PrivatePages { get { return _tree.PrivatePages; } }

        /// <summary>
        /// An all-zero disk of <paramref name="sectors"/> sectors; it costs no page until written. Refused when its
        /// size exceeds <paramref name="hostMemoryBytes"/>, the host memory a disk may fill: a disk that could never
        /// be written to its end would fail the guest half-way instead.
        /// </summary>
        public static DiskStatus Create(PageSharing sharing, ulong sectors, ulong hostMemoryBytes, out DiskImage disk)
        {
            disk = null;
            if (sharing == null || sharing.Pages == null)
            {
                return DiskStatus.InvalidArgument;
            }
            if (sectors == 0 || sectors > MaxSectors)
            {
                return DiskStatus.InvalidSize;
            }
            if (sectors * SectorSize > hostMemoryBytes)
            {
                return DiskStatus.TooLarge;
            }
            ulong pages = (sectors * SectorSize + PageSize - 1) >> PageShift;
            disk = new DiskImage(sharing, new SparsePageTree(sharing, pages), sectors);
            return DiskStatus.Ok;
        }

        /// <summary>
        /// A disk of <paramref name="sectors"/> sectors that starts as <paramref name="contents"/> (a raw image, at most
        /// the disk's size; zeros after it): only its nonzero pages cost a page. Nothing is left behind on failure.
        /// </summary>
        public static DiskStatus Create(PageSharing sharing, ulong sectors, ulong hostMemoryBytes, ReadOnlySpan<byte> contents,
                                        out DiskImage disk)
        {
            DiskStatus status = Create(sharing, sectors, hostMemoryBytes, out disk);
            if (status != DiskStatus.Ok) return status;
            status = disk.Write(0, contents);
            if (status == DiskStatus.Ok) return status;
            disk.Free();
            disk = null;
            return status;
        }

        /// <summary>Copies disk bytes [offset, offset + destination.Length); holes read as zeros.</summary>
        public DiskStatus Read(ulong offset, Span<byte> destination)
        {
            DiskStatus status = Check(offset, (ulong)destination.Length);
            if (status != DiskStatus.Ok)
            {
                return status;
            }
            int done = 0;
            while (done < destination.Length)
            {
                int inPage;
                int chunk = Piece(offset + (ulong)done, destination.Length - done, out inPage);
                ulong page = _tree.Lookup((offset + (ulong)done) >> PageShift);
                if (page == 0)
                {
                    destination.Slice(done, chunk).Clear();
                }
                else
                {
                    Span<byte> data = _tree.Page(page);
                    for (int i = 0; i < chunk; i++)
                    {
                        destination[done + i] = data[inPage + i];
                    }
                }
                done += chunk;
            }
            return DiskStatus.Ok;
        }

        /// <summary>
        /// Writes <paramref name="source"/> at <paramref name="offset"/>, page by page, copying shared pages first.
        /// Zeros written over a hole leave it a hole (an upload of a sparse image costs only its data).
        /// </summary>
        public DiskStatus Write(ulong offset, ReadOnlySpan<byte> source)
        {
            DiskStatus status = Check(offset, (ulong)source.Length);
            if (status != DiskStatus.Ok)
            {
                return status;
            }
            int done = 0;
            while (done < source.Length)
            {
                ulong at = offset + (ulong)done;
                int inPage;
                int chunk = Piece(at, source.Length - done, out inPage);
                ReadOnlySpan<byte> piece = source.Slice(done, chunk);
                if (!IsZero(piece) || _tree.Lookup(at >> PageShift) != 0)
                {
                    ulong page;
                    if (!_tree.MakePrivate(at >> PageShift, _tree.Levels, true, out page))
                    {
                        return DiskStatus.OutOfMemory;
                    }
                    Span<byte> data = _tree.Page(page);
                    for (int i = 0; i < chunk; i++)
                    {
                        data[inPage + i] = piece[i];
                    }
                }
                done += chunk;
            }
            return DiskStatus.Ok;
        }

        /// <summary>
        /// Makes [offset, offset + length) read as zeros and gives back every whole page in it (TRIM, or write
        /// zeroes with unmap). Costs O(pages present in the range), not O(length).
        /// </summary>
        public DiskStatus Discard(ulong offset, ulong length)
        {
            DiskStatus status = Check(offset, length);
            if (status != DiskStatus.Ok)
            {
                return status;
            }
            ulong end = offset + length;
            ulong firstWhole = (offset + PageSize - 1) >> PageShift;
            ulong endWhole = end >> PageShift;
            ulong headEnd = Math.Min(end, firstWhole << PageShift);
            ulong tailStart = Math.Max(headEnd, endWhole << PageShift);
            if (!ZeroWithinPage(offset, headEnd) || !ZeroWithinPage(tailStart, end))
            {
                return DiskStatus.OutOfMemory;
            }
            ulong page = firstWhole < endWhole ? _tree.NextPresent(firstWhole) : SparsePageTree.NoPage;
            while (page < endWhole)
            {
                if (!_tree.RemovePage(page))
                {
                    return DiskStatus.OutOfMemory;
                }
                page = _tree.NextPresent(page + 1);
            }
            return DiskStatus.Ok;
        }

        /// <summary>
        /// The first byte offset at or after <paramref name="offset"/> whose 4 KiB page holds data, or
        /// <see cref="SizeBytes"/> when none does: an export walks the data and skips the holes.
        /// </summary>
        public ulong NextData(ulong offset)
        {
            if (_released || offset >= SizeBytes)
            {
                return SizeBytes;
            }
            ulong page = _tree.NextPresent(offset >> PageShift);
            if (page == SparsePageTree.NoPage)
            {
                return SizeBytes;
            }
            ulong start = page << PageShift;
            return start > offset ? start : offset;
        }

        /// <summary>A copy-on-write twin in O(1) of the size: both read the same bytes until one writes.</summary>
        public DiskStatus Fork(out DiskImage fork)
        {
            fork = null;
            if (_released)
            {
                return DiskStatus.Released;
            }
            fork = new DiskImage(_sharing, _tree.Fork(), _sectors);
            return DiskStatus.Ok;
        }

        /// <summary>
        /// This disk takes <paramref name="snapshot"/>'s contents (its own are released), keeping the object so the
        /// device holding it sees the restored bytes. O(1), allocates nothing. The snapshot must be of this disk
        /// (same size).
        /// </summary>
        public DiskStatus RestoreFrom(DiskImage snapshot)
        {
            if (snapshot == null || snapshot._sharing != _sharing || snapshot._sectors != _sectors)
            {
                return DiskStatus.InvalidArgument;
            }
            if (snapshot._released)
            {
                return DiskStatus.Released;
            }
            _tree.ReplaceWith(snapshot._tree);
            _released = false;
            return DiskStatus.Ok;
        }

        /// <summary>Drops this disk's data (pages no other disk uses go back to the host). Idempotent.</summary>
        public void Release()
        {
            _tree.Release();
            _released = true;
        }

        /// <summary>Drops the data and gives back the tree and this object (its owner is done with it).</summary>
        public void Free()
        {
            Release();
            Owned.Free(_tree);
            Owned.Free(this);
        }

        private DiskStatus Check(ulong offset, ulong length)
        {
            if (_released)
            {
                return DiskStatus.Released;
            }
            ulong size = SizeBytes;
            return offset <= size && length <= size - offset ? DiskStatus.Ok : DiskStatus.OutOfRange;
        }

        /// <summary>Zeros [from, end), which lies within one page; a hole stays a hole.</summary>
        private bool ZeroWithinPage(ulong from, ulong end)
        {
            if (from >= end || _tree.Lookup(from >> PageShift) == 0)
            {
                return true;
            }
            ulong page;
            if (!_tree.MakePrivate(from >> PageShift, _tree.Levels, false, out page))
            {
                return false;
            }
            _tree.Page(page).Slice((int)(from & (PageSize - 1)), (int)(end - from)).Clear();
            return true;
        }

        /// <summary>How many of <paramref name="remaining"/> bytes from <paramref name="at"/> lie in its page, and where in the page it is.</summary>
        private static int Piece(ulong at, int remaining, out int inPage)
        {
            inPage = (int)(at & (PageSize - 1));
            return Math.Min((int)PageSize - inPage, remaining);
        }

        private static bool IsZero(ReadOnlySpan<byte> data)
        {
            for (int i = 0; i < data.Length; i++)
            {
                if (data[i] != 0)
                {
                    return false;
                }
            }
            return true;
        }
    }
}
