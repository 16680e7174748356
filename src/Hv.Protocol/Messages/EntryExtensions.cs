using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// Per-entry fields appended to a list response after everything older readers know (PROTOCOL.md, "Entry
    /// extensions"): the list's entries are fixed, so new per-entry fields travel in a trailer instead:
    ///   count varint (= the list's entry count) | count × (length varint | fields)
    /// A block shorter than the fields a reader knows means "the host did not say" for the missing ones; a reader
    /// skips the bytes of fields it does not know. Entries are collected here while the list is written and the
    /// trailer is copied into the frame at the end. Allocates once; each block is at most 127 bytes.
    /// </summary>
    public sealed class EntryExtensions
    {
        /// <summary>Largest block (its length is one byte on the wire).</summary>
        public const int MaxBlockBytes = 127;

        private readonly byte[] _buffer = new byte[ProtocolInfo.MaxContentBytes];
        private readonly MessageWriter _writer = new MessageWriter();
        private int _count;
        private int _entryStart;

        /// <summary>Bytes the trailer will take in the frame (count varint at its largest + blocks).</summary>
        public int PendingBytes { get { return 3 + _writer.Length; } }

        public int Count { get { return _count; } }

        public void Begin()
        {
            _writer.Reset(_buffer, 0, _buffer.Length);
            _count = 0;
            _entryStart = 0;
        }

        /// <summary>Starts an entry's block; write its fields with <see cref="Writer"/>, then <see cref="EndEntry"/>.</summary>
        public MessageWriter BeginEntry()
        {
            _entryStart = _writer.Position;
            _writer.WriteByte(0);
            return _writer;
        }

        public MessageWriter Writer { get { return _writer; } }

        public void EndEntry()
        {
            int length = _writer.Position - _entryStart - 1;
            if (_writer.Overflow || length > MaxBlockBytes)
            {
                // Cannot happen with the fields we write; keep the trailer consistent (an empty block) if it ever does.
                _writer.Truncate(_entryStart + 1);
                length = 0;
            }
            _buffer[_entryStart] = (byte)length;
            _count++;
        }

        /// <summary>Forgets the last entry (it did not fit in the frame).</summary>
        public void DropLast()
        {
            if (_count > 0)
            {
                _writer.Truncate(_entryStart);
                _count--;
            }
        }

        public void WriteTo(MessageWriter frame)
        {
            frame.WriteVarUInt((ulong)_count);
            frame.WriteRaw(_buffer, 0, _writer.Length);
        }

        /// <summary>
        /// Reads the trailer's count when the host sent a trailer: true with <paramref name="present"/> false when the
        /// response ends before it; false when the count is not the list's <paramref name="entries"/>.
        /// </summary>
        public static bool TryReadCount(MessageReader reader, int entries, out bool present)
        {
            present = reader.Remaining > 0;
            if (!present)
            {
                return true;
            }
            uint count;
            return reader.ReadVarUInt32(out count) && count == (uint)entries;
        }

        /// <summary>Points <paramref name="block"/> at the next entry's block (its fields, however many the host sent).</summary>
        public static bool TryReadBlock(MessageReader reader, MessageReader block)
        {
            int offset, length;
            if (!reader.ReadBlock(ProtocolInfo.MaxContentBytes, out offset, out length))
            {
                return false;
            }
            block.Reset(reader.Buffer, offset, length);
            return true;
        }
    }
}
