namespace Hv.Protocol.Wire
{
    /// <summary>What <see cref="FrameDecoder"/> saw after a byte.</summary>
    public enum FrameStatus
    {
        /// <summary>Nothing complete yet (also returned for empty frames, i.e. repeated delimiters).</summary>
        NeedMore = 0,
        /// <summary>A frame with a good CRC is in <see cref="FrameDecoder.Buffer"/>[0 .. FrameLength).</summary>
        FrameReady = 1,
        /// <summary>A frame was dropped: bad COBS, cut off, too short, or wrong CRC. Decoding resumed.</summary>
        BadFrame = 2,
        /// <summary>A frame was dropped because it was longer than the buffer. Decoding resumed.</summary>
        Oversize = 3,
    }

    /// <summary>
    /// Turns a byte stream into frames: 0x00-delimited COBS blocks whose decoded bytes end with a CRC-32
    /// (little-endian) of the bytes before it. COBS is decoded byte by byte into one fixed buffer (the frame
    /// limit), so memory is bounded whatever arrives. Garbage, a frame cut off by a reset, an oversize frame
    /// or a bad CRC costs at most that frame: decoding starts afresh after the next 0x00. Never throws, never
    /// allocates after construction.
    /// </summary>
    public sealed class FrameDecoder
    {
        private readonly byte[] _buffer;
        private int _length;
        private int _remaining;
        private int _code;
        private bool _inFrame;
        private bool _firstBlock;
        private bool _overflow;
        private int _frameLength;

        private long _framesOk;
        private long _badFrames;
        private long _oversizeFrames;

        public FrameDecoder() : this(ProtocolInfo.MaxFrameBytes)
        {
        }

        /// <param name="maxFrameBytes">Largest decoded frame including its 4 CRC bytes.</param>
        public FrameDecoder(int maxFrameBytes)
        {
            _buffer = new byte[maxFrameBytes];
            Reset();
        }

        /// <summary>The decoded frame after <see cref="FrameStatus.FrameReady"/>; valid until the next byte is pushed.</summary>
        public byte[] Buffer { get { return _buffer; } }

        /// <summary>Length of the frame in <see cref="Buffer"/> without its CRC.</summary>
        public int FrameLength { get { return _frameLength; } }

        public int Capacity { get { return _buffer.Length; } }

        public long FramesOk { get { return _framesOk; } }
        public long BadFrames { get { return _badFrames; } }
        public long OversizeFrames { get { return _oversizeFrames; } }

        /// <summary>Forgets a partial frame (e.g. after the transport reconnected).</summary>
        public void Reset()
        {
            _length = 0;
            _remaining = 0;
            _code = 0xFF;
            _inFrame = false;
            _firstBlock = true;
            _overflow = false;
        }

        /// <summary>Feeds one byte.</summary>
        public FrameStatus Push(byte b)
        {
            if (b == 0)
            {
                return EndOfFrame();
            }
            _inFrame = true;
            if (_overflow)
            {
                return FrameStatus.NeedMore;
            }
            if (_remaining == 0)
            {
                // A code byte. The previous block, unless it was a full 254-byte one, ended in a 0x00.
                if (!_firstBlock && _code != 0xFF)
                {
                    Append(0);
                }
                _firstBlock = false;
                _code = b;
                _remaining = b - 1;
            }
            else
            {
                Append(b);
                _remaining--;
            }
            return FrameStatus.NeedMore;
        }

        /// <summary>
        /// Feeds bytes from data[offset .. offset+count) until one frame event (anything but NeedMore) happens
        /// or the bytes run out; <paramref name="consumed"/> says how many were taken. Call again with the rest.
        /// </summary>
        public FrameStatus Feed(byte[] data, int offset, int count, out int consumed)
        {
            for (int i = 0; i < count; i++)
            {
                FrameStatus status = Push(data[offset + i]);
                if (status != FrameStatus.NeedMore)
                {
                    consumed = i + 1;
                    return status;
                }
            }
            consumed = count;
            return FrameStatus.NeedMore;
        }

        private void Append(byte b)
        {
            if (_length < _buffer.Length)
            {
                _buffer[_length++] = b;
            }
            else
            {
                _overflow = true;
            }
        }

        private FrameStatus EndOfFrame()
        {
            if (!_inFrame)
            {
                return FrameStatus.NeedMore;
            }
            bool overflow = _overflow;
            bool cutOff = _remaining != 0;
            int length = _length;
            Reset();
            if (overflow)
            {
                _oversizeFrames++;
                return FrameStatus.Oversize;
            }
            if (cutOff || length <= ProtocolInfo.CrcBytes)
            {
                _badFrames++;
                return FrameStatus.BadFrame;
            }
            int body = length - ProtocolInfo.CrcBytes;
            uint expected = (uint)_buffer[body]
                | ((uint)_buffer[body + 1] << 8)
                | ((uint)_buffer[body + 2] << 16)
                | ((uint)_buffer[body + 3] << 24);
            if (Crc32.Compute(_buffer, 0, body) != expected)
            {
                _badFrames++;
                return FrameStatus.BadFrame;
            }
            _frameLength = body;
            _framesOk++;
            return FrameStatus.FrameReady;
        }
    }
}
