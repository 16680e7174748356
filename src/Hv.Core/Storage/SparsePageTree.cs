using System;
using Hv.Core.Memory;

namespace Hv.Core.Storage
{
    /// <summary>
    /// A sparse radix tree of 4 KiB host pages with copy-on-write sharing: the storage under a
    /// <see cref="DiskImage"/>. Tables have 512 entries of 8 bytes (the host address of the child, 0 for
    /// absent); <see cref="Levels"/> tables sit above the data pages. Every table and data page is reference
    /// counted in a <see cref="PageSharing"/>; a node with more than one user is shared and is copied before
    /// anything below it changes (<see cref="MakePrivate"/>). A fork shares the root: O(1) whatever the size.
    /// </summary>
    internal sealed class SparsePageTree
    {
        public const ulong NoPage = ulong.MaxValue;
        private const int EntryBits = 9;
        private const int EntriesPerTable = 1 << EntryBits;
        private const int PageSize = PageSource.PageSize;

        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly int _levels;
        private ulong _root;

        private SparsePageTree(PageSharing sharing, int levels, ulong root)
        {
            _pages = sharing.Pages;
            _sharing = sharing;
            _levels = levels;
            _root = root;
        }

        /// <summary>An empty tree with room for <paramref name="pageCount"/> data pages.</summary>
        public SparsePageTree(PageSharing sharing, ulong pageCount)
            : this(sharing, LevelsFor(pageCount), 0)
        {
        }

        public int Levels { get { return _levels; } }

        /// <summary>The bytes of a page this tree handed out.</summary>
        public Span<byte> Page(ulong page)
        {
            return _pages.Page(page);
        }

        /// <summary>A tree with the same contents sharing every page: one count on the root.</summary>
        public SparsePageTree Fork()
        {
            if (_root != 0)
            {
                _sharing.Share(_root);
            }
            return new SparsePageTree(_sharing, _levels, _root);
        }

        /// <summary>Takes <paramref name="other"/>'s contents (sharing them) and releases its own. Both must have the same depth.</summary>
        public void ReplaceWith(SparsePageTree other)
        {
            // Read the root first: other may be this tree, whose root Release clears.
            ulong root = other._root;
            if (root != 0)
            {
                _sharing.Share(root);
            }
            Release();
            _root = root;
        }

        /// <summary>Removes present data page <paramref name="pageIndex"/> from this tree (copying shared tables on its path first).</summary>
        public bool RemovePage(ulong pageIndex)
        {
            ulong table;
            if (!MakePrivate(pageIndex, _levels - 1, false, out table))
            {
                return false;
            }
            int index = IndexAt(pageIndex, _levels - 1);
            ulong page = Entry(table, index);
            SetEntry(table, index, 0);
            _sharing.Release(page);
            return true;
        }

        /// <summary>Pages (tables and data) only this tree holds. O(private pages × 512).</summary>
        public ulong PrivatePages
        {
            get { return _root == 0 ? 0 : CountPrivate(_root, 0); }
        }

        private static int LevelsFor(ulong pageCount)
        {
            int levels = 1;
            while (levels < 7 && (1UL << (EntryBits * levels)) < pageCount)
            {
                levels++;
            }
            return levels;
        }

        /// <summary>Host page of data page <paramref name="pageIndex"/>, or 0 for a hole.</summary>
        public ulong Lookup(ulong pageIndex)
        {
            ulong node = _root;
            for (int level = 0; level < _levels && node != 0; level++)
            {
                node = Entry(node, IndexAt(pageIndex, level));
            }
            return node;
        }

        /// <summary>
        /// Makes every node on the path to <paramref name="pageIndex"/> down to <paramref name="depth"/> (0 = root,
        /// <see cref="Levels"/> = the data page) private to this tree: shared ones are copied, absent ones created
        /// when <paramref name="create"/> (a caller that passes false has checked the path exists). All or nothing:
        /// every page needed is taken before anything changes, so false (out of pages) leaves the tree as it was.
        /// </summary>
        public bool MakePrivate(ulong pageIndex, int depth, bool create, out ulong result)
        {
            result = 0;
            // Count first. Once a node is copied, every node below it has gained a user, so it is copied too.
            int needed = 0;
            bool copying = false;
            ulong node = _root;
            for (int level = 0; level <= depth; level++)
            {
                if (node == 0)
                {
                    if (!create)
                    {
                        return false;
                    }
                    needed += depth - level + 1;
                    break;
                }
                if (copying || _sharing.Count(node) > 1)
                {
                    copying = true;
                    needed++;
                }
                if (level < depth)
                {
                    node = Entry(node, IndexAt(pageIndex, level));
                }
            }
            Span<ulong> fresh = stackalloc ulong[8];
            for (int i = 0; i < needed; i++)
            {
                fresh[i] = _sharing.Allocate();
                if (fresh[i] == 0)
                {
                    for (int j = 0; j < i; j++)
                    {
                        _sharing.Release(fresh[j]);
                    }
                    return false;
                }
            }
            int used = 0;
            ulong parent = 0;
            int parentIndex = 0;
            node = _root;
            for (int level = 0; ; level++)
            {
                ulong replacement = node;
                if (node == 0)
                {
                    replacement = fresh[used++];
                }
                else if (_sharing.Count(node) > 1)
                {
                    replacement = fresh[used++];
                    if (level < _levels)
                    {
                        CopyTable(node, replacement);
                    }
                    else
                    {
                        CopyPage(node, replacement);
                    }
                    _sharing.Release(node);
                }
                if (replacement != node)
                {
                    if (parent == 0)
                    {
                        _root = replacement;
                    }
                    else
                    {
                        SetEntry(parent, parentIndex, replacement);
                    }
                }
                if (level == depth)
                {
                    result = replacement;
                    return true;
                }
                parent = replacement;
                parentIndex = IndexAt(pageIndex, level);
                node = Entry(parent, parentIndex);
            }
        }

        /// <summary>A copy of a shared table: every child gains a user (and so will be copied by the next write below it).</summary>
        private void CopyTable(ulong source, ulong copy)
        {
            Span<byte> from = _pages.Page(source);
            Span<byte> to = _pages.Page(copy);
            for (int i = 0; i < EntriesPerTable; i++)
            {
                ulong child = LittleEndian.ReadUInt64(from, i * 8);
                if (child != 0)
                {
                    _sharing.Share(child);
                    LittleEndian.WriteUInt64(to, i * 8, child);
                }
            }
        }

        private void CopyPage(ulong source, ulong copy)
        {
            Span<byte> from = _pages.Page(source);
            Span<byte> to = _pages.Page(copy);
            for (int i = 0; i < PageSize; i++)
            {
                to[i] = from[i];
            }
        }

        /// <summary>The first present data page at or after <paramref name="fromPage"/>, or <see cref="NoPage"/>. Skips absent subtrees.</summary>
        public ulong NextPresent(ulong fromPage)
        {
            return _root == 0 ? NoPage : NextPresentBelow(_root, 0, 0, fromPage);
        }

        private ulong NextPresentBelow(ulong node, int level, ulong firstPage, ulong fromPage)
        {
            if (level == _levels)
            {
                return firstPage;
            }
            int childShift = EntryBits * (_levels - level - 1);
            ulong first = fromPage > firstPage ? (fromPage - firstPage) >> childShift : 0;
            for (ulong i = first; i < EntriesPerTable; i++)
            {
                ulong child = Entry(node, (int)i);
                if (child == 0)
                {
                    continue;
                }
                ulong childFirst = firstPage + (i << childShift);
                ulong found = NextPresentBelow(child, level + 1, childFirst, fromPage > childFirst ? fromPage : childFirst);
                if (found != NoPage)
                {
                    return found;
                }
            }
            return NoPage;
        }

        /// <summary>Drops this tree's reference to its pages (pages no other tree uses go back to the host); the tree is then empty.</summary>
        public void Release()
        {
            if (_root == 0)
            {
                return;
            }
            ulong root = _root;
            _root = 0;
            ReleaseTree(root, 0);
        }

        /// <summary>Drops one reference to <paramref name="node"/>; when it was the last, its children go first.</summary>
        private void ReleaseTree(ulong node, int level)
        {
            if (level < _levels && _sharing.Count(node) == 1)
            {
                Span<byte> table = _pages.Page(node);
                for (int i = 0; i < EntriesPerTable; i++)
                {
                    ulong child = LittleEndian.ReadUInt64(table, i * 8);
                    if (child != 0)
                    {
                        ReleaseTree(child, level + 1);
                    }
                }
            }
            _sharing.Release(node);
        }

        private ulong CountPrivate(ulong node, int level)
        {
            if (_sharing.Count(node) != 1)
            {
                return 0;
            }
            ulong count = 1;
            if (level < _levels)
            {
                Span<byte> table = _pages.Page(node);
                for (int i = 0; i < EntriesPerTable; i++)
                {
                    ulong child = LittleEndian.ReadUInt64(table, i * 8);
                    if (child != 0)
                    {
                        count += CountPrivate(child, level + 1);
                    }
                }
            }
            return count;
        }

        private int IndexAt(ulong pageIndex, int level)
        {
            return (int)((pageIndex >> (EntryBits * (_levels - 1 - level))) & (EntriesPerTable - 1));
        }

        private ulong Entry(ulong table, int index)
        {
            return LittleEndian.ReadUInt64(_pages.Page(table), index * 8);
        }

        private void SetEntry(ulong table, int index, ulong value)
        {
            LittleEndian.WriteUInt64(_pages.Page(table), index * 8, value);
        }
    }
}
