using System;
using System.Text;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    public class WireTests
    {
        [Fact]
        public void Crc32_CheckValue()
        {
            byte[] data = Encoding.ASCII.GetBytes("123456789");
            Assert.Equal(0xCBF43926u, Crc32.Compute(data, 0, data.Length));
            Assert.Equal(0u, Crc32.Compute(data, 0, 0));
        }

        [Fact]
        public void Cobs_KnownVectors()
        {
            // From the COBS paper / Wikipedia examples.
            Check(new byte[] { 0x00 }, new byte[] { 0x01, 0x01 });
            Check(new byte[] { 0x00, 0x00 }, new byte[] { 0x01, 0x01, 0x01 });
            Check(new byte[] { 0x11, 0x22, 0x00, 0x33 }, new byte[] { 0x03, 0x11, 0x22, 0x02, 0x33 });
            Check(new byte[] { 0x11, 0x22, 0x33, 0x44 }, new byte[] { 0x05, 0x11, 0x22, 0x33, 0x44 });
            Check(new byte[] { 0x11, 0x00, 0x00, 0x00 }, new byte[] { 0x02, 0x11, 0x01, 0x01, 0x01 });
            Check(Array.Empty<byte>(), new byte[] { 0x01 });

            static void Check(byte[] input, byte[] expected)
            {
                var dst = new byte[Cobs.MaxEncodedLength(input.Length)];
                int n = Cobs.Encode(input, 0, input.Length, dst, 0);
                Assert.Equal(expected, dst.AsSpan(0, n).ToArray());
                var back = new byte[input.Length + 1];
                Assert.Equal(input.Length, Cobs.Decode(dst, 0, n, back, 0));
                Assert.Equal(input, back.AsSpan(0, input.Length).ToArray());
            }
        }

        [Fact]
        public void Cobs_RoundTrip_RandomAndLongRuns()
        {
            var rng = new Random(11);
            for (int len = 0; len < 1100; len += (len < 600 ? 1 : 37))
            {
                foreach (int zeroOdds in new[] { 0, 2, 50 })
                {
                    var data = new byte[len];
                    for (int i = 0; i < len; i++)
                    {
                        data[i] = zeroOdds != 0 && rng.Next(zeroOdds) == 0 ? (byte)0 : (byte)rng.Next(1, 256);
                    }
                    var enc = new byte[Cobs.MaxEncodedLength(len)];
                    int n = Cobs.Encode(data, 0, len, enc, 0);
                    Assert.True(n > 0 && n <= enc.Length);
                    Assert.DoesNotContain((byte)0, enc.AsSpan(0, n).ToArray());
                    var back = new byte[len];
                    Assert.Equal(len, Cobs.Decode(enc, 0, n, back, 0));
                    Assert.Equal(data, back);
                }
            }
        }

        [Fact]
        public void Cobs_RejectsMalformed()
        {
            var dst = new byte[16];
            Assert.Equal(-1, Cobs.Decode(new byte[] { 0x05, 0x11, 0x22 }, 0, 3, dst, 0)); // block cut short
            Assert.Equal(-1, Cobs.Decode(new byte[] { 0x02, 0x00 }, 0, 2, dst, 0));       // embedded zero
            Assert.Equal(-1, Cobs.Encode(new byte[10], 0, 10, new byte[5], 0));          // no room
        }

        [Fact]
        public void Varints_RoundTrip()
        {
            var buffer = new byte[64];
            var w = new MessageWriter(buffer);
            var r = new MessageReader();
            ulong[] unsigned = { 0, 1, 127, 128, 255, 300, 16383, 16384, uint.MaxValue, (ulong)uint.MaxValue + 1, ulong.MaxValue };
            foreach (ulong v in unsigned)
            {
                w.Reset(buffer, 0, buffer.Length);
                w.WriteVarUInt(v);
                r.Reset(buffer, 0, w.Length);
                Assert.True(r.ReadVarUInt(out ulong back));
                Assert.Equal(v, back);
                Assert.Equal(0, r.Remaining);
            }
            Assert.Equal(1, Len(127));
            Assert.Equal(2, Len(128));
            Assert.Equal(10, Len(ulong.MaxValue));
            long[] signed = { 0, -1, 1, -64, 64, int.MinValue, int.MaxValue, long.MinValue, long.MaxValue };
            foreach (long v in signed)
            {
                w.Reset(buffer, 0, buffer.Length);
                w.WriteVarInt(v);
                r.Reset(buffer, 0, w.Length);
                Assert.True(r.ReadVarInt(out long back));
                Assert.Equal(v, back);
            }

            int Len(ulong v)
            {
                w.Reset(buffer, 0, buffer.Length);
                w.WriteVarUInt(v);
                return w.Length;
            }
        }

        [Fact]
        public void Reader_RejectsOverlongAndOutOfRange()
        {
            var r = new MessageReader();
            byte[] eleven = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };
            r.Reset(eleven, 0, eleven.Length);
            Assert.False(r.ReadVarUInt(out _));
            Assert.Equal(ReadStatus.Malformed, r.Status);

            byte[] overflow = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 };
            r.Reset(overflow, 0, overflow.Length);
            Assert.False(r.ReadVarUInt(out _));

            byte[] big = { 0x80, 0x80, 0x80, 0x80, 0x10 }; // 2^32
            r.Reset(big, 0, big.Length);
            Assert.False(r.ReadVarUInt32(out _));
            Assert.Equal(ReadStatus.Malformed, r.Status);

            byte[] longBlock = { 0x05, 1, 2, 3, 4, 5 };
            r.Reset(longBlock, 0, longBlock.Length);
            Assert.False(r.ReadBlock(4, out _, out _));
            Assert.Equal(ReadStatus.TooLarge, r.Status);
            Assert.False(r.ReadByte(out _)); // sticky
        }

        [Fact]
        public void Reader_EveryTruncationFails_NeverThrows()
        {
            var buffer = new byte[256];
            var w = new MessageWriter(buffer);
            w.WriteByte(7);
            w.WriteVarUInt(123456789);
            w.WriteString("héllo wörld", 64);
            w.WriteBlock(new byte[] { 1, 2, 3 }, 0, 3);
            w.WriteVarInt(-99999);
            w.WriteUInt16(0xBEEF);
            int full = w.Length;
            var r = new MessageReader();
            for (int cut = 0; cut <= full; cut++)
            {
                r.Reset(buffer, 0, cut);
                bool ok = r.ReadByte(out _) && r.ReadVarUInt(out _) && r.ReadString(64, out _)
                    && r.ReadBlock(16, out _, out _) && r.ReadVarInt(out _) && r.ReadUInt16(out _);
                Assert.Equal(cut == full, ok);
                if (!ok)
                {
                    Assert.Equal(ReadStatus.Truncated, r.Status);
                }
            }
        }

        [Fact]
        public void Writer_OverflowIsSticky_AndNothingWritesPastLimit()
        {
            var buffer = new byte[8];
            var w = new MessageWriter();
            w.Reset(buffer, 2, 4);
            w.WriteVarUInt(1);
            w.WriteRaw(new byte[5], 0, 5);
            Assert.True(w.Overflow);
            w.WriteByte(9);
            Assert.Equal(1, w.Length);
            Assert.Equal(0, buffer[3]);
            Assert.Equal(0, buffer[6]);
        }

        [Fact]
        public void Utf8_MatchesBcl_RandomStrings()
        {
            var rng = new Random(5);
            var buffer = new byte[1024];
            var chars = new char[1024];
            for (int i = 0; i < 2000; i++)
            {
                var sb = new StringBuilder();
                int n = rng.Next(0, 40);
                for (int k = 0; k < n; k++)
                {
                    switch (rng.Next(5))
                    {
                        case 0: sb.Append((char)rng.Next(0x20, 0x7F)); break;
                        case 1: sb.Append((char)rng.Next(0x80, 0x800)); break;
                        case 2: sb.Append((char)rng.Next(0x800, 0xD800)); break;
                        case 3: sb.Append(char.ConvertFromUtf32(rng.Next(0x10000, 0x10FFFF))); break;
                        default: sb.Append((char)rng.Next(0xE000, 0x10000)); break;
                    }
                }
                string s = sb.ToString();
                byte[] expected = Encoding.UTF8.GetBytes(s);
                Assert.Equal(expected.Length, Utf8.ByteCount(s));
                int written = Utf8.Encode(s, buffer, 0);
                Assert.Equal(expected, buffer.AsSpan(0, written).ToArray());
                int decoded = Utf8.Decode(buffer, 0, written, chars, 0);
                Assert.Equal(s, new string(chars, 0, decoded));
                Assert.True(Utf8.EqualsString(buffer, 0, written, s));
                Assert.True(Utf8.IsWellFormed(buffer, 0, written));
            }
        }

        [Fact]
        public void Utf8_MalformedBytes_DecodeLikeBcl()
        {
            var rng = new Random(9);
            var chars = new char[256];
            for (int i = 0; i < 3000; i++)
            {
                var bytes = new byte[rng.Next(0, 24)];
                rng.NextBytes(bytes);
                int n = Utf8.Decode(bytes, 0, bytes.Length, chars, 0);
                Assert.Equal(Encoding.UTF8.GetString(bytes), new string(chars, 0, n));
                bool bclValid = true;
                try
                {
                    new UTF8Encoding(false, true).GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    bclValid = false;
                }
                Assert.Equal(bclValid, Utf8.IsWellFormed(bytes, 0, bytes.Length));
            }
        }

        [Fact]
        public void WriteString_CutsAtCharacterBoundary()
        {
            var buffer = new byte[64];
            var w = new MessageWriter(buffer);
            w.WriteString("ab\U0001F600cd", 5); // 'a' 'b' + 4-byte emoji would make 6: cut before the emoji
            var r = new MessageReader(buffer, 0, w.Length);
            Assert.True(r.ReadString(64, out string s));
            Assert.Equal("ab", s);
            w.Reset(buffer, 0, buffer.Length);
            w.WriteString(null, 10);
            r.Reset(buffer, 0, w.Length);
            Assert.True(r.ReadString(10, out s));
            Assert.Equal("", s);
        }

        [Fact]
        public void Utf8Field_RejectsControlCharactersAndBadUtf8()
        {
            var f = new Utf8Field(16);
            Assert.True(f.Set("vm-01"));
            Assert.True(f.IsCleanText());
            Assert.True(f.EqualsString("vm-01"));
            Assert.False(f.EqualsString("vm-02"));
            Assert.Equal("vm-01", f.ToNewString());
            Assert.True(f.Set("a\nb"));
            Assert.False(f.IsCleanText());
            Assert.True(f.Set(new byte[] { 0x41, 0xC0, 0x80 }, 0, 3));
            Assert.False(f.IsCleanText());
            Assert.False(f.Set(new string('x', 17)));
            Assert.Equal(0, f.Length);
        }

        [Fact]
        public void FrameEncoder_Layout()
        {
            var enc = new FrameEncoder();
            byte[] frame = { 1, 2, 0, 3 };
            int n = enc.Encode(frame, 0, frame.Length);
            Assert.Equal(0, enc.Output[0]);
            Assert.Equal(0, enc.Output[n - 1]);
            var decoded = new byte[16];
            int m = Cobs.Decode(enc.Output, 1, n - 2, decoded, 0);
            Assert.Equal(8, m);
            Assert.Equal(frame, decoded.AsSpan(0, 4).ToArray());
            Assert.Equal(Crc32.Compute(frame, 0, 4), BitConverter.ToUInt32(decoded, 4));
            Assert.Equal(-1, enc.Encode(new byte[ProtocolInfo.MaxFrameBytes], 0, ProtocolInfo.MaxFrameBytes));
        }
    }
}
