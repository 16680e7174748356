using System;
using System.Linq;
using Hv.Crypto;
using V = Hv.Protocol.Tests.Rfc8439Vectors;

namespace Hv.Protocol.Tests
{
    /// <summary>ChaCha20, Poly1305 and the AEAD against every test vector of RFC 8439 (section 2 and appendix A).</summary>
    public class ChaCha20Poly1305Tests
    {
        private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace(":", ""));

        private static readonly byte[] Key00To1F = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        private static readonly byte[] Key80To9F = Enumerable.Range(0x80, 32).Select(i => (byte)i).ToArray();

        [Fact]
        public void QuarterRound_Section2_1_1()
        {
            uint a = 0x11111111, b = 0x01020304, c = 0x9b8d6f43, d = 0x01234567;
            ChaCha20.QuarterRound(ref a, ref b, ref c, ref d);
            Assert.Equal(new uint[] { 0xea2a92f4, 0xcb1cf8ce, 0x4581472e, 0x5881c4bb }, new[] { a, b, c, d });
        }

        [Fact]
        public void QuarterRound_OnTheState_Section2_2_1()
        {
            uint[] s =
            {
                0x879531e0, 0xc5ecf37d, 0x516461b1, 0xc9a62f8a, 0x44c20ef3, 0x3390af7f, 0xd9fc690b, 0x2a5f714c,
                0x53372767, 0xb00a5631, 0x974c541a, 0x359e9963, 0x5c971061, 0x3d631689, 0x2098d9d6, 0x91dbd320,
            };
            ChaCha20.QuarterRound(ref s[2], ref s[7], ref s[8], ref s[13]);
            uint[] expected =
            {
                0x879531e0, 0xc5ecf37d, 0xbdb886dc, 0xc9a62f8a, 0x44c20ef3, 0x3390af7f, 0xd9fc690b, 0xcfacafd2,
                0xe46bea80, 0xb00a5631, 0x974c541a, 0x359e9963, 0x5c971061, 0xccc07c79, 0x2098d9d6, 0x91dbd320,
            };
            Assert.Equal(expected, s);
        }

        private static byte[] KeyStream(byte[] key, string nonce, uint counter)
        {
            var chacha = new ChaCha20();
            chacha.SetKey(key, 0);
            chacha.SetNonce(Hex(nonce), 0);
            var block = new byte[64];
            chacha.Block(counter, block, 0);
            return block;
        }

        [Fact]
        public void Block_Section2_3_2()
        {
            Assert.Equal(Hex(V.Block232), KeyStream(Key00To1F, "000000090000004a00000000", 1));
        }

        [Theory]
        [InlineData(1, "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", 0u)]
        [InlineData(2, "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", 1u)]
        [InlineData(3, "0000000000000000000000000000000000000000000000000000000000000001", "000000000000000000000000", 1u)]
        [InlineData(4, "00ff000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", 2u)]
        [InlineData(5, "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000002", 0u)]
        public void Block_AppendixA1(int vector, string key, string nonce, uint counter)
        {
            string[] expected = { V.KeyStreamA1_1, V.KeyStreamA1_2, V.KeyStreamA1_3, V.KeyStreamA1_4, V.KeyStreamA1_5 };
            Assert.Equal(Hex(expected[vector - 1]), KeyStream(Hex(key), nonce, counter));
        }

        private static byte[] Encrypt(byte[] key, string nonce, uint counter, byte[] plain)
        {
            var chacha = new ChaCha20();
            chacha.SetKey(key, 0);
            chacha.SetNonce(Hex(nonce), 0);
            byte[] data = (byte[])plain.Clone();
            chacha.Xor(counter, data, 0, data.Length);
            return data;
        }

        [Fact]
        public void Encrypt_Section2_4_2()
        {
            Assert.Equal(Hex(V.SunscreenCipher), Encrypt(Key00To1F, "000000000000004a00000000", 1, Hex(V.Sunscreen)));
        }

        [Fact]
        public void Encrypt_AppendixA2()
        {
            // #1: 64 zero bytes under the zero key encrypt to the RFC's printed key stream of A.1 #1.
            Assert.Equal(Hex(V.KeyStreamA1_1), Encrypt(new byte[32], "000000000000000000000000", 0, new byte[64]));
            byte[] keyOne = new byte[32];
            keyOne[31] = 1;
            Assert.Equal(Hex(V.IetfCipherA2_2), Encrypt(keyOne, "000000000000000000000002", 1, Hex(V.Ietf)));
            Assert.Equal(Hex(V.JabberwockyCipherA2_3),
                         Encrypt(Hex(V.JabberwockyKey), "000000000000000000000002", 42, Hex(V.Jabberwocky)));
        }

        private static byte[] Tag(byte[] key, byte[] message)
        {
            var poly = new Poly1305();
            poly.Begin(key, 0);
            poly.Update(message, 0, message.Length);
            var tag = new byte[16];
            poly.Finish(tag, 0);
            return tag;
        }

        [Fact]
        public void Poly1305_Section2_5_2()
        {
            byte[] key = Hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
            byte[] message = System.Text.Encoding.ASCII.GetBytes("Cryptographic Forum Research Group");
            Assert.Equal(Hex("a8061dc1305136c6c22b8baf0c0127a9"), Tag(key, message));
        }

        [Fact]
        public void Poly1305_AppendixA3_1To4()
        {
            Assert.Equal(new byte[16], Tag(new byte[32], new byte[64]));
            Assert.Equal(Hex("36e5f6b5c5e06070f0efca96227a863e"),
                         Tag(Hex("0000000000000000000000000000000036e5f6b5c5e06070f0efca96227a863e"), Hex(V.Ietf)));
            Assert.Equal(Hex("f3477e7cd95417af89a6b8794c310cf0"),
                         Tag(Hex("36e5f6b5c5e06070f0efca96227a863e00000000000000000000000000000000"), Hex(V.Ietf)));
            Assert.Equal(Hex("4541669a7eaaee61e708dc7cbcc5eb62"), Tag(Hex(V.JabberwockyKey), Hex(V.Jabberwocky)));
        }

        // A.3 #5-#11: edge cases of the reduction, given as R, S, data, tag.
        [Theory]
        [InlineData("02000000000000000000000000000000", "00000000000000000000000000000000",
                    "ffffffffffffffffffffffffffffffff", "03000000000000000000000000000000")]
        [InlineData("02000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
                    "02000000000000000000000000000000", "03000000000000000000000000000000")]
        [InlineData("01000000000000000000000000000000", "00000000000000000000000000000000",
                    "ffffffffffffffffffffffffffffffff f0ffffffffffffffffffffffffffffff 11000000000000000000000000000000",
                    "05000000000000000000000000000000")]
        [InlineData("01000000000000000000000000000000", "00000000000000000000000000000000",
                    "ffffffffffffffffffffffffffffffff fbfefefefefefefefefefefefefefefe 01010101010101010101010101010101",
                    "00000000000000000000000000000000")]
        [InlineData("02000000000000000000000000000000", "00000000000000000000000000000000",
                    "fdffffffffffffffffffffffffffffff", "faffffffffffffffffffffffffffffff")]
        [InlineData("01000000000000000400000000000000", "00000000000000000000000000000000",
                    "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000",
                    "14000000000000005500000000000000")]
        [InlineData("01000000000000000400000000000000", "00000000000000000000000000000000",
                    "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
                    "13000000000000000000000000000000")]
        public void Poly1305_AppendixA3_5To11(string r, string s, string data, string tag)
        {
            Assert.Equal(Hex(tag), Tag(Hex(r + s), Hex(data)));
        }

        [Fact]
        public void Poly1305_UnevenUpdates_EqualOneUpdate()
        {
            var rng = new Random(7);
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] key = new byte[32];
                byte[] message = new byte[rng.Next(0, 300)];
                rng.NextBytes(key);
                rng.NextBytes(message);
                var poly = new Poly1305();
                poly.Begin(key, 0);
                int at = 0;
                while (at < message.Length)
                {
                    int n = Math.Min(rng.Next(0, 40), message.Length - at);
                    poly.Update(message, at, n);
                    at += n;
                }
                var tag = new byte[16];
                poly.Finish(tag, 0);
                Assert.Equal(Tag(key, message), tag);
            }
        }

        // §2.6.2 and A.4: the one-time key is the first 32 bytes of block 0.
        [Theory]
        [InlineData("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "000000000001020304050607",
                    "8ad5a08b905f81cc815040274ab29471a833b637e3fd0da508dbb8e2fdd1a646")]
        [InlineData("0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
                    "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7")]
        [InlineData("0000000000000000000000000000000000000000000000000000000000000001", "000000000000000000000002",
                    "ecfa254f845f647473d3cb140da9e87606cb33066c447b87bc2666dde3fbb739")]
        [InlineData("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0", "000000000000000000000002",
                    "965e3bc6f9ec7ed9560808f4d229f94b137ff275ca9b3fcbdd59deaad23310ae")]
        public void OneTimeKey_Section2_6_2_AndAppendixA4(string key, string nonce, string oneTimeKey)
        {
            Assert.Equal(Hex(oneTimeKey), KeyStream(Hex(key), nonce, 0).Take(32).ToArray());
        }

        [Fact]
        public void Aead_Section2_8_2()
        {
            var aead = new ChaCha20Poly1305();
            aead.SetKey(Key80To9F, 0);
            byte[] nonce = Hex("070000004041424344454647");
            byte[] aad = Hex("50515253c0c1c2c3c4c5c6c7");
            byte[] data = Hex(V.Sunscreen);
            var tag = new byte[16];
            aead.Seal(nonce, 0, aad, 0, aad.Length, data, 0, data.Length, tag, 0);
            Assert.Equal(Hex(V.AeadCipher), data);
            Assert.Equal(Hex("1ae10b594f09e26a7e902ecbd0600691"), tag);
            // The tag is Poly1305 over the construction the RFC prints, keyed by the one-time key it prints.
            Assert.Equal(tag, Tag(Hex("7bac2b252db447af09b67a55a4e955840ae1d6731075d9eb2a9375783ed553ff"), Hex(V.AeadMacData)));

            Assert.True(aead.Open(nonce, 0, aad, 0, aad.Length, data, 0, data.Length, tag, 0));
            Assert.Equal(Hex(V.Sunscreen), data);
        }

        [Fact]
        public void Aead_AppendixA5_Decryption()
        {
            var aead = new ChaCha20Poly1305();
            aead.SetKey(Hex(V.JabberwockyKey), 0);
            byte[] nonce = Hex("000000000102030405060708");
            byte[] aad = Hex("f33388860000000000004e91");
            byte[] data = Hex(V.DraftsCipherA5);
            byte[] tag = Hex("eead9d67890cbb22392336fea1851f38");
            Assert.True(aead.Open(nonce, 0, aad, 0, aad.Length, data, 0, data.Length, tag, 0));
            Assert.Equal(Hex(V.DraftsA5), data);
        }

        [Fact]
        public void Aead_RefusesAnyChange_AndLeavesTheDataAlone()
        {
            var aead = new ChaCha20Poly1305();
            aead.SetKey(Key00To1F, 0);
            byte[] nonce = Hex("000000000102030405060708");
            byte[] aad = { 1, 2, 3 };
            byte[] sealedData = Hex(V.Sunscreen);
            var tag = new byte[16];
            aead.Seal(nonce, 0, aad, 0, aad.Length, sealedData, 0, sealedData.Length, tag, 0);
            for (int part = 0; part < 4; part++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    byte[] n = (byte[])nonce.Clone(), a = (byte[])aad.Clone(), d = (byte[])sealedData.Clone(), t = (byte[])tag.Clone();
                    byte[] target = part == 0 ? n : part == 1 ? a : part == 2 ? d : t;
                    target[(bit * 7) % target.Length] ^= (byte)(1 << bit);
                    Assert.False(aead.Open(n, 0, a, 0, a.Length, d, 0, d.Length, t, 0));
                    Assert.Equal(part == 2 ? d : sealedData, d);
                }
            }
            // Truncated ciphertext.
            byte[] shortData = sealedData.Take(sealedData.Length - 1).ToArray();
            Assert.False(aead.Open(nonce, 0, aad, 0, aad.Length, shortData, 0, shortData.Length, tag, 0));
        }

        [Fact]
        public void Aead_MatchesTheBcl()
        {
            Assert.True(System.Security.Cryptography.ChaCha20Poly1305.IsSupported);
            var rng = new Random(11);
            var ours = new ChaCha20Poly1305();
            for (int trial = 0; trial < 300; trial++)
            {
                byte[] key = new byte[32], nonce = new byte[12], aad = new byte[rng.Next(0, 70)], plain = new byte[rng.Next(0, 700)];
                rng.NextBytes(key);
                rng.NextBytes(nonce);
                rng.NextBytes(aad);
                rng.NextBytes(plain);
                using var bcl = new System.Security.Cryptography.ChaCha20Poly1305(key);
                byte[] expectedCipher = new byte[plain.Length], expectedTag = new byte[16];
                bcl.Encrypt(nonce, plain, expectedCipher, expectedTag, aad);

                ours.SetKey(key, 0);
                byte[] data = (byte[])plain.Clone();
                var tag = new byte[16];
                ours.Seal(nonce, 0, aad, 0, aad.Length, data, 0, data.Length, tag, 0);
                Assert.Equal(expectedCipher, data);
                Assert.Equal(expectedTag, tag);
                Assert.True(ours.Open(nonce, 0, aad, 0, aad.Length, data, 0, data.Length, tag, 0));
                Assert.Equal(plain, data);
            }
        }
    }
}
