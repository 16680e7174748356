using Hv.Protocol.Wire;

namespace Hv.Protocol.Messages
{
    /// <summary>
    /// What the list responses (VMs, templates, snapshots) share: a u16 entry count patched in at the end, entries written
    /// straight into the outgoing frame, and a cut when the next entry would not fit (the entry is taken back and the
    /// list is marked full, so the client asks again from there). Reading: the count, then the entries.
    /// </summary>
    public sealed class EntryList
    {
        private MessageWriter _writer;
        private int _countPosition;
        private int _reserve;
        private int _count;
        private int _entryStart;
        private bool _full;

        /// <summary>Entries written so far.</summary>
        public int Count { get { return _count; } }

        /// <summary>True once an entry did not fit.</summary>
        public bool Full { get { return _full; } }

        /// <summary>The frame the entries go into.</summary>
        public MessageWriter Writer { get { return _writer; } }

        /// <summary>Starts the list at the writer's position; <paramref name="reserve"/> bytes stay free for what follows it.</summary>
        public void Begin(MessageWriter writer, int reserve)
        {
            _writer = writer;
            _reserve = reserve;
            _count = 0;
            _full = false;
            _countPosition = writer.Position;
            writer.WriteUInt16(0);
        }

        /// <summary>Starts an entry; false when the list is already full.</summary>
        public bool BeginEntry()
        {
            if (_full || _count >= 0xFFFF)
            {
                return false;
            }
            _entryStart = _writer.Position;
            return true;
        }

        /// <summary>
        /// Keeps the entry if it fit with <paramref name="stillToCome"/> bytes of trailer after it; otherwise takes it back,
        /// marks the list full and returns false.
        /// </summary>
        public bool EndEntry(int stillToCome)
        {
            if (_writer.Overflow || _writer.Remaining < _reserve + stillToCome)
            {
                _writer.Truncate(_entryStart);
                _full = true;
                return false;
            }
            _count++;
            return true;
        }

        /// <summary>Writes the entry count where <see cref="Begin"/> left room for it.</summary>
        public void PatchCount()
        {
            _writer.PatchUInt16(_countPosition, (ushort)_count);
        }

        /// <summary>Reads a list's entry count (u16).</summary>
        public static bool TryReadCount(MessageReader reader, out int count)
        {
            ushort n;
            bool ok = reader.ReadUInt16(out n);
            count = n;
            return ok;
        }
    }
}
