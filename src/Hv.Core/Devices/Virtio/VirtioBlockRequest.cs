namespace Hv.Core.Devices.Virtio
{
    /// <summary>The virtio-blk wire format (virtio 1.2, 5.2): feature bits, request types, status values, layouts.</summary>
    public static class VirtioBlockRequest
    {
        public const ushort DeviceType = 2;

        public const int FeatureSizeMax = 1;
        public const int FeatureSegMax = 2;
        public const int FeatureReadOnly = 5;
        public const int FeatureFlush = 9;
        public const int FeatureDiscard = 13;
        public const int FeatureWriteZeroes = 14;

        public const uint TypeIn = 0;
        public const uint TypeOut = 1;
        public const uint TypeFlush = 4;
        public const uint TypeGetId = 8;
        public const uint TypeDiscard = 11;
        public const uint TypeWriteZeroes = 13;

        public const byte StatusOk = 0;
        public const byte StatusIoError = 1;
        public const byte StatusUnsupported = 2;

        /// <summary>struct virtio_blk_req up to data: le32 type, le32 reserved, le64 sector.</summary>
        public const int HeaderSize = 16;
        /// <summary>struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors, le32 flags.</summary>
        public const int SegmentSize = 16;
        public const uint FlagUnmap = 1;
        /// <summary>The device ID string is NUL-padded ASCII of up to 20 bytes.</summary>
        public const int IdLength = 20;

        // struct virtio_blk_config offsets (5.2.4).
        public const int ConfigCapacity = 0;
        public const int ConfigSizeMax = 8;
        public const int ConfigSegMax = 12;
        public const int ConfigMaxDiscardSectors = 36;
        public const int ConfigMaxDiscardSegments = 40;
        public const int ConfigDiscardAlignment = 44;
        public const int ConfigMaxWriteZeroesSectors = 48;
        public const int ConfigMaxWriteZeroesSegments = 52;
        public const int ConfigWriteZeroesMayUnmap = 56;
        /// <summary>Through unused1[3]: the fields the offered features define.</summary>
        public const int ConfigLength = 60;
    }
}
