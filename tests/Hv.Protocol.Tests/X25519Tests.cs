using System;
using System.Numerics;
using Hv.Crypto;

namespace Hv.Protocol.Tests
{
    /// <summary>X25519 against RFC 7748's vectors (§5.2, §6.1) and a slow BigInteger model of §5's ladder.</summary>
    public class X25519Tests
    {
        private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

        private static byte[] Hex(string hex) => Convert.FromHexString(hex);

        private static byte[] Compute(byte[] scalar, byte[] u)
        {
            var output = new byte[32];
            new X25519().Compute(output, 0, scalar, 0, u, 0);
            return output;
        }

        [Theory]
        [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
                    "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
                    "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
        [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
                    "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
                    "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
        public void Section5_2_Vectors(string scalar, string u, string output)
        {
            Assert.Equal(Hex(output), Compute(Hex(scalar), Hex(u)));
        }

        [Fact]
        public void Section5_2_Iterated_1_And_1000()
        {
            // k = u = 9; each round k, u = X25519(k, u), k.
            var x = new X25519();
            byte[] k = new byte[32], u = new byte[32], next = new byte[32];
            k[0] = 9;
            u[0] = 9;
            for (int round = 1; round <= 1000; round++)
            {
                x.Compute(next, 0, k, 0, u, 0);
                Array.Copy(k, u, 32);
                Array.Copy(next, k, 32);
                if (round == 1)
                {
                    Assert.Equal(Hex("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"), k);
                }
            }
            Assert.Equal(Hex("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"), k);
        }

        [Fact]
        public void Section6_1_DiffieHellman()
        {
            byte[] alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
            byte[] bob = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
            var x = new X25519();
            byte[] alicePublic = new byte[32], bobPublic = new byte[32], aliceShared = new byte[32], bobShared = new byte[32];
            x.PublicKey(alicePublic, 0, alice, 0);
            x.PublicKey(bobPublic, 0, bob, 0);
            Assert.Equal(Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"), alicePublic);
            Assert.Equal(Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), bobPublic);
            x.Compute(aliceShared, 0, alice, 0, bobPublic, 0);
            x.Compute(bobShared, 0, bob, 0, alicePublic, 0);
            byte[] shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
            Assert.Equal(shared, aliceShared);
            Assert.Equal(shared, bobShared);
        }

        [Fact]
        public void InputsAreNotModified()
        {
            byte[] scalar = Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
            byte[] u = Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
            byte[] scalarCopy = (byte[])scalar.Clone(), uCopy = (byte[])u.Clone();
            Compute(scalar, u);
            Assert.Equal(scalarCopy, scalar);
            Assert.Equal(uCopy, u);
        }

        [Fact]
        public void MatchesTheBigIntegerLadder_IncludingEdgeCoordinates()
        {
            var rng = new Random(25519);
            BigInteger two255 = BigInteger.Pow(2, 255);
            BigInteger[] edges = { 0, 1, 2, 9, P - 1, P, P + 1, P + 18, two255 - 1, two255 + 5, two255 * 2 - 1 };
            var x = new X25519();
            var output = new byte[32];
            for (int trial = 0; trial < 200; trial++)
            {
                byte[] scalar = new byte[32], u = new byte[32];
                rng.NextBytes(scalar);
                if (trial < edges.Length)
                {
                    u = ToBytes(edges[trial]);
                }
                else
                {
                    rng.NextBytes(u);
                }
                x.Compute(output, 0, scalar, 0, u, 0);
                Assert.Equal(ToBytes(ReferenceX25519(scalar, u)), output);
            }
        }

        [Fact]
        public void Field_MulAndToBytes_MatchBigInteger()
        {
            var rng = new Random(3);
            var field = new Field25519();
            long[] f = new long[10], g = new long[10], h = new long[10];
            var bytes = new byte[32];
            for (int trial = 0; trial < 2000; trial++)
            {
                byte[] a = new byte[32], b = new byte[32];
                rng.NextBytes(a);
                rng.NextBytes(b);
                if (trial % 7 == 0)
                {
                    a = ToBytes(P + (trial % 19)); // non-canonical inputs just above p
                }
                Field25519.FromBytes(f, a, 0);
                Field25519.FromBytes(g, b, 0);
                BigInteger av = FromBytes(a) % BigInteger.Pow(2, 255), bv = FromBytes(b) % BigInteger.Pow(2, 255);
                field.Mul(h, f, g);
                field.ToBytes(bytes, 0, h);
                Assert.Equal(ToBytes(av * bv % P), bytes);
                Field25519.Sub(h, f, g);
                field.ToBytes(bytes, 0, h);
                Assert.Equal(ToBytes(((av - bv) % P + P) % P), bytes);
                field.ToBytes(bytes, 0, f);
                Assert.Equal(ToBytes(av % P), bytes);
            }
        }

        // RFC 7748 §5, written with BigInteger exactly as the RFC's pseudo-code reads.
        private static BigInteger ReferenceX25519(byte[] scalarBytes, byte[] uBytes)
        {
            byte[] k = (byte[])scalarBytes.Clone();
            k[0] &= 248;
            k[31] &= 127;
            k[31] |= 64;
            BigInteger scalar = FromBytes(k);
            BigInteger x1 = FromBytes(uBytes) % BigInteger.Pow(2, 255) % P;
            BigInteger x2 = 1, z2 = 0, x3 = x1, z3 = 1;
            int swap = 0;
            for (int t = 254; t >= 0; t--)
            {
                int kt = (int)((scalar >> t) & 1);
                swap ^= kt;
                if (swap == 1)
                {
                    (x2, x3) = (x3, x2);
                    (z2, z3) = (z3, z2);
                }
                swap = kt;
                BigInteger a = (x2 + z2) % P, aa = a * a % P, b = (x2 - z2 + P) % P, bb = b * b % P, e = (aa - bb + P) % P;
                BigInteger c = (x3 + z3) % P, d = (x3 - z3 + P) % P, da = d * a % P, cb = c * b % P;
                x3 = BigInteger.Pow(da + cb, 2) % P;
                z3 = x1 * BigInteger.Pow(da - cb + P, 2) % P;
                x2 = aa * bb % P;
                z2 = e * (aa + 121665 * e) % P;
            }
            if (swap == 1)
            {
                (x2, x3) = (x3, x2);
                (z2, z3) = (z3, z2);
            }
            return x2 * BigInteger.ModPow(z2, P - 2, P) % P;
        }

        private static BigInteger FromBytes(byte[] bytes) => new BigInteger(bytes, isUnsigned: true, isBigEndian: false);

        private static byte[] ToBytes(BigInteger value)
        {
            var output = new byte[32];
            byte[] raw = value.ToByteArray(isUnsigned: true, isBigEndian: false);
            Array.Copy(raw, output, Math.Min(raw.Length, 32));
            return output;
        }
    }
}
