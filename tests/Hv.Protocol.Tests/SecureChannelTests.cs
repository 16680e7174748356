using System;
using System.Linq;
using System.Numerics;
using Hv.Crypto;
using Hv.Testing;

namespace Hv.Protocol.Tests
{
    /// <summary>The secure channel (SECURE-CHANNEL.md): handshake between client and server objects, then records.</summary>
    public class SecureChannelTests
    {
        private static byte[] Bytes(int seed, int count)
        {
            var data = new byte[count];
            new Random(seed).NextBytes(data);
            return data;
        }

        private static readonly byte[] HostKeyBytes = Bytes(1, 32);

        private sealed class Pair
        {
            public readonly SecureHandshake Client = new SecureHandshake();
            public readonly SecureHandshake Server = new SecureHandshake();
            public readonly RecordLayer ClientRecords = new RecordLayer();
            public readonly RecordLayer ServerRecords = new RecordLayer();
            public readonly byte[] ClientHello = new byte[SecureHandshake.ClientHelloBytes];
            public readonly byte[] ServerHello = new byte[SecureHandshake.ServerHelloBytes];
            public readonly byte[] ClientFinished = new byte[SecureHandshake.ClientFinishedBytes];
            public SecureChannelStatus ClientStatus;
            public SecureChannelStatus ServerStatus;

            // Runs the three messages; tamper (if given) may change each message in flight.
            public Pair(byte[] clientKey, byte[] serverKey, int seed, Action<string, byte[]> tamper = null)
            {
                Assert.Equal(SecureChannelStatus.Ok, Client.ClientHello(Bytes(seed, 32), 0, ClientHello, 0));
                tamper?.Invoke("ClientHello", ClientHello);
                ServerStatus = Server.ServerHello(serverKey, 0, Bytes(seed + 1, 32), 0, ClientHello, 0, ServerHello, 0);
                if (ServerStatus != SecureChannelStatus.Ok)
                {
                    return;
                }
                tamper?.Invoke("ServerHello", ServerHello);
                ClientStatus = Client.ClientFinish(clientKey, 0, ServerHello, 0, ClientFinished, 0, ClientRecords);
                tamper?.Invoke("ClientFinished", ClientFinished);
                ServerStatus = Server.ServerFinish(ClientFinished, 0, ServerRecords);
            }
        }

        private static byte[] Seal(RecordLayer records, byte[] plain)
        {
            var buffer = new byte[plain.Length + RecordLayer.OverheadBytes];
            Array.Copy(plain, 0, buffer, RecordLayer.HeaderBytes, plain.Length);
            Assert.Equal(SecureChannelStatus.Ok, records.Seal(buffer, 0, plain.Length, out int length));
            Assert.Equal(buffer.Length, length);
            return buffer;
        }

        private static SecureChannelStatus Open(RecordLayer records, byte[] record, out byte[] plain)
        {
            byte[] copy = (byte[])record.Clone();
            SecureChannelStatus status = records.Open(copy, 0, copy.Length, out byte type, out int offset, out int count);
            plain = status == SecureChannelStatus.Ok ? copy.Skip(offset).Take(count).ToArray() : null;
            if (status == SecureChannelStatus.Ok)
            {
                Assert.Equal(RecordLayer.Data, type);
            }
            return status;
        }

        [Fact]
        public void Handshake_AuthenticatesBothSides_AndCarriesRecordsBothWays()
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 10);
            Assert.Equal(SecureChannelStatus.Ok, pair.ClientStatus);
            Assert.Equal(SecureChannelStatus.Ok, pair.ServerStatus);
            Assert.True(pair.Client.IsDone && pair.Server.IsDone);
            Assert.Equal(new byte[] { 0x48, 0x76, 0x43, 0x01 }, pair.ClientHello.Take(4).ToArray());
            Assert.Equal(new byte[] { 0x48, 0x76, 0x53, 0x01 }, pair.ServerHello.Take(4).ToArray());

            for (int i = 0; i < 20; i++)
            {
                byte[] request = Bytes(100 + i, i * 97 % RecordLayer.MaxPlaintextBytes);
                byte[] record = Seal(pair.ClientRecords, request);
                if (request.Length > 0)
                {
                    Assert.NotEqual(request, record.Skip(RecordLayer.HeaderBytes).Take(request.Length).ToArray());
                }
                Assert.Equal(SecureChannelStatus.Ok, Open(pair.ServerRecords, record, out byte[] received));
                Assert.Equal(request, received);

                byte[] response = Bytes(200 + i, 1 + i * 31);
                Assert.Equal(SecureChannelStatus.Ok, Open(pair.ClientRecords, Seal(pair.ServerRecords, response), out received));
                Assert.Equal(response, received);
            }
            Assert.Equal(20UL, pair.ClientRecords.SentRecords);
            Assert.Equal(20UL, pair.ServerRecords.ReceivedRecords);
        }

        [Fact]
        public void Handshake_MatchesTheSpecifiedKeySchedule()
        {
            // Recompute SECURE-CHANNEL.md's key schedule with the BCL from the transcript alone.
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 20);
            byte[] clientSecret = Bytes(20, 32), serverPublic = pair.ServerHello.Skip(4).Take(32).ToArray();
            var shared = new byte[32];
            new X25519().Compute(shared, 0, clientSecret, 0, serverPublic, 0);
            byte[] prk = System.Security.Cryptography.HKDF.Extract(System.Security.Cryptography.HashAlgorithmName.SHA256, shared, HostKeyBytes);
            byte[] th1 = System.Security.Cryptography.SHA256.HashData(pair.ClientHello.Concat(pair.ServerHello.Take(36)).ToArray());
            byte[] th2 = System.Security.Cryptography.SHA256.HashData(pair.ClientHello.Concat(pair.ServerHello).ToArray());
            byte[] Expand(string label, byte[] th, int length) => System.Security.Cryptography.HKDF.Expand(
                System.Security.Cryptography.HashAlgorithmName.SHA256, prk, length, System.Text.Encoding.ASCII.GetBytes(label).Concat(th).ToArray());
            byte[] serverMac = System.Security.Cryptography.HMACSHA256.HashData(Expand("hv-sc1 server finished", th1, 32), th1);
            byte[] clientMac = System.Security.Cryptography.HMACSHA256.HashData(Expand("hv-sc1 client finished", th2, 32), th2);
            Assert.Equal(serverMac, pair.ServerHello.Skip(36).ToArray());
            Assert.Equal(clientMac, pair.ClientFinished);

            // The first client record is ChaCha20-Poly1305 under the c2s key with nonce = IV (sequence 0).
            byte[] c2s = Expand("hv-sc1 c2s", th2, 44);
            byte[] plain = Bytes(21, 50);
            byte[] record = Seal(pair.ClientRecords, plain);
            using var bcl = new System.Security.Cryptography.ChaCha20Poly1305(c2s.Take(32).ToArray());
            var decrypted = new byte[plain.Length];
            bcl.Decrypt(c2s.Skip(32).ToArray(), record.Skip(3).Take(plain.Length).ToArray(), record.Skip(3 + plain.Length).ToArray(),
                        decrypted, record.Take(3).ToArray());
            Assert.Equal(plain, decrypted);
            Assert.Equal(new byte[] { RecordLayer.Data, 0, 50 }, record.Take(3).ToArray());
        }

        [Fact]
        public void WrongKey_FailsCleanlyOnBothSides()
        {
            byte[] otherKey = Bytes(2, 32);
            var pair = new Pair(otherKey, HostKeyBytes, 30);
            Assert.Equal(SecureChannelStatus.AuthenticationFailed, pair.ClientStatus);
            Assert.Equal(new byte[32], pair.ClientFinished);
            Assert.Equal(SecureChannelStatus.AuthenticationFailed, pair.ServerStatus);
            Assert.False(pair.Client.IsDone || pair.Server.IsDone);
            Assert.False(pair.ClientRecords.IsLive || pair.ServerRecords.IsLive);
        }

        [Theory]
        [InlineData("ClientHello", 10)]
        [InlineData("ServerHello", 10)]
        [InlineData("ServerHello", 50)]
        [InlineData("ClientFinished", 3)]
        public void TamperedHandshakeMessage_FailsAuthentication(string message, int index)
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 40, (name, bytes) =>
            {
                if (name == message)
                {
                    bytes[index] ^= 0x20;
                }
            });
            Assert.False(pair.Client.IsDone && pair.Server.IsDone);
            Assert.Equal(SecureChannelStatus.AuthenticationFailed, pair.ServerStatus);
            if (message != "ClientFinished")
            {
                Assert.Equal(SecureChannelStatus.AuthenticationFailed, pair.ClientStatus);
            }
        }

        [Fact]
        public void BadMagic_ReflectedMessages_AndCallsOutOfOrder_AreRefused()
        {
            var server = new SecureHandshake();
            var output = new byte[SecureHandshake.ServerHelloBytes];
            var reflected = new byte[SecureHandshake.ServerHelloBytes];
            new SecureHandshake().ServerHello(HostKeyBytes, 0, Bytes(3, 32), 0, ClientHelloFrom(4), 0, reflected, 0);
            Assert.Equal(SecureChannelStatus.BadMessage, server.ServerHello(HostKeyBytes, 0, Bytes(5, 32), 0, reflected, 0, output, 0));

            var client = new SecureHandshake();
            var hello = new byte[SecureHandshake.ClientHelloBytes];
            var finished = new byte[32];
            Assert.Equal(SecureChannelStatus.WrongState, client.ClientFinish(HostKeyBytes, 0, reflected, 0, finished, 0, new RecordLayer()));
            Assert.Equal(SecureChannelStatus.Ok, client.ClientHello(Bytes(6, 32), 0, hello, 0));
            Assert.Equal(SecureChannelStatus.WrongState, client.ClientHello(Bytes(6, 32), 0, hello, 0));
            Assert.Equal(SecureChannelStatus.WrongState, client.ServerFinish(finished, 0, new RecordLayer()));
            Assert.Equal(SecureChannelStatus.BadMessage, client.ClientFinish(HostKeyBytes, 0, hello, 0, finished, 0, new RecordLayer()));

            var fresh = new SecureHandshake();
            Assert.Equal(SecureChannelStatus.WrongState, fresh.ServerFinish(finished, 0, new RecordLayer()));
            fresh.Reset();
            Assert.Equal(SecureChannelStatus.Ok, fresh.ClientHello(Bytes(6, 32), 0, hello, 0));
        }

        private static byte[] ClientHelloFrom(int seed)
        {
            var hello = new byte[SecureHandshake.ClientHelloBytes];
            new SecureHandshake().ClientHello(Bytes(seed, 32), 0, hello, 0);
            return hello;
        }

        [Fact]
        public void LowOrderEphemeralKeys_AreRefused()
        {
            BigInteger p = BigInteger.Pow(2, 255) - 19;
            // u = 0 and 1 and their non-canonical forms p and p + 1: X25519 gives all zeros (RFC 7748 §6.1).
            foreach (BigInteger u in new[] { BigInteger.Zero, BigInteger.One, p, p + 1 })
            {
                byte[] hello = ClientHelloFrom(7);
                byte[] raw = u.ToByteArray(isUnsigned: true, isBigEndian: false);
                Array.Clear(hello, 4, 32);
                Array.Copy(raw, 0, hello, 4, raw.Length);
                var output = new byte[SecureHandshake.ServerHelloBytes];
                Assert.Equal(SecureChannelStatus.LowOrderPoint,
                             new SecureHandshake().ServerHello(HostKeyBytes, 0, Bytes(8, 32), 0, hello, 0, output, 0));
            }
        }

        [Fact]
        public void EachSessionHasItsOwnKeys()
        {
            var first = new Pair(HostKeyBytes, HostKeyBytes, 50);
            var second = new Pair(HostKeyBytes, HostKeyBytes, 60);
            byte[] record = Seal(first.ClientRecords, Bytes(9, 40));
            Assert.Equal(SecureChannelStatus.RecordRejected, Open(second.ServerRecords, record, out _));
            Assert.Equal(SecureChannelStatus.Ok, Open(first.ServerRecords, record, out _));
        }

        [Fact]
        public void ReplayedReorderedReflectedAndTruncatedRecords_AreRefused_AndKillTheSession()
        {
            // Replay.
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 70);
            byte[] r0 = Seal(pair.ClientRecords, Bytes(11, 30));
            byte[] r1 = Seal(pair.ClientRecords, Bytes(12, 30));
            Assert.Equal(SecureChannelStatus.Ok, Open(pair.ServerRecords, r0, out _));
            Assert.Equal(SecureChannelStatus.RecordRejected, Open(pair.ServerRecords, r0, out _));
            Assert.Equal(SecureChannelStatus.SessionDead, Open(pair.ServerRecords, r1, out _));
            Assert.False(pair.ServerRecords.IsLive);
            Assert.Equal(SecureChannelStatus.SessionDead, pair.ServerRecords.Seal(new byte[40], 0, 10, out _));

            // Reorder.
            pair = new Pair(HostKeyBytes, HostKeyBytes, 71);
            r0 = Seal(pair.ClientRecords, Bytes(11, 30));
            r1 = Seal(pair.ClientRecords, Bytes(12, 30));
            Assert.Equal(SecureChannelStatus.RecordRejected, Open(pair.ServerRecords, r1, out _));
            Assert.Equal(SecureChannelStatus.SessionDead, Open(pair.ServerRecords, r0, out _));

            // A client record reflected back to the client.
            pair = new Pair(HostKeyBytes, HostKeyBytes, 72);
            Assert.Equal(SecureChannelStatus.RecordRejected, Open(pair.ClientRecords, Seal(pair.ClientRecords, Bytes(13, 30)), out _));

            // Truncated, and with bytes appended.
            pair = new Pair(HostKeyBytes, HostKeyBytes, 73);
            r0 = Seal(pair.ClientRecords, Bytes(14, 30));
            Assert.Equal(SecureChannelStatus.BadRecord, Open(pair.ServerRecords, r0.Take(r0.Length - 1).ToArray(), out _));
            pair = new Pair(HostKeyBytes, HostKeyBytes, 74);
            r0 = Seal(pair.ClientRecords, Bytes(14, 30));
            Assert.Equal(SecureChannelStatus.BadRecord, Open(pair.ServerRecords, r0.Concat(new byte[1]).ToArray(), out _));
        }

        [Fact]
        public void EveryTamperedBit_IsRefused()
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 80);
            byte[] record = Seal(pair.ClientRecords, Bytes(15, 24));
            byte[] keys = ExportedKeys(pair, 80);
            for (int bit = 0; bit < record.Length * 8; bit++)
            {
                var receiver = new RecordLayer();
                receiver.Start(keys, 44, keys, 0);
                byte[] tampered = (byte[])record.Clone();
                tampered[bit / 8] ^= (byte)(1 << (bit % 8));
                SecureChannelStatus status = Open(receiver, tampered, out _);
                Assert.True(status == SecureChannelStatus.RecordRejected || status == SecureChannelStatus.BadRecord, status.ToString());
            }
        }

        // The c2s and s2c key material of a session, rebuilt from its transcript (as in the key-schedule test).
        private static byte[] ExportedKeys(Pair pair, int seed)
        {
            var shared = new byte[32];
            new X25519().Compute(shared, 0, Bytes(seed, 32), 0, pair.ServerHello, 4);
            byte[] prk = System.Security.Cryptography.HKDF.Extract(System.Security.Cryptography.HashAlgorithmName.SHA256, shared, HostKeyBytes);
            byte[] th2 = System.Security.Cryptography.SHA256.HashData(pair.ClientHello.Concat(pair.ServerHello).ToArray());
            byte[] Expand(string label) => System.Security.Cryptography.HKDF.Expand(System.Security.Cryptography.HashAlgorithmName.SHA256,
                prk, 44, System.Text.Encoding.ASCII.GetBytes(label).Concat(th2).ToArray());
            return Expand("hv-sc1 c2s").Concat(Expand("hv-sc1 s2c")).ToArray();
        }

        [Fact]
        public void CloseRecord_EndsTheDirection()
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 90);
            var buffer = new byte[RecordLayer.OverheadBytes];
            Assert.Equal(SecureChannelStatus.Ok, pair.ClientRecords.SealClose(buffer, 0, out int length));
            Assert.Equal(RecordLayer.OverheadBytes, length);
            Assert.Equal(SecureChannelStatus.Closed, pair.ClientRecords.Seal(new byte[40], 0, 1, out _));
            Assert.Equal(SecureChannelStatus.Ok, pair.ServerRecords.Open(buffer, 0, length, out byte type, out _, out int count));
            Assert.Equal(RecordLayer.Close, type);
            Assert.Equal(0, count);
            Assert.Equal(SecureChannelStatus.Closed, pair.ServerRecords.Open(buffer, 0, length, out _, out _, out _));
            // The other direction is still open until the server closes too.
            Assert.Equal(SecureChannelStatus.SessionDead, pair.ServerRecords.Seal(new byte[40], 0, 1, out _));
        }

        [Fact]
        public void RecordBytes_ReadsOnlyTheHeader()
        {
            Assert.Equal(0, RecordLayer.RecordBytes(new byte[] { RecordLayer.Data, 0 }, 0, 2));
            Assert.Equal(19 + 258, RecordLayer.RecordBytes(new byte[] { RecordLayer.Data, 1, 2 }, 0, 3));
            Assert.Equal(19, RecordLayer.RecordBytes(new byte[] { RecordLayer.Close, 0, 0 }, 0, 3));
            Assert.Equal(-1, RecordLayer.RecordBytes(new byte[] { RecordLayer.Close, 0, 1 }, 0, 3));
            Assert.Equal(-1, RecordLayer.RecordBytes(new byte[] { 0x16, 0, 0 }, 0, 3));
            Assert.Equal(-1, RecordLayer.RecordBytes(new byte[] { RecordLayer.Data, 0x40, 1 }, 0, 3));
            Assert.Equal(RecordLayer.MaxRecordBytes, RecordLayer.RecordBytes(new byte[] { RecordLayer.Data, 0x40, 0 }, 0, 3));
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 91);
            Assert.Equal(SecureChannelStatus.TooLarge, pair.ClientRecords.Seal(new byte[20000], 0, RecordLayer.MaxPlaintextBytes + 1, out _));
        }

        [Fact]
        public void SealAndOpen_DoNotAllocate()
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 92);
            var buffer = new byte[1000 + RecordLayer.OverheadBytes];
            pair.ClientRecords.Seal(buffer, 0, 1000, out int length);
            pair.ServerRecords.Open(buffer, 0, length, out _, out _, out _);
            int failures = 0;
            long fewest = AllocationRounds.Fewest(3, () =>
            {
                for (int i = 0; i < 1000; i++)
                {
                    pair.ClientRecords.Seal(buffer, 0, 1000, out int sealedLength);
                    failures += pair.ServerRecords.Open(buffer, 0, sealedLength, out _, out _, out _) == SecureChannelStatus.Ok ? 0 : 1;
                }
            });
            Assert.Equal(0, fewest);
            Assert.Equal(0, failures);
        }

        [Fact]
        public void MillionFuzzedRecords_NeverCrash_AndOnlyTheGenuineOneOpens()
        {
            var pair = new Pair(HostKeyBytes, HostKeyBytes, 93);
            byte[] keys = ExportedKeys(pair, 93);
            var receiver = new RecordLayer();
            var sender = new RecordLayer();
            var rng = new Random(1234);
            var buffer = new byte[RecordLayer.MaxRecordBytes + 64];
            var genuine = new byte[200];
            int opened = 0, wrong = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                receiver.Start(keys, 44, keys, 0);
                int count;
                bool pristine = false;
                if ((i & 3) == 0)
                {
                    count = rng.Next(0, 80);
                    rng.NextBytes(new Span<byte>(buffer, 0, count));
                    if (count >= 3 && (i & 4) == 0)
                    {
                        buffer[0] = RecordLayer.Data; // random body behind a plausible header
                        buffer[1] = 0;
                        buffer[2] = (byte)Math.Max(0, count - RecordLayer.OverheadBytes);
                    }
                }
                else
                {
                    sender.Start(keys, 0, keys, 44);
                    int plain = rng.Next(0, 60);
                    sender.Seal(buffer, 0, plain, out count);
                    Array.Copy(buffer, genuine, count);
                    switch (rng.Next(4))
                    {
                        case 0: buffer[rng.Next(count)] ^= (byte)(1 << rng.Next(8)); break;
                        case 1: count = rng.Next(0, count); break;
                        case 2: buffer[rng.Next(count)] = (byte)rng.Next(256); pristine = buffer.AsSpan(0, count).SequenceEqual(genuine.AsSpan(0, count)); break;
                        default: pristine = true; break;
                    }
                }
                SecureChannelStatus status = receiver.Open(buffer, 0, count, out _, out _, out _);
                wrong += pristine != (status == SecureChannelStatus.Ok) || (status != SecureChannelStatus.Ok && receiver.IsLive) ? 1 : 0;
                opened += status == SecureChannelStatus.Ok ? 1 : 0;
            }
            Assert.Equal(0, wrong);
            Assert.InRange(opened, 150_000, 250_000);
        }
    }
}
