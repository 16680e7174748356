using System;
using Hv.Core.Memory;
using Hv.Core.Storage;
using R = Hv.Core.Devices.Virtio.VirtioBlockRequest;
using Hv.Core.Virtio;

namespace Hv.Core.Devices.Virtio
{
    /// <summary>
    /// A virtio block device (virtio 1.2, 5.2) over a <see cref="DiskImage"/>: read, write, flush, get ID, discard
    /// and write zeroes, one request queue. The capacity in the configuration is the disk's sector count; every
    /// request is bounded by it. Requests are served as they are notified, through one reused bounce buffer, so
    /// nothing is allocated per request.
    ///
    /// The limits offered keep a request's work bounded: SEG_MAX (queue size − 2, room for header and status) and
    /// SIZE_MAX (64 KiB per segment) cap a request at about 8 MiB, which is also the chain limit of the queue;
    /// Linux's default request (1280 KiB) is far below it. The disk is RAM, so a write is stable when it completes
    /// and FLUSH has nothing to do (it is offered because the spec asks devices to, 5.2.5.1).
    ///
    /// A malformed request (no status byte, short header, a length not a multiple of 512, beyond the capacity)
    /// completes with VIRTIO_BLK_S_IOERR, or UNSUPP for an unknown type, and is counted in <see cref="Errors"/>;
    /// a broken ring sets DEVICE_NEEDS_RESET (see <see cref="VirtioPciFunction"/>).
    /// </summary>
    public sealed class VirtioBlock : VirtioPciFunction
    {
        public const ushort QueueSize = 256;
        public const uint SegmentsMax = QueueSize - 2;
        public const uint SegmentSizeMax = 64 * 1024;
        /// <summary>The most sectors one discard or write-zeroes segment may cover (2 GiB).</summary>
        public const uint DiscardSectorsMax = 1u << 22;
        /// <summary>Mass storage controller, "other" (PCI code and ID assignment spec, class 01h subclass 80h).</summary>
        public const uint ClassCode = 0x018000;
        private const int BounceSize = 4096;
        private const int RequestQueue = 0;

        private readonly byte[] _header = new byte[R.HeaderSize];
        private readonly byte[] _bounce = new byte[BounceSize];
        private readonly byte[] _id = new byte[R.IdLength];
        private readonly byte[] _status = new byte[1];
        private readonly bool _readOnly;
        private DiskImage _disk;

        public VirtioBlock(DiskImage disk, bool readOnly)
            : base(R.DeviceType, ClassCode, Features(readOnly), 1, QueueSize,
                   SegmentsMax * SegmentSizeMax + PageSource.PageSize, R.ConfigLength)
        {
            _disk = disk;
            _readOnly = readOnly;
        }

        public DiskImage Disk { get { return _disk; } }
        public bool ReadOnly { get { return _readOnly; } }

        public ulong Reads { get; private set; }
        public ulong Writes { get; private set; }
        public ulong BytesRead { get; private set; }
        public ulong BytesWritten { get; private set; }
        public ulong Flushes { get; private set; }
        public ulong Discards { get; private set; }
        /// <summary>Requests that completed with an error status (or could not be completed at all).</summary>
        public ulong Errors { get; private set; }

        /// <summary>The serial number GET_ID returns: printable ASCII, at most 20 bytes (longer is cut).</summary>
        public void SetSerial(string serial)
        {
            for (int i = 0; i < R.IdLength; i++)
            {
                char c = serial != null && i < serial.Length ? serial[i] : '\0';
                _id[i] = c >= ' ' && c <= '~' ? (byte)c : (byte)0;
            }
        }

        /// <summary>Puts another disk in the drive (a recycled VM's, say); the driver sees the new capacity through a configuration change.</summary>
        public void InsertDisk(DiskImage disk)
        {
            _disk = disk;
            DeviceConfigChanged();
        }

        /// <summary>
        /// The media changed while the VM was off: its devices are loaded again when it starts (a primed clone's), after
        /// which the guest must hear of the change (<see cref="Announce"/>).
        /// </summary>
        public bool AnnounceAtStart;

        /// <summary>Tells the driver the configuration changed (the capacity), so it reads it again (virtio 1.2, 4.1.4.5).</summary>
        public void Announce()
        {
            AnnounceAtStart = false;
            DeviceConfigChanged();
        }

        // The disk image is not the drive's: whoever inserted it releases it.
        protected override void FreeParts()
        {
            Owned.Free(_header);
            Owned.Free(_bounce);
            Owned.Free(_id);
            Owned.Free(_status);
            base.FreeParts();
        }

        public override void ClearCounters()
        {
            base.ClearCounters();
            Reads = Writes = BytesRead = BytesWritten = Flushes = Discards = Errors = 0;
        }

        protected override void OnDeviceReset()
        {
        }

        protected override byte DeviceConfigByte(int offset)
        {
            ulong field;
            int start;
            if (offset < R.ConfigSizeMax)
            {
                start = R.ConfigCapacity;
                field = _disk == null ? 0 : _disk.Sectors;
            }
            else
            {
                start = offset & ~3;
                switch (start)
                {
                    case R.ConfigSizeMax: field = SegmentSizeMax; break;
                    case R.ConfigSegMax: field = SegmentsMax; break;
                    case R.ConfigMaxDiscardSectors: field = DiscardSectorsMax; break;
                    case R.ConfigMaxDiscardSegments: field = 1; break;
                    // Discards in whole 4 KiB pages: those are what give memory back.
                    case R.ConfigDiscardAlignment: field = PageSource.PageSize / DiskImage.SectorSize; break;
                    case R.ConfigMaxWriteZeroesSectors: field = DiscardSectorsMax; break;
                    case R.ConfigMaxWriteZeroesSegments: field = 1; break;
                    case R.ConfigWriteZeroesMayUnmap: field = 1; break;
                    default: field = 0; break;
                }
            }
            return (byte)(field >> ((offset - start) * 8));
        }

        protected override void ProcessQueue(int index)
        {
            DescriptorChain chain;
            while ((chain = TakeChain(RequestQueue)) != null)
            {
                uint written = Serve(chain);
                if (!ReturnChain(RequestQueue, chain, written))
                {
                    return;
                }
            }
            NotifyUsed(RequestQueue);
        }

        /// <summary>Carries out one request; returns the bytes written into its writable part (data and status).</summary>
        private uint Serve(DescriptorChain chain)
        {
            GuestMemoryAccess memory = Memory;
            if (chain.WritableBytes == 0)
            {
                // Nowhere to put a status: nothing can be reported, so the request is returned as it came.
                Errors++;
                return 0;
            }
            ulong statusOffset = chain.WritableBytes - 1;
            byte status;
            if (_disk == null || chain.ReadableBytes < R.HeaderSize || !chain.Read(memory, 0, _header))
            {
                status = R.StatusIoError;
            }
            else
            {
                uint type = LittleEndian.ReadUInt32(_header, 0);
                ulong sector = LittleEndian.ReadUInt64(_header, 8);
                switch (type)
                {
                    case R.TypeIn: status = Transfer(chain, sector, statusOffset, true); break;
                    case R.TypeOut: status = Transfer(chain, sector, chain.ReadableBytes - R.HeaderSize, false); break;
                    case R.TypeFlush: Flushes++; status = R.StatusOk; break;
                    case R.TypeGetId: status = WriteId(chain, statusOffset); break;
                    case R.TypeDiscard: status = Discard(chain, false); break;
                    case R.TypeWriteZeroes: status = Discard(chain, true); break;
                    default: status = R.StatusUnsupported; break;
                }
            }
            if (status != R.StatusOk)
            {
                Errors++;
            }
            _status[0] = status;
            if (!chain.Write(memory, statusOffset, _status))
            {
                return 0;
            }
            // The whole writable part counts as written, status included (what QEMU reports too): the driver
            // reads its status byte from the end, and the data area is the guest's own memory either way.
            return (uint)chain.WritableBytes;
        }

        private byte Transfer(DescriptorChain chain, ulong sector, ulong length, bool toGuest)
        {
            if (length % DiskImage.SectorSize != 0 || !InRange(sector, length / DiskImage.SectorSize)
                || (!toGuest && _readOnly))
            {
                return R.StatusIoError;
            }
            ulong offset = sector * DiskImage.SectorSize;
            GuestMemoryAccess memory = Memory;
            for (ulong done = 0; done < length; done += BounceSize)
            {
                Span<byte> buffer = new Span<byte>(_bounce, 0, (int)Math.Min(length - done, BounceSize));
                bool ok = toGuest
                    ? _disk.Read(offset + done, buffer) == DiskStatus.Ok && chain.Write(memory, done, buffer)
                    : chain.Read(memory, R.HeaderSize + done, buffer) && _disk.Write(offset + done, buffer) == DiskStatus.Ok;
                if (!ok)
                {
                    return R.StatusIoError;
                }
            }
            if (toGuest)
            {
                Reads++;
                BytesRead += length;
            }
            else
            {
                Writes++;
                BytesWritten += length;
            }
            return R.StatusOk;
        }

        private byte WriteId(DescriptorChain chain, ulong room)
        {
            int length = (int)Math.Min(room, (ulong)R.IdLength);
            return chain.Write(Memory, 0, new ReadOnlySpan<byte>(_id, 0, length)) ? R.StatusOk : R.StatusIoError;
        }

        /// <summary>DISCARD or WRITE_ZEROES with exactly one segment (max_*_seg = 1); both leave the range reading zeros.</summary>
        private byte Discard(DescriptorChain chain, bool writeZeroes)
        {
            Span<byte> segment = new Span<byte>(_bounce, 0, R.SegmentSize);
            if (chain.ReadableBytes != R.HeaderSize + R.SegmentSize || !chain.Read(Memory, R.HeaderSize, segment))
            {
                return R.StatusIoError;
            }
            ulong sector = LittleEndian.ReadUInt64(segment, 0);
            uint count = LittleEndian.ReadUInt32(segment, 8);
            uint flags = LittleEndian.ReadUInt32(segment, 12);
            // 5.2.6.2: unknown flags, or unmap on a discard, are unsupported.
            if ((flags & ~(writeZeroes ? R.FlagUnmap : 0u)) != 0)
            {
                return R.StatusUnsupported;
            }
            if (_readOnly || count > DiscardSectorsMax || !InRange(sector, count))
            {
                return R.StatusIoError;
            }
            if (_disk.Discard(sector * DiskImage.SectorSize, (ulong)count * DiskImage.SectorSize) != DiskStatus.Ok)
            {
                return R.StatusIoError;
            }
            Discards++;
            return R.StatusOk;
        }

        private bool InRange(ulong sector, ulong count)
        {
            ulong capacity = _disk.Sectors;
            return sector <= capacity && count <= capacity - sector;
        }

        private static ulong Features(bool readOnly)
        {
            ulong features = VirtioFeatures.Bit(R.FeatureSizeMax) | VirtioFeatures.Bit(R.FeatureSegMax)
                | VirtioFeatures.Bit(R.FeatureFlush) | VirtioFeatures.Bit(R.FeatureDiscard)
                | VirtioFeatures.Bit(R.FeatureWriteZeroes);
            return readOnly ? features | VirtioFeatures.Bit(R.FeatureReadOnly) : features;
        }
    }
}
