using System;
using System.Linq;
using System.Security.Cryptography;
using Hv.Crypto;

namespace Hv.Protocol.Tests
{
    /// <summary>HKDF-SHA256 against RFC 5869 appendix A.1-A.3 and System.Security.Cryptography.HKDF.</summary>
    public class HkdfTests
    {
        private static byte[] Hex(string hex) => Convert.FromHexString(hex);

        private static byte[] Range(int from, int count) => Enumerable.Range(from, count).Select(i => (byte)i).ToArray();

        public static TheoryData<byte[], byte[], byte[], string, string> Rfc5869 => new TheoryData<byte[], byte[], byte[], string, string>
        {
            // A.1: basic.
            {
                Enumerable.Repeat((byte)0x0b, 22).ToArray(), Range(0x00, 13), Range(0xf0, 10),
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
            },
            // A.2: longer inputs and output.
            {
                Range(0x00, 80), Range(0x60, 80), Range(0xb0, 80),
                "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09" +
                "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
            },
            // A.3: zero-length salt and info.
            {
                Enumerable.Repeat((byte)0x0b, 22).ToArray(), new byte[0], new byte[0],
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
            },
        };

        [Theory]
        [MemberData(nameof(Rfc5869))]
        public void Rfc5869_AppendixA(byte[] ikm, byte[] salt, byte[] info, string prk, string okm)
        {
            var hkdf = new HkdfSha256();
            var actualPrk = new byte[32];
            hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, actualPrk, 0);
            Assert.Equal(Hex(prk), actualPrk);
            var actualOkm = new byte[okm.Length / 2];
            Assert.True(hkdf.Expand(actualPrk, 0, 32, info, 0, info.Length, actualOkm, 0, actualOkm.Length));
            Assert.Equal(Hex(okm), actualOkm);
        }

        [Fact]
        public void MatchesTheBcl_ForManyLengths()
        {
            var rng = new Random(5869);
            var hkdf = new HkdfSha256();
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] ikm = new byte[rng.Next(0, 100)], salt = new byte[rng.Next(0, 100)], info = new byte[rng.Next(0, 60)];
                rng.NextBytes(ikm);
                rng.NextBytes(salt);
                rng.NextBytes(info);
                int length = trial == 0 ? HkdfSha256.MaxOutputBytes : rng.Next(1, 200);
                byte[] prk = new byte[32], okm = new byte[length];
                hkdf.Extract(salt, 0, salt.Length, ikm, 0, ikm.Length, prk, 0);
                Assert.Equal(HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt), prk);
                Assert.True(hkdf.Expand(prk, 0, 32, info, 0, info.Length, okm, 0, length));
                Assert.Equal(HKDF.Expand(HashAlgorithmName.SHA256, prk, length, info), okm);
            }
        }

        [Fact]
        public void Expand_RefusesMoreThan255Blocks()
        {
            var hkdf = new HkdfSha256();
            var okm = new byte[HkdfSha256.MaxOutputBytes + 1];
            Assert.False(hkdf.Expand(new byte[32], 0, 32, new byte[0], 0, 0, okm, 0, okm.Length));
            Assert.False(hkdf.Expand(new byte[32], 0, 32, new byte[0], 0, 0, okm, 0, -1));
            Assert.All(okm, b => Assert.Equal(0, b));
        }
    }
}
