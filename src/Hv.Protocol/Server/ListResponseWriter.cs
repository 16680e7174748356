using Hv.Protocol.Wire;

namespace Hv.Protocol.Server
{
    /// <summary>
    /// What the list responses (VMs, templates, snapshots) share: a u16 entry count patched in at the end, entries written
    /// straight into the outgoing frame, and a cut when the next entry would not fit (the entry is taken back and the
    /// list is marked full, so the client asks again from there).
    /// </summary>
    public abstract class ListResponseWriter
    {
        protected MessageWriter Writer;
        private int _countPosition;
        private int _reserve;
        private int _count;
        private int _entryStart;
        private bool _full;

        public int Count { get { return _count; } }

        /// <summary>True once an entry did not fit.</summary>
        public bool Full { get { return _full; } }

        internal void Begin(MessageWriter writer, int reserve)
        {
            Writer = writer;
            _reserve = reserve;
            _count = 0;
            _full = false;
            _countPosition = writer.Position;
            writer.WriteUInt16(0);
            OnBegin();
        }

        protected virtual void OnBegin()
        {
        }

        /// <summary>Starts an entry; false when the list is already full.</summary>
        protected bool BeginEntry()
        {
            if (_full || _count >= 0xFFFF)
            {
                return false;
            }
            _entryStart = Writer.Position;
            return true;
        }

        /// <summary>
        /// Keeps the entry if it fit with <paramref name="stillToCome"/> bytes of trailer after it; otherwise takes it back,
        /// marks the list full and returns false.
        /// </summary>
        protected bool EndEntry(int stillToCome)
        {
            if (Writer.Overflow || Writer.Remaining < _reserve + stillToCome)
            {
                Writer.Truncate(_entryStart);
                _full = true;
                return false;
            }
            _count++;
            return true;
        }

        protected void PatchCount()
        {
            Writer.PatchUInt16(_countPosition, (ushort)_count);
        }
    }
}
