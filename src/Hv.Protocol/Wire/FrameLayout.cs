namespace Hv.Protocol.Wire
{
    /// <summary>
    /// The header every frame starts with (see PROTOCOL.md):
    ///   version u8 | opcode u8 | request id varint(u32) | sequence varint(u64) | body... | MAC[16] (most frames)
    /// followed on the wire by the CRC-32 and COBS framing of <see cref="FrameEncoder"/>.
    /// </summary>
    public static class FrameLayout
    {
        /// <summary>Wire opcode of the server's unauthenticated refusal.</summary>
        public const int RefusedOpcode = 0xFF;

        /// <summary>Wire opcode of the handshake response.</summary>
        public const int HandshakeResponseOpcode = 0x81;

        /// <summary>Largest header: 2 bytes + 5-byte u32 varint + 10-byte u64 varint.</summary>
        public const int MaxHeaderBytes = 17;

        /// <summary>
        /// Every frame ends with a 16-byte MAC except the handshake request (nothing to key it with yet) and
        /// the refusal (sent exactly when a frame could not be authenticated).
        /// </summary>
        public static bool HasMac(int opcode)
        {
            return opcode != (int)Opcode.Handshake && opcode != RefusedOpcode;
        }

        public static void WriteHeader(MessageWriter writer, int opcode, uint requestId, ulong sequence)
        {
            writer.WriteByte(ProtocolInfo.Version);
            writer.WriteByte((byte)opcode);
            writer.WriteVarUInt(requestId);
            writer.WriteVarUInt(sequence);
        }

        /// <summary>Reads the header; on success the reader stands at the body.</summary>
        public static bool ReadHeader(MessageReader reader, out byte version, out int opcode, out uint requestId, out ulong sequence)
        {
            byte op;
            opcode = 0;
            requestId = 0;
            sequence = 0;
            if (!reader.ReadByte(out version) || !reader.ReadByte(out op))
            {
                return false;
            }
            opcode = op;
            return reader.ReadVarUInt32(out requestId) && reader.ReadVarUInt(out sequence);
        }
    }
}
