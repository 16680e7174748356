using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
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

        internal void Begin()
        {
            _writer.Reset(_buffer, 0, _buffer.Length);
            _count = 0;
            _entryStart = 0;
        }

        /// <summary>Starts an entry's block; write its fields with <see cref="Writer"/>, then <see cref="EndEntry"/>.</summary>
        internal MessageWriter BeginEntry()
        {
            _entryStart = _writer.Position;
            _writer.WriteByte(0);
            return _writer;
        }

        internal MessageWriter Writer { get { return _writer; } }

        internal void EndEntry()
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
        internal void DropLast()
        {
            if (_count > 0)
            {
                _writer.Truncate(_entryStart);
                _count--;
            }
        }

        internal void WriteTo(MessageWriter frame)
        {
            frame.WriteVarUInt((ulong)_count);
            frame.WriteRaw(_buffer, 0, _writer.Length);
        }
    }
}
