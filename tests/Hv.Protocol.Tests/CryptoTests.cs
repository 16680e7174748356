using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Hv.Crypto;

namespace Hv.Protocol.Tests
{
    public class CryptoTests
    {
        private static byte[] Hex(string hex) =>
            hex == "aa*131" ? Enumerable.Repeat((byte)0xAA, 131).ToArray() : Convert.FromHexString(hex.Replace(" ", ""));

        private static byte[] Sha(byte[] data)
        {
            var sha = new Sha256();
            sha.Update(data, 0, data.Length);
            var output = new byte[32];
            sha.Finish(output, 0);
            return output;
        }

        private static byte[] Mac(byte[] key, byte[] data)
        {
            var mac = new HmacSha256();
            mac.SetKey(key, 0, key.Length);
            mac.Update(data, 0, data.Length);
            var output = new byte[32];
            mac.Finish(output, 0);
            return output;
        }

        // FIPS 180-4 examples (NIST CSRC "SHA256.pdf", also FIPS 180-2 Appendix B).
        [Theory]
        [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
        [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
        [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
        public void Sha256_Fips180_4_Vectors(string message, string digest)
        {
            Assert.Equal(Hex(digest), Sha(Encoding.ASCII.GetBytes(message)));
        }

        [Fact]
        public void Sha256_OneMillionA()
        {
            var sha = new Sha256();
            // Fed in uneven pieces to exercise the partial-block path.
            var chunk = new byte[997];
            Array.Fill(chunk, (byte)'a');
            int left = 1_000_000;
            while (left > 0)
            {
                int n = Math.Min(left, chunk.Length);
                sha.Update(chunk, 0, n);
                left -= n;
            }
            var output = new byte[32];
            sha.Finish(output, 0);
            Assert.Equal(Hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"), output);
        }

        [Fact]
        public void Sha256_ByteByByte_EqualsBulk()
        {
            var data = new byte[300];
            new Random(1).NextBytes(data);
            var sha = new Sha256();
            foreach (byte b in data)
            {
                sha.Update(b);
            }
            var output = new byte[32];
            sha.Finish(output, 0);
            Assert.Equal(SHA256.HashData(data), output);
        }

        [Fact]
        public void Sha256_RandomLengths_MatchBcl()
        {
            var rng = new Random(42);
            var sha = new Sha256();
            var output = new byte[32];
            for (int len = 0; len < 600; len++)
            {
                var data = new byte[len];
                rng.NextBytes(data);
                // Random split into two updates.
                int split = len == 0 ? 0 : rng.Next(len + 1);
                sha.Update(data, 0, split);
                sha.Update(data, split, len - split);
                sha.Finish(output, 0);
                Assert.Equal(SHA256.HashData(data), output);
            }
        }

        // RFC 4231 §4.2–4.8.
        [Theory]
        [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
        [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
        [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")]
        [InlineData("0102030405060708090a0b0c0d0e0f10111213141516171819",
            "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")]
        [InlineData("aa*131",
            "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
        [InlineData("aa*131",
            "5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e",
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")]
        public void HmacSha256_Rfc4231_Vectors(string key, string data, string mac)
        {
            Assert.Equal(Hex(mac), Mac(Hex(key), Hex(data)));
        }

        [Fact]
        public void HmacSha256_Rfc4231_TruncatedCase5()
        {
            var result = Mac(Hex("0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"), Encoding.ASCII.GetBytes("Test With Truncation"));
            Assert.Equal(Hex("a3b6167473100ee06e0c796c2955552b"), result.AsSpan(0, 16).ToArray());
        }

        [Fact]
        public void HmacSha256_Random_MatchesBcl_AndIsReusable()
        {
            var rng = new Random(7);
            var mac = new HmacSha256();
            var output = new byte[32];
            for (int i = 0; i < 400; i++)
            {
                var key = new byte[rng.Next(0, 150)];
                var data = new byte[rng.Next(0, 700)];
                rng.NextBytes(key);
                rng.NextBytes(data);
                mac.SetKey(key, 0, key.Length);
                // Two MACs with one key setting: Finish must leave it ready for the next.
                for (int round = 0; round < 2; round++)
                {
                    int split = data.Length == 0 ? 0 : rng.Next(data.Length);
                    mac.Update(data, 0, split);
                    mac.Update(data, split, data.Length - split);
                    mac.Finish(output, 0);
                    Assert.Equal(HMACSHA256.HashData(key, data), output);
                }
            }
        }

        [Fact]
        public void FixedTime_Compares()
        {
            var a = new byte[] { 1, 2, 3, 4 };
            var b = new byte[] { 9, 1, 2, 3, 4 };
            Assert.True(FixedTime.AreEqual(a, 0, b, 1, 4));
            b[4] = 5;
            Assert.False(FixedTime.AreEqual(a, 0, b, 1, 4));
            Assert.True(FixedTime.AreEqual(a, 0, b, 0, 0));
        }

        [Fact]
        public void Session_KeyDerivation_MatchesSpec()
        {
            var key = new byte[32];
            new Random(3).NextBytes(key);
            var cn = new byte[16];
            var sn = new byte[16];
            new Random(4).NextBytes(cn);
            new Random(5).NextBytes(sn);
            var session = new Session();
            session.SetHostKey(key, 0);
            session.Start(cn, 0, sn, 0);

            // Recompute by the spec with the BCL.
            byte[] sessionKey = HMACSHA256.HashData(key, Concat(Encoding.ASCII.GetBytes("hv-session"), cn, sn));
            byte[] content = { 1, 2, 3, 4, 5 };
            ulong seq = 0x0102030405060708;
            byte[] seqBytes = BitConverter.GetBytes(seq);
            Assert.True(BitConverter.IsLittleEndian);
            byte[] expected = HMACSHA256.HashData(sessionKey, Concat(cn, sn, new byte[] { Session.ClientToServer }, seqBytes, content));

            var mac = new byte[16];
            session.ComputeMac(Session.ClientToServer, seq, content, 0, content.Length, mac, 0);
            Assert.Equal(expected.AsSpan(0, 16).ToArray(), mac);
            Assert.True(session.CheckMac(Session.ClientToServer, seq, content, 0, content.Length, mac, 0));
            Assert.False(session.CheckMac(Session.ServerToClient, seq, content, 0, content.Length, mac, 0));
            Assert.False(session.CheckMac(Session.ClientToServer, seq + 1, content, 0, content.Length, mac, 0));
        }

        [Fact]
        public void HostKey_ParseAndFormat()
        {
            var key = new byte[32];
            for (int i = 0; i < 32; i++)
            {
                key[i] = (byte)(i * 7 + 1);
            }
            var chars = new char[HostKey.FormattedChars];
            HostKey.Format(key, chars, 0);
            string text = new string(chars);
            Assert.Equal(71, text.Length);
            Assert.Equal(7, text.Split('-').Length - 1);
            var parsed = new byte[32];
            Assert.True(HostKey.TryParse(text, parsed));
            Assert.Equal(key, parsed);
            Assert.True(HostKey.TryParse(Convert.ToHexString(key), parsed));
            Assert.Equal(key, parsed);
            byte[] ascii = Encoding.ASCII.GetBytes(text);
            Assert.True(HostKey.TryParse(ascii, 0, ascii.Length, parsed));
            Assert.Equal(key, parsed);
            Assert.False(HostKey.TryParse(text.Substring(2), parsed));
            Assert.False(HostKey.TryParse(text + "00", parsed));
            Assert.False(HostKey.TryParse("g" + text.Substring(1), parsed));
            Assert.False(HostKey.TryParse((string)null, parsed));
        }

        [Fact]
        public void HostKey_fingerprint_is_the_first_four_bytes_of_its_sha256_in_hex()
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            var chars = new char[HostKey.FingerprintChars];
            HostKey.FormatFingerprint(key, chars, 0);
            string expected = Convert.ToHexString(SHA256.HashData(key), 0, 4).ToLowerInvariant();
            Assert.Equal(expected, new string(chars));
            Assert.DoesNotContain(new string(chars), Convert.ToHexString(key).ToLowerInvariant());
        }

        private static byte[] Concat(params byte[][] parts)
        {
            int n = 0;
            foreach (var p in parts)
            {
                n += p.Length;
            }
            var result = new byte[n];
            int at = 0;
            foreach (var p in parts)
            {
                Buffer.BlockCopy(p, 0, result, at, p.Length);
                at += p.Length;
            }
            return result;
        }
    }
}
