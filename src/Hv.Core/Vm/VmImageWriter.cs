using System;
using Hv.Core.Memory;
using Hv.Core.Vmx;
using Hv.Crypto;

namespace Hv.Core.Vm
{
    /// <summary>
    /// Produces a <see cref="VmImage"/> from a paused VM's captured state and a fork of its memory, which it owns and
    /// releases (so the VM may go on running, or be removed, while the export is read).
    /// </summary>
    public sealed class VmImageWriter
    {
        private readonly AddressSpace _memory;
        private readonly byte[] _head;      // header + bitmap
        private readonly int[] _pageIndex;  // k-th page in the stream → guest page number
        private readonly byte[] _page = new byte[VmImage.PageSize];
        private readonly byte[] _digest = new byte[VmImage.DigestBytes];
        private int _cachedPage = -1;

        public ulong TotalBytes { get; private set; }
        private readonly ulong _bodyBytes;

        public VmImageWriter(string name, string template, VcpuState state, AddressSpace memory)
        {
            _memory = memory;
            byte[] nameBytes = Ascii(name), templateBytes = Ascii(template);
            int bitmapAt = VmImage.HeaderBytes(nameBytes.Length, templateBytes.Length);
            ulong pages = memory.Size / VmImage.PageSize;
            _head = new byte[bitmapAt + VmImage.BitmapBytes(memory.Size)];
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
            w.U8(state.HasDevices ? (byte)1 : (byte)0);
            for (int i = 0; i < state.DeviceState.Length; i++) w.U8(state.HasDevices ? state.DeviceState[i] : (byte)0);

            int present = 0;
            int[] index = new int[(int)pages];
            for (int p = 0; p < (int)pages; p++)
            {
                memory.Read((ulong)p * VmImage.PageSize, _page);
                if (IsZero(_page)) continue;
                _head[bitmapAt + p / 8] |= (byte)(1 << (p % 8));
                index[present++] = p;
            }
            _pageIndex = new int[present];
            for (int i = 0; i < present; i++) _pageIndex[i] = index[i];
            Owned.Free(index);
            _bodyBytes = (ulong)_head.Length + (ulong)present * VmImage.PageSize;
            TotalBytes = _bodyBytes + VmImage.DigestBytes;

            // The digest over the header, the bitmap and the pages, so an import can tell a damaged image.
            var hash = new Sha256();
            hash.Update(_head, 0, _head.Length);
            for (int i = 0; i < present; i++)
            {
                memory.Read((ulong)_pageIndex[i] * VmImage.PageSize, _page);
                hash.Update(_page, 0, _page.Length);
            }
            hash.Finish(_digest, 0);
            hash.Free();
        }

        /// <summary>Copies image bytes [offset, offset+count) into destination; returns how many (0 at the end).</summary>
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
                    _memory.Read((ulong)_pageIndex[k] * VmImage.PageSize, _page);
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

        /// <summary>Gives back the frozen memory, the buffers and the writer (the export ended).</summary>
        public void Free()
        {
            _memory.Free();
            Owned.Free(_head);
            Owned.Free(_pageIndex);
            Owned.Free(_page);
            Owned.Free(_digest);
            Owned.Free(this);
        }

        private static bool IsZero(byte[] page)
        {
            for (int i = 0; i < page.Length; i++) if (page[i] != 0) return false;
            return true;
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
