using System;
using Hv.Core.Memory;
using Hv.Core.Storage;
using Hv.Core.Vmx;
using Hv.Crypto;

namespace Hv.Core.Vm
{
    /// <summary>Outcome of feeding bytes to a <see cref="VmImageReader"/>.</summary>
    public enum VmImageStatus
    {
        Ok,
        /// <summary>The bytes are not a VM image of this version, or a field is out of range.</summary>
        Malformed,
        /// <summary>Bytes must arrive in order: the offset is not where the image continues.</summary>
        WrongOffset,
        OutOfMemory,
        /// <summary>More bytes than the image holds, or Finish before the end.</summary>
        WrongLength,
        /// <summary>Every byte arrived, but the SHA-256 at the end does not match: the image was damaged.</summary>
        ChecksumMismatch,
    }

    /// <summary>
    /// Rebuilds a VM from a <see cref="VmImage"/> arriving in chunks, in order (a resumed upload asks for
    /// <see cref="NextOffset"/>). Everything is validated before use: a hostile image is refused with Malformed and
    /// whatever was built is released.
    /// </summary>
    public sealed class VmImageReader
    {
        private const int MaxHeadBytes = 4096;
        private readonly PageSource _pages;
        private readonly PageSharing _sharing;
        private readonly ulong _declaredTotal;
        private readonly byte[] _head = new byte[MaxHeadBytes];
        private readonly byte[] _page = new byte[VmImage.PageSize];
        private int _headLength = -1; // unknown until the name lengths are in
        private byte[] _bitmap;       // the memory's bitmap, then the disk's (version 7, a VM with a disk)
        private int _nextPage;        // stream page number (guest page, then guest pages + disk page) the next page bytes belong to
        private int _memoryPages;
        private ulong _diskSectors;
        private int _pageFill;
        private ulong _memorySize;
        private readonly Sha256 _hash = new Sha256();
        private readonly byte[] _digest = new byte[VmImage.DigestBytes];
        private int _digestFill;

        public ulong NextOffset { get; private set; }
        public AddressSpace Memory { get; private set; }
        /// <summary>The VM's disk with the exported contents (version 7), or null when it has none.</summary>
        public DiskImage Disk { get; private set; }
        public VcpuState State { get; } = new VcpuState();
        public string Name { get; private set; }
        public string Template { get; private set; }
        /// <summary>The VM's CPU weight and cap as exported (the defaults for a version-2 image).</summary>
        public uint CpuWeight { get; private set; } = VirtualMachine.DefaultCpuWeight;
        public uint CpuCapPercent { get; private set; }
        /// <summary>The network adapter's MAC (version 8, a VM with an adapter: <see cref="VcpuState.HasNetwork"/>), else 0.</summary>
        public ulong AdapterMac { get; private set; }
        /// <summary>The switch the adapter was connected to where it was exported (version 8), or null.</summary>
        public string SwitchName { get; private set; }
        private ushort _version;

        public VmImageReader(PageSource pages, PageSharing sharing, ulong totalBytes)
        {
            if (totalBytes < VmImage.DigestBytes) totalBytes = VmImage.DigestBytes; // too short to be an image: refused at Finish
            _pages = pages;
            _sharing = sharing;
            _declaredTotal = totalBytes;
        }

        public VmImageStatus Write(ulong offset, byte[] data, int at, int count)
        {
            if (offset != NextOffset) return VmImageStatus.WrongOffset;
            if (count < 0 || NextOffset + (ulong)count > _declaredTotal) return VmImageStatus.WrongLength;
            for (int i = 0; i < count; i++)
            {
                VmImageStatus s = Take(data[at + i]);
                if (s != VmImageStatus.Ok)
                {
                    Abandon();
                    return s;
                }
                NextOffset++;
            }
            return VmImageStatus.Ok;
        }

        /// <summary>Checks that the whole image arrived; afterwards Memory and State describe the VM.</summary>
        public VmImageStatus Finish()
        {
            if (Memory == null || NextOffset != _declaredTotal || _pageFill != 0 || NextPresentPage(_nextPage) >= 0
                || _digestFill != VmImage.DigestBytes)
            {
                Abandon();
                return VmImageStatus.WrongLength;
            }
            byte[] computed = new byte[VmImage.DigestBytes];
            _hash.Finish(computed, 0);
            int difference = 0;
            for (int i = 0; i < computed.Length; i++) difference |= computed[i] ^ _digest[i];
            Owned.Free(computed);
            if (difference != 0)
            {
                Abandon();
                return VmImageStatus.ChecksumMismatch;
            }
            return VmImageStatus.Ok;
        }

        /// <summary>Gives back what was built (after a failure, or when the import is cancelled).</summary>
        public void Abandon()
        {
            if (Memory != null) Memory.Free();
            Memory = null;
            if (Disk != null) Disk.Free();
            Disk = null;
        }

        /// <summary>The imported VM took <see cref="Memory"/> (<see cref="Hypervisor.Import"/>): the reader no longer owns it.</summary>
        public void HandOverMemory()
        {
            Memory = null;
        }

        /// <summary>Gives back the reader with its buffers, names and state, the memory unless it was handed over, and the disk.</summary>
        public void Free()
        {
            Abandon();
            Owned.Free(_head);
            Owned.Free(_page);
            Owned.Free(_bitmap);
            _hash.Free();
            Owned.Free(_digest);
            State.Free();
            Owned.Free(Name);
            Owned.Free(Template);
            Owned.Free(SwitchName);
            Owned.Free(this);
        }

        private VmImageStatus Take(byte b)
        {
            if (NextOffset >= _declaredTotal - VmImage.DigestBytes)
            {
                _digest[_digestFill++] = b;
                return VmImageStatus.Ok;
            }
            _hash.Update(b);
            if (Memory == null) return TakeHead(b);
            _page[_pageFill++] = b;
            if (_pageFill < VmImage.PageSize) return VmImageStatus.Ok;
            _pageFill = 0;
            int page = NextPresentPage(_nextPage);
            if (page < 0) return VmImageStatus.Malformed;
            _nextPage = page + 1;
            if (page < _memoryPages)
                return Memory.Write((ulong)page * VmImage.PageSize, _page) ? VmImageStatus.Ok : VmImageStatus.OutOfMemory;
            // A disk page: only its part within the disk (the last page may be partial).
            ulong at = (ulong)(page - _memoryPages) * VmImage.PageSize;
            int n = (int)Math.Min((ulong)VmImage.PageSize, Disk.SizeBytes - at);
            DiskStatus written = Disk.Write(at, new ReadOnlySpan<byte>(_page, 0, n));
            return written == DiskStatus.Ok ? VmImageStatus.Ok : VmImageStatus.OutOfMemory;
        }

        // The next set bit at or after stream page <from>: the memory's pages, then the disk's (their bitmap follows
        // the memory's, starting on a byte of its own).
        private int NextPresentPage(int from)
        {
            for (int p = from; p < _memoryPages; p++) if ((_bitmap[p / 8] & (1 << (p % 8))) != 0) return p;
            int diskAt = VmImage.BitmapBytes(_memorySize);
            int diskPages = (int)VmImage.DiskPages(_diskSectors);
            for (int d = from > _memoryPages ? from - _memoryPages : 0; d < diskPages; d++)
                if ((_bitmap[diskAt + d / 8] & (1 << (d % 8))) != 0) return _memoryPages + d;
            return -1;
        }

        // The header and the bitmap are gathered first; then the guest memory is created and pages stream into it.
        private VmImageStatus TakeHead(byte b)
        {
            int n = (int)NextOffset;
            if (_bitmap != null) _bitmap[n - _headLength] = b;
            else if (n < MaxHeadBytes) _head[n] = b;
            else return VmImageStatus.Malformed;
            if (_headLength < 0)
            {
                if (n == 16 && !CheckFixedPart()) return VmImageStatus.Malformed;
                if (n >= 17)
                {
                    int nameBytes = _head[16];
                    if (n == 17 + nameBytes)
                    {
                        int templateBytes = _head[17 + nameBytes];
                        if (nameBytes == 0 || nameBytes > 64 || templateBytes > 64) return VmImageStatus.Malformed;
                        _headLength = VmImage.HeaderBytes(nameBytes, templateBytes, _version);
                    }
                }
                return VmImageStatus.Ok;
            }
            if (n == _headLength - 1) return ParseHead();
            if (_bitmap != null && n == _headLength + _bitmap.Length - 1) return CreateMemory();
            return VmImageStatus.Ok;
        }

        private bool CheckFixedPart()
        {
            var r = new SpanCursor(_head);
            if (r.U32() != VmImage.Magic) return false;
            _version = r.U16();
            if (_version < VmImage.OldestVersion || _version > VmImage.Version) return false;
            r.U16();
            ulong size = r.U64();
            return size != 0 && size <= Hypervisor.MaxMemorySize && size % VmImage.PageSize == 0;
        }

        private VmImageStatus ParseHead()
        {
            var r = new SpanCursor(_head);
            r.U32(); r.U16(); r.U16();
            ulong size = r.U64();
            Name = r.Text();
            Template = r.Text();
            if (Name == null || Template == null) return VmImageStatus.Malformed;
            if (r.U16() != VcpuState.Fields.Length) return VmImageStatus.Malformed;
            for (int i = 0; i < VcpuState.Fields.Length; i++) State.Values[i] = r.U64();
            for (int i = 0; i < VmImage.RegisterCount; i++) VmImage.SetRegister(State.Registers, i, r.U64());
            for (int i = 0; i < VcpuState.FpuStateBytes; i++) State.FpuState[i] = r.U8();
            for (int i = 0; i < VmImage.MsrCount; i++) State.Msrs.Set(i, r.U64());
            for (int i = 0; i < VmImage.SwitchedCount; i++) State.Switched.Set(i, r.U64());
            for (int i = 0; i < VmImage.MtrrCount; i++) State.Mtrrs.Set(i, r.U64());
            if (!State.IsLoadable()) return VmImageStatus.Malformed;
            if (_version >= 3)
            {
                CpuWeight = r.U16();
                CpuCapPercent = r.U8();
                if (CpuWeight < VirtualMachine.MinCpuWeight || CpuWeight > VirtualMachine.MaxCpuWeight || CpuCapPercent > VirtualMachine.MaxCpuCapPercent)
                    return VmImageStatus.Malformed;
            }
            State.HasDevices = false;
            if (_version >= 4)
            {
                byte devices = r.U8();
                if (devices > 1) return VmImageStatus.Malformed;
                State.HasDevices = devices == 1;
                int saved = _version >= 6 ? State.DeviceState.Length : Hv.Core.Devices.Pc.PcPlatform.StateSizeBeforePci;
                for (int i = 0; i < State.DeviceState.Length; i++) State.DeviceState[i] = i < saved ? r.U8() : (byte)0;
            }
            State.Tsc = _version >= 5 ? r.U64() : 0;
            State.TscAdjust = _version >= 5 ? r.U64() : 0;
            _diskSectors = _version >= 7 ? r.U64() : 0;
            if (_version >= 8 && !ReadNetworkAdapter(ref r)) return VmImageStatus.Malformed;
            // A disk is at most as large as the largest VM's memory (as the hypervisor makes them); a device without
            // the disk's PCI function in its state is refused later, when the VM is admitted.
            if (_diskSectors > Hypervisor.MaxMemorySize / DiskImage.SectorSize) return VmImageStatus.Malformed;
            _bitmap = new byte[VmImage.BitmapBytes(size) + (_diskSectors == 0 ? 0 : VmImage.DiskBitmapBytes(_diskSectors))];
            _memorySize = size;
            _memoryPages = (int)(size / VmImage.PageSize);
            return VmImageStatus.Ok;
        }

        // Version 8's adapter part (VmImage). An adapter needs a PC's devices and a unicast MAC; the device state is checked
        // when the VM is admitted (LoadDevices), as the platform's is.
        private bool ReadNetworkAdapter(ref SpanCursor r)
        {
            byte present = r.U8();
            ulong mac = r.U64();
            int nameBytes = r.Peek();
            if (present > 1 || (present == 1 && !State.HasDevices) || (present == 0 && (mac != 0 || nameBytes != 0))
                || nameBytes > Hv.Core.Text.NameRule.MaxLength) return false;
            if (present == 1 && (mac == 0 || mac > Hv.Core.Networking.EthernetFrame.Broadcast || Hv.Core.Networking.EthernetFrame.IsGroup(mac))) return false;
            if (nameBytes == 0)
            {
                r.Skip(1);
            }
            else
            {
                SwitchName = r.Text();
                if (SwitchName == null) return false;
            }
            r.Skip(Hv.Core.Text.NameRule.MaxLength - nameBytes);
            for (int i = 0; i < State.NetworkState.Length; i++) State.NetworkState[i] = r.U8();
            State.HasNetwork = present == 1;
            AdapterMac = present == 1 ? mac : 0;
            return true;
        }

        private VmImageStatus CreateMemory()
        {
            int memoryBitmap = VmImage.BitmapBytes(_memorySize);
            int diskPages = (int)VmImage.DiskPages(_diskSectors);
            int present = 0;
            for (int p = 0; p < _memoryPages; p++) if ((_bitmap[p / 8] & (1 << (p % 8))) != 0) present++;
            for (int p = _memoryPages; p < memoryBitmap * 8; p++) if ((_bitmap[p / 8] & (1 << (p % 8))) != 0) return VmImageStatus.Malformed;
            for (int d = 0; d < (_bitmap.Length - memoryBitmap) * 8; d++)
            {
                if ((_bitmap[memoryBitmap + d / 8] & (1 << (d % 8))) == 0) continue;
                if (d >= diskPages) return VmImageStatus.Malformed;
                present++;
            }
            if ((ulong)_headLength + (ulong)_bitmap.Length + (ulong)present * VmImage.PageSize + VmImage.DigestBytes != _declaredTotal)
                return VmImageStatus.Malformed;
            AddressSpace memory;
            if (AddressSpace.CreateOnWrite(_pages, _sharing, _memorySize, out memory) != AddressSpaceStatus.Ok) return VmImageStatus.OutOfMemory;
            Memory = memory;
            if (_diskSectors == 0) return VmImageStatus.Ok;
            DiskImage disk;
            if (DiskImage.Create(_sharing, _diskSectors, Hypervisor.MaxMemorySize, out disk) != DiskStatus.Ok) return VmImageStatus.OutOfMemory;
            Disk = disk;
            return VmImageStatus.Ok;
        }
    }
}
