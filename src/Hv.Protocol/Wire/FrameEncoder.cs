namespace Hv.Protocol.Wire
{
    /// <summary>
    /// Wraps frame bytes for the wire: appends the CRC-32, COBS-encodes, and puts a 0x00 before and after
    /// (the leading one ends any garbage the peer may have buffered, so it costs at most that garbage).
    /// Owns one output buffer of <see cref="ProtocolInfo.MaxEncodedBytes"/>; allocates nothing per frame.
    /// </summary>
    public sealed class FrameEncoder
    {
        private readonly byte[] _output;
        private readonly CobsWriter _cobs = new CobsWriter();
        private readonly int _maxFrameBytes;

        public FrameEncoder() : this(ProtocolInfo.MaxFrameBytes)
        {
        }

        /// <param name="maxFrameBytes">Largest frame including CRC that will be encoded.</param>
        public FrameEncoder(int maxFrameBytes)
        {
            _maxFrameBytes = maxFrameBytes;
            _output = new byte[Cobs.MaxEncodedLength(maxFrameBytes) + 2];
        }

        /// <summary>The encoded frame after <see cref="Encode"/>, from index 0.</summary>
        public byte[] Output { get { return _output; } }

        /// <summary>
        /// Encodes frame[offset .. offset+count) (content and MAC, without CRC) into <see cref="Output"/>.
        /// Returns the number of wire bytes, or -1 if the frame is over the limit.
        /// </summary>
        public int Encode(byte[] frame, int offset, int count)
        {
            if (count < 0 || count + ProtocolInfo.CrcBytes > _maxFrameBytes)
            {
                return -1;
            }
            uint crc = Crc32.Compute(frame, offset, count);
            _output[0] = 0;
            _cobs.Begin(_output, 1, _output.Length - 2);
            _cobs.Put(frame, offset, count);
            _cobs.Put((byte)crc);
            _cobs.Put((byte)(crc >> 8));
            _cobs.Put((byte)(crc >> 16));
            _cobs.Put((byte)(crc >> 24));
            int n = _cobs.End();
            if (n < 0)
            {
                return -1;
            }
            _output[1 + n] = 0;
            return n + 2;
        }
    }
}
