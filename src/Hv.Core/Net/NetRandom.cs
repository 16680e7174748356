using Hv.Crypto;

namespace Hv.Core.Net
{
    /// <summary>
    /// Keyed pseudo-random values for the stack: HMAC-SHA256 under a secret from the host's entropy source. Used for
    /// TCP initial sequence numbers (RFC 6528: a keyed hash of the connection's addresses and ports plus a clock),
    /// ephemeral ports and DHCP transaction ids, so none of them can be predicted off the wire.
    /// </summary>
    public sealed class NetRandom
    {
        private readonly HmacSha256 _mac = new HmacSha256();
        private readonly byte[] _input = new byte[13];
        private readonly byte[] _output = new byte[HmacSha256.MacBytes];
        private ulong _counter;
        private int _used = HmacSha256.MacBytes;

        public NetRandom(byte[] secret)
        {
            _mac.SetKey(secret, 0, secret.Length);
        }

        /// <summary>The next 32 pseudo-random bits.</summary>
        public uint Next()
        {
            if (_used + 4 > HmacSha256.MacBytes)
            {
                _input[0] = 0x52; // 'R': a different domain from Hash's 'H'
                for (int i = 0; i < 8; i++)
                {
                    _input[1 + i] = (byte)(_counter >> (8 * i));
                }
                _counter++;
                _mac.Update(_input, 0, 9);
                _mac.Finish(_output, 0);
                _used = 0;
            }
            uint value = (uint)(_output[_used] | (_output[_used + 1] << 8) | (_output[_used + 2] << 16) | (_output[_used + 3] << 24));
            _used += 4;
            return value;
        }

        /// <summary>A keyed 32-bit hash of three words (RFC 6528's F(localip, localport, remoteip, remoteport, secretkey)).</summary>
        public uint Hash(uint a, uint b, uint c)
        {
            _input[0] = 0x48; // 'H'
            for (int i = 0; i < 4; i++)
            {
                _input[1 + i] = (byte)(a >> (8 * i));
                _input[5 + i] = (byte)(b >> (8 * i));
                _input[9 + i] = (byte)(c >> (8 * i));
            }
            _mac.Update(_input, 0, 13);
            _mac.Finish(_output, 0);
            _used = HmacSha256.MacBytes;
            return (uint)(_output[0] | (_output[1] << 8) | (_output[2] << 16) | (_output[3] << 24));
        }
    }
}
