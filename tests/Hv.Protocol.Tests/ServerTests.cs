using System;
using System.Linq;
using Hv.Protocol.Wire;

namespace Hv.Protocol.Tests
{
    public class ServerTests
    {
        private static Action<MessageWriter> Id(uint id) => w => w.WriteVarUInt(id);

        [Fact]
        public void Handshake_RightKey_ServerProvesKey_AndRequestsWork()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            var hs = h.Handshake();
            Assert.Equal(FrameLayout.HandshakeResponseOpcode, hs.Opcode);
            Assert.Equal(ErrorCode.Ok, hs.Status);
            // The handshake response's MAC (direction S, sequence 0) is the server's proof.
            int content = hs.Bytes.Length - 16;
            Assert.True(h.Session.CheckMac(Hv.Crypto.Session.ServerToClient, 0, hs.Bytes, 0, content, hs.Bytes, content));
            Assert.False(h.Server.HasSession); // pending until the client proves the key

            var frames = h.Send(h.Request(Opcode.StartVm, Id(vm)));
            Assert.Single(frames);
            Assert.Equal((int)Opcode.StartVm | 0x80, frames[0].Opcode);
            Assert.Equal(ErrorCode.Ok, frames[0].Status);
            h.Verify(frames[0]);
            Assert.True(h.Server.HasSession);
            Assert.Equal(VmState.Running, h.Host.StateOf(vm));
            Assert.Equal(0, h.Server.AuthFailures);
        }

        [Fact]
        public void Handshake_WrongKey_ProofFails_AndRequestsAreRefused()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            var hs = h.Handshake(clientKey: TestKeys.Key(99));
            int content = hs.Bytes.Length - 16;
            Assert.False(h.Session.CheckMac(Hv.Crypto.Session.ServerToClient, 0, hs.Bytes, 0, content, hs.Bytes, content));

            var frames = h.Send(h.Request(Opcode.StartVm, Id(vm)));
            Assert.Single(frames);
            Assert.Equal(FrameLayout.RefusedOpcode, frames[0].Opcode);
            Assert.Equal(ErrorCode.AuthFailed, frames[0].Status);
            Assert.Equal(VmState.Created, h.Host.StateOf(vm));
            Assert.Equal(0, h.Server.Requests);
            Assert.Equal(1, h.Server.AuthFailures);
        }

        [Fact]
        public void NoHandshake_Refused()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            h.Session.SetHostKey(h.Key, 0);
            h.Session.Start(new byte[16], 0, new byte[16], 0); // guessed nonces
            var frames = h.Send(h.Request(Opcode.StartVm, Id(vm)));
            Assert.Equal(ErrorCode.AuthFailed, Assert.Single(frames).Status);
            Assert.Equal(0, h.Server.Requests);
            Assert.Equal(VmState.Created, h.Host.StateOf(vm));
        }

        [Fact]
        public void UnsupportedVersion_HandshakeAnswersUnsupported()
        {
            var h = new ServerHarness();
            var content = new byte[] { 9, 1, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
            var frames = h.Send(h.Encode(content));
            var f = Assert.Single(frames);
            Assert.Equal(FrameLayout.HandshakeResponseOpcode, f.Opcode);
            Assert.Equal(ErrorCode.Unsupported, f.Status);
            Assert.Equal(ProtocolInfo.Version, f.Bytes[f.BodyOffset + 1]);
        }

        [Fact]
        public void TamperedContentOrMac_Refused_NotExecuted()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            h.Handshake();
            byte[] good = h.Request(Opcode.StartVm, Id(vm));
            // Decode, flip each byte in turn (header, body, MAC), re-frame with a valid CRC.
            var decoded = ServerHarness.DecodeAll(good)[0].Bytes;
            for (int i = 0; i < decoded.Length; i++)
            {
                var bad = (byte[])decoded.Clone();
                bad[i] ^= 0x01;
                var frames = h.Send(h.Encode(bad));
                Assert.Single(frames);
                Assert.Equal(ErrorCode.AuthFailed, frames[0].Status);
                Assert.Equal(FrameLayout.RefusedOpcode, frames[0].Opcode);
            }
            Assert.Equal(0, h.Server.Requests);
            Assert.Equal(VmState.Created, h.Host.StateOf(vm));
            Assert.Equal(decoded.Length, h.Server.AuthFailures);
            // The untampered frame still works (nothing above consumed its sequence number).
            var ok = h.Send(good);
            Assert.Equal(ErrorCode.Ok, ok[0].Status);
            Assert.Equal(VmState.Running, h.Host.StateOf(vm));
        }

        [Fact]
        public void ReplayedFrame_Refused()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            h.Handshake();
            byte[] start = h.Request(Opcode.StartVm, Id(vm));
            Assert.Equal(ErrorCode.Ok, h.Send(start)[0].Status);
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.PauseVm, Id(vm)))[0].Status);
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.ResumeVm, Id(vm)))[0].Status);
            long executed = h.Server.Requests;
            var replay = h.Send(start);
            Assert.Equal(FrameLayout.RefusedOpcode, replay[0].Opcode);
            Assert.Equal(ErrorCode.AuthFailed, replay[0].Status);
            Assert.Equal(executed, h.Server.Requests);
            Assert.Equal(VmState.Running, h.Host.StateOf(vm));
        }

        [Fact]
        public void ReorderedFrames_LaterOneRefused()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("alpha");
            h.Handshake();
            byte[] first = h.Request(Opcode.StartVm, Id(vm));  // seq 1
            byte[] second = h.Request(Opcode.PauseVm, Id(vm)); // seq 2
            // Deliver 2 before 1: 2 is accepted (gaps are allowed: frames may be lost), 1 is then stale.
            Assert.Equal(ErrorCode.InvalidState, h.Send(second)[0].Status); // executed in order received: not running yet
            var late = h.Send(first);
            Assert.Equal(ErrorCode.AuthFailed, late[0].Status);
            Assert.Equal(VmState.Created, h.Host.StateOf(vm));
        }

        [Fact]
        public void SameSequenceDifferentContent_Refused()
        {
            var h = new ServerHarness();
            uint a = h.AddVm("a");
            uint b = h.AddVm("b");
            h.Handshake();
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.StartVm, Id(a), sequence: 5))[0].Status);
            Assert.Equal(ErrorCode.AuthFailed, h.Send(h.Request(Opcode.StartVm, Id(b), sequence: 5))[0].Status);
            Assert.Equal(ErrorCode.AuthFailed, h.Send(h.Request(Opcode.StartVm, Id(b), sequence: 4))[0].Status);
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.StartVm, Id(b), sequence: 6))[0].Status);
        }

        [Fact]
        public void ReflectedServerFrame_Refused()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a");
            h.Handshake();
            var response = h.Send(h.Request(Opcode.StartVm, Id(vm)))[0];
            // Send the server's own authenticated response back to it: the direction byte differs.
            var echo = h.Send(h.Encode(response.Bytes));
            Assert.Equal(ErrorCode.AuthFailed, echo[0].Status);
        }

        [Fact]
        public void NewHandshake_ReplacesSession_OnlyOnceProven()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a");
            h.Handshake();
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.StartVm, Id(vm)))[0].Status);

            // An attacker's handshake (no key) does not disturb the working session.
            var nonce = new byte[16];
            var hello = new byte[] { 1, 1, 7, 0 }.Concat(nonce).ToArray();
            h.Server.Receive(h.Encode(hello), 0, h.Encode(hello).Length);
            Assert.Single(h.Responses());
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.PauseVm, Id(vm)))[0].Status);

            // A real new handshake: the first proven frame switches sessions; the old one is then dead.
            var oldSessionFrame = h.Request(Opcode.ResumeVm, Id(vm)); // made under the old session, not sent yet
            h.Handshake();
            Assert.Equal(ErrorCode.Ok, h.Send(h.Request(Opcode.ResumeVm, Id(vm)))[0].Status);
            Assert.Equal(ErrorCode.AuthFailed, h.Send(oldSessionFrame)[0].Status);
            Assert.Equal(VmState.Running, h.Host.StateOf(vm));
        }

        [Fact]
        public void Framing_GarbageCutOffAndBadCrc_ThenGoodFrameWorks()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a");
            h.Handshake();
            byte[] good = h.Request(Opcode.StartVm, Id(vm));
            var stream = new System.Collections.Generic.List<byte>();
            stream.AddRange(new byte[] { 0x41, 0x42, 0x43, 0x0D, 0x0A, 0xFF, 0x13 });  // line noise, no delimiter
            stream.AddRange(good.AsSpan(0, good.Length / 2).ToArray());               // a frame cut off mid-way
            byte[] badCrc = (byte[])good.Clone();
            badCrc[5] ^= 0x40;
            if (badCrc[5] == 0) badCrc[5] = 0x77;
            stream.AddRange(badCrc);                                                  // corrupted frame
            stream.AddRange(new byte[] { 0, 0, 0 });                                   // empty frames
            stream.AddRange(good);                                                    // the real one
            var frames = h.Send(stream.ToArray());
            var f = Assert.Single(frames);
            Assert.Equal(ErrorCode.Ok, f.Status);
            Assert.Equal(VmState.Running, h.Host.StateOf(vm));
            Assert.True(h.Server.BadFrames >= 2);
        }

        [Fact]
        public void UnknownOpcode_Authenticated_Unsupported()
        {
            var h = new ServerHarness();
            h.Handshake();
            var f = h.Send(h.Request((Opcode)0x55, null))[0];
            Assert.Equal(0x55 | 0x80, f.Opcode);
            Assert.Equal(ErrorCode.Unsupported, f.Status);
            h.Verify(f);
        }

        [Fact]
        public void TruncatedBody_InvalidArgument_AndLimitsEnforced()
        {
            var h = new ServerHarness();
            h.Handshake();
            Assert.Equal(ErrorCode.InvalidArgument, h.Send(h.Request(Opcode.StartVm, null))[0].Status);
            // A name over 64 bytes: TooLarge.
            var f = h.Send(h.Request(Opcode.CreateVm, w =>
            {
                w.WriteString("flat", 64);
                w.WriteBlock(new byte[65], 0, 65);
                w.WriteVarUInt(0);
                w.WriteVarUInt(0);
            }))[0];
            Assert.Equal(ErrorCode.TooLarge, f.Status);
            // A control character in a name: InvalidArgument.
            f = h.Send(h.Request(Opcode.CreateVm, w =>
            {
                w.WriteString("flat", 64);
                w.WriteString("bad\u0001name", 64);
                w.WriteVarUInt(0);
                w.WriteVarUInt(0);
            }))[0];
            Assert.Equal(ErrorCode.InvalidArgument, f.Status);
            // Console write over the chunk limit: TooLarge.
            uint a = h.AddVm("a");
            f = h.Send(h.Request(Opcode.WriteConsole, w =>
            {
                w.WriteVarUInt(a);
                w.WriteBlock(new byte[ProtocolInfo.MaxConsoleChunk + 1], 0, ProtocolInfo.MaxConsoleChunk + 1);
            }))[0];
            Assert.Equal(ErrorCode.TooLarge, f.Status);
            // Refused before anything was done: no VM made, no console input queued.
            Assert.Equal(1, h.Host.WithHypervisor(hv => hv.Vms.Count));
            Assert.Equal(0, h.Host.WithHypervisor(hv => hv.Find(a).Console.InputCount));
        }

        [Fact]
        public void HostErrorDetail_IsSent()
        {
            var h = new ServerHarness();
            h.Handshake();
            var f = h.Send(h.Request(Opcode.GetVm, Id(42)))[0];
            Assert.Equal(ErrorCode.NotFound, f.Status);
            var r = h.Verify(f);
            Assert.True(r.ReadString(255, out string detail));
            Assert.Equal("no VM with that id", detail);
        }

        [Fact]
        public void PerByteAndChunkedInput_Agree()
        {
            var h = new ServerHarness();
            uint vm = h.AddVm("a");
            h.Handshake();
            byte[] req = h.Request(Opcode.StartVm, Id(vm));
            foreach (byte b in req)
            {
                h.Server.Receive(b);
            }
            Assert.Equal(ErrorCode.Ok, Assert.Single(h.Responses()).Status);
        }

        [Fact]
        public void ListVms_Pages_WhenResponseIsFull()
        {
            var h = new ServerHarness(maxVms: 512);
            for (int i = 0; i < 300; i++)
            {
                h.AddVm(new string((char)('a' + i % 26), 60) + i.ToString("D3").Substring(0, 3), VmState.Running);
            }
            h.Handshake();
            var f = h.Send(h.Request(Opcode.ListVms, w => w.WriteVarUInt(0)))[0];
            Assert.Equal(ErrorCode.Ok, f.Status);
            var r = h.Verify(f);
            Assert.True(r.ReadUInt16(out ushort count));
            Assert.InRange(count, 50, 299);
            for (int i = 0; i < count; i++)
            {
                Assert.True(r.ReadVarUInt32(out _) && r.ReadString(64, out _) && r.ReadByte(out _) && r.ReadByte(out _)
                    && r.ReadVarUInt32(out _) && r.ReadVarUInt32(out _));
            }
            Assert.True(r.ReadVarUInt32(out uint next));
            Assert.Equal((uint)count + 1, next);
            Assert.True(f.Bytes.Length <= ProtocolInfo.MaxContentBytes + 16);
        }
    }
}
