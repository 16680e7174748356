using System;
using Hv.Core.X86;
using Xunit;

namespace Hv.Core.Tests.X86
{
    public class MmioDecoderTests
    {
        private static byte[] Hex(string hex)
        {
            string[] parts = hex.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var bytes = new byte[parts.Length];
            for (int i = 0; i < parts.Length; i++) bytes[i] = Convert.ToByte(parts[i], 16);
            return bytes;
        }

        private static MmioInstruction Decode(string hex, CodeSize mode = CodeSize.Bits64) => MmioDecoder.Decode(Hex(hex), mode);

        [Theory]
        // hex, mode, operation, width, register, high byte, length    (encodings checked with ndisasm)
        [InlineData("8B 02", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 2)]                  // mov eax,[rdx]
        [InlineData("89 0A", CodeSize.Bits64, MmioOperation.Store, 4, 1, false, 2)]                 // mov [rdx],ecx
        [InlineData("48 89 08", CodeSize.Bits64, MmioOperation.Store, 8, 1, false, 3)]              // mov [rax],rcx
        [InlineData("44 89 00", CodeSize.Bits64, MmioOperation.Store, 4, 8, false, 3)]              // mov [rax],r8d
        [InlineData("45 8B 0C 24", CodeSize.Bits64, MmioOperation.Load, 4, 9, false, 4)]           // mov r9d,[r12]
        [InlineData("88 20", CodeSize.Bits64, MmioOperation.Store, 1, 0, true, 2)]                  // mov [rax],ah
        [InlineData("40 88 20", CodeSize.Bits64, MmioOperation.Store, 1, 4, false, 3)]              // mov [rax],spl
        [InlineData("8A 3B", CodeSize.Bits64, MmioOperation.Load, 1, 3, true, 2)]                   // mov bh,[rbx]
        [InlineData("66 89 08", CodeSize.Bits64, MmioOperation.Store, 2, 1, false, 3)]              // mov [rax],cx
        [InlineData("48 66 89 08", CodeSize.Bits64, MmioOperation.Store, 2, 1, false, 4)]           // REX before 66 is ignored
        [InlineData("8B 05 78 56 34 12", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 6)]     // mov eax,[rip+0x12345678]
        [InlineData("8B 84 24 10 00 00 00", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 7)]  // mov eax,[rsp+0x10] (disp32)
        [InlineData("8B 04 25 B0 00 E0 FE", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 7)]  // mov eax,[0xfffffffffee000b0]
        [InlineData("8B 44 8D F0", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 4)]           // mov eax,[rbp+rcx*4-0x10]
        [InlineData("65 8B 04 25 10 00 00 00", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 8)] // gs: override ignored
        [InlineData("F0 87 08", CodeSize.Bits64, MmioOperation.Exchange, 4, 1, false, 3)]          // lock xchg [rax],ecx
        [InlineData("0F B6 00", CodeSize.Bits64, MmioOperation.LoadZeroExtend, 1, 0, false, 3)]    // movzx eax,byte [rax]
        [InlineData("48 0F BF 08", CodeSize.Bits64, MmioOperation.LoadSignExtend, 2, 1, false, 4)] // movsx rcx,word [rax]
        [InlineData("0F C3 08", CodeSize.Bits64, MmioOperation.Store, 4, 1, false, 3)]             // movnti [rax],ecx
        [InlineData("48 0F C3 08", CodeSize.Bits64, MmioOperation.Store, 8, 1, false, 4)]          // movnti [rax],rcx
        [InlineData("A1 B0 00 E0 FE 00 00 00 00", CodeSize.Bits64, MmioOperation.Load, 4, 0, false, 9)] // mov eax,[qword 0xfee000b0]
        [InlineData("67 A3 B0 00 E0 FE", CodeSize.Bits64, MmioOperation.Store, 4, 0, false, 6)]    // a32 mov [0xfee000b0],eax
        [InlineData("A1 B0 00 E0 FE", CodeSize.Bits32, MmioOperation.Load, 4, 0, false, 5)]        // mov eax,[0xfee000b0]
        [InlineData("A2 00 10", CodeSize.Bits16, MmioOperation.Store, 1, 0, false, 3)]             // mov [0x1000],al
        [InlineData("8B 15 20 03 E0 FE", CodeSize.Bits32, MmioOperation.Load, 4, 2, false, 6)]     // mov edx,[0xfee00320]
        [InlineData("66 8B 00", CodeSize.Bits32, MmioOperation.Load, 2, 0, false, 3)]              // mov ax,[eax]
        [InlineData("8B 07", CodeSize.Bits16, MmioOperation.Load, 2, 0, false, 2)]                 // mov ax,[bx]
        [InlineData("8B 06 34 12", CodeSize.Bits16, MmioOperation.Load, 2, 0, false, 4)]           // mov ax,[0x1234]
        [InlineData("66 8B 46 02", CodeSize.Bits16, MmioOperation.Load, 4, 0, false, 4)]           // mov eax,[bp+2]
        [InlineData("67 8B 40 02", CodeSize.Bits16, MmioOperation.Load, 2, 0, false, 4)]           // mov ax,[eax+2]
        [InlineData("67 8B 04 24", CodeSize.Bits16, MmioOperation.Load, 2, 0, false, 4)]           // mov ax,[esp] (SIB)
        [InlineData("0B 02", CodeSize.Bits64, MmioOperation.Or, 4, 0, false, 2)]                   // or eax,[rdx]
        [InlineData("85 08", CodeSize.Bits64, MmioOperation.Test, 4, 1, false, 2)]                 // test [rax],ecx
        [InlineData("86 08", CodeSize.Bits64, MmioOperation.Exchange, 1, 1, false, 2)]             // xchg [rax],cl
        public void DecodesRegisterForms(string hex, CodeSize mode, MmioOperation operation, int width, int register, bool high, int length)
        {
            MmioInstruction i = Decode(hex, mode);
            Assert.Equal(DecodeStatus.Ok, i.Status);
            Assert.Equal(operation, i.Operation);
            Assert.Equal(width, i.Width);
            Assert.Equal(register, i.Register);
            Assert.Equal(high, i.HighByte);
            Assert.Equal(length, i.Length);
            Assert.False(i.HasImmediate);
        }

        [Theory]
        [InlineData("C7 00 78 56 34 12", CodeSize.Bits64, MmioOperation.StoreImmediate, 4, 0x12345678UL, 6)]
        [InlineData("48 C7 00 FF FF FF FF", CodeSize.Bits64, MmioOperation.StoreImmediate, 8, 0xFFFFFFFFFFFFFFFFUL, 7)] // sign-extended
        [InlineData("48 C7 00 00 00 00 80", CodeSize.Bits64, MmioOperation.StoreImmediate, 8, 0xFFFFFFFF80000000UL, 7)]
        [InlineData("66 C7 00 34 12", CodeSize.Bits64, MmioOperation.StoreImmediate, 2, 0x1234UL, 5)]
        [InlineData("C6 40 10 7F", CodeSize.Bits64, MmioOperation.StoreImmediate, 1, 0x7FUL, 4)]
        [InlineData("C7 80 00 03 00 00 00 40 00 00", CodeSize.Bits32, MmioOperation.StoreImmediate, 4, 0x4000UL, 10)] // mov dword [eax+0x300],0x4000
        [InlineData("83 08 01", CodeSize.Bits64, MmioOperation.Or, 4, 1UL, 3)]
        [InlineData("83 20 FE", CodeSize.Bits64, MmioOperation.And, 4, 0xFFFFFFFEUL, 3)]
        [InlineData("48 83 20 FE", CodeSize.Bits64, MmioOperation.And, 8, 0xFFFFFFFFFFFFFFFEUL, 4)]
        [InlineData("81 20 FF FF FF 7F", CodeSize.Bits64, MmioOperation.And, 4, 0x7FFFFFFFUL, 6)]
        [InlineData("80 30 01", CodeSize.Bits64, MmioOperation.Xor, 1, 1UL, 3)]
        [InlineData("F7 00 00 01 00 00", CodeSize.Bits64, MmioOperation.Test, 4, 0x100UL, 6)]
        [InlineData("F6 40 04 80", CodeSize.Bits64, MmioOperation.Test, 1, 0x80UL, 4)]
        [InlineData("66 81 08 00 80", CodeSize.Bits64, MmioOperation.Or, 2, 0x8000UL, 5)]
        public void DecodesImmediateForms(string hex, CodeSize mode, MmioOperation operation, int width, ulong immediate, int length)
        {
            MmioInstruction i = Decode(hex, mode);
            Assert.Equal(DecodeStatus.Ok, i.Status);
            Assert.Equal(operation, i.Operation);
            Assert.Equal(width, i.Width);
            Assert.True(i.HasImmediate);
            Assert.Equal(immediate, i.Immediate);
            Assert.Equal(length, i.Length);
        }

        [Fact]
        public void RegisterDestinationFormsSayWhereTheResultGoes()
        {
            Assert.True(Decode("23 02").ResultInRegister);  // and eax,[rdx]
            Assert.False(Decode("21 02").ResultInRegister); // and [rdx],eax
            Assert.True(Decode("33 02").Reads);
            Assert.False(Decode("33 02").Writes);
            Assert.True(Decode("31 02").Writes);
            Assert.False(Decode("85 02").Writes);
            Assert.False(Decode("89 02").Reads);
        }

        [Theory]
        [InlineData("8B C0", CodeSize.Bits64, DecodeStatus.NoMemoryOperand)]         // mov eax,eax
        [InlineData("F3 A5", CodeSize.Bits64, DecodeStatus.Unsupported)]             // rep movsd
        [InlineData("F3 8B 00", CodeSize.Bits64, DecodeStatus.Unsupported)]          // rep prefix on a mov
        [InlineData("0F 0B", CodeSize.Bits64, DecodeStatus.Unsupported)]             // ud2
        [InlineData("C7 08 00 00 00 00", CodeSize.Bits64, DecodeStatus.Unsupported)] // C7 /1
        [InlineData("81 10 00 00 00 00", CodeSize.Bits64, DecodeStatus.Unsupported)] // adc
        [InlineData("66 0F C3 08", CodeSize.Bits64, DecodeStatus.Unsupported)]       // movnti with 66
        [InlineData("01 08", CodeSize.Bits64, DecodeStatus.Unsupported)]             // add [rax],ecx
        [InlineData("", CodeSize.Bits64, DecodeStatus.Truncated)]
        [InlineData("8B", CodeSize.Bits64, DecodeStatus.Truncated)]
        [InlineData("8B 05 78 56", CodeSize.Bits64, DecodeStatus.Truncated)]
        [InlineData("8B 04", CodeSize.Bits64, DecodeStatus.Truncated)]               // SIB missing
        [InlineData("C7 00 78 56 34", CodeSize.Bits64, DecodeStatus.Truncated)]      // immediate cut short
        [InlineData("66 66 66 66 66 66 66 66 66 66 66 66 66 66 8B 00", CodeSize.Bits64, DecodeStatus.TooLong)]
        [InlineData("F0 F0 F0 F0 F0 F0 F0 F0 F0 F0 C7 80 00 00 00 00 01 00 00 00", CodeSize.Bits64, DecodeStatus.TooLong)]
        public void RefusesWhatItCannotEmulate(string hex, CodeSize mode, DecodeStatus status)
        {
            Assert.Equal(status, Decode(hex, mode).Status);
        }

        [Fact]
        public void FifteenBytesIsStillAnInstruction()
        {
            // Three prefixes and the 12-byte "mov qword [rsp+disp32], imm32" make 15; one more prefix is one too many.
            MmioInstruction i = Decode("66 F0 3E 48 C7 84 24 00 01 00 00 01 00 00 00");
            Assert.Equal(DecodeStatus.Ok, i.Status);
            Assert.Equal(15, i.Length);
            Assert.Equal(DecodeStatus.TooLong, Decode("66 66 F0 3E 48 C7 84 24 00 01 00 00 01 00 00 00").Status);
        }

        [Fact]
        public void FuzzedBytesNeverCrashAndNeverReadPastTheInstruction()
        {
            var random = new Random(20261202);
            var buffer = new byte[20];
            CodeSize[] modes = { CodeSize.Bits16, CodeSize.Bits32, CodeSize.Bits64 };
            int decoded = 0;
            for (int n = 0; n < 1_000_000; n++)
            {
                int length = random.Next(0, 21);
                random.NextBytes(buffer);
                // Bias towards opcodes the decoder knows, so most strings reach ModRM/SIB/displacement parsing.
                if (length > 1 && (n & 1) == 0) buffer[random.Next(0, Math.Min(length, 4))] = KnownOpcodes[random.Next(KnownOpcodes.Length)];
                CodeSize mode = modes[n % 3];
                // A span of exactly `length` bytes: any read past it throws and fails the test.
                MmioInstruction i = MmioDecoder.Decode(new ReadOnlySpan<byte>(buffer, 0, length), mode);
                if (i.Status != DecodeStatus.Ok) continue;
                decoded++;
                Assert.InRange(i.Length, 1, Math.Min(length, MmioDecoder.MaxLength));
                Assert.Contains(i.Width, new[] { 1, 2, 4, 8 });
                Assert.InRange(i.Register, 0, 15);
                // The same bytes cut to the decoded length give the same instruction: nothing after it was used.
                MmioInstruction again = MmioDecoder.Decode(new ReadOnlySpan<byte>(buffer, 0, i.Length), mode);
                Assert.Equal(i, again);
                // One byte fewer is always too short.
                Assert.Equal(DecodeStatus.Truncated, MmioDecoder.Decode(new ReadOnlySpan<byte>(buffer, 0, i.Length - 1), mode).Status);
            }
            Assert.True(decoded > 50_000, "only " + decoded + " strings decoded");
        }

        private static readonly byte[] KnownOpcodes = { 0x88, 0x89, 0x8A, 0x8B, 0xC6, 0xC7, 0xA1, 0xA3, 0x0F, 0x83, 0x81, 0x85, 0xF7, 0x87, 0x48, 0x66, 0x67 };
    }
}
