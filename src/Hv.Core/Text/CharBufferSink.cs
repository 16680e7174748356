namespace Hv.Core.Text
{
    /// <summary>
    /// A sink over a fixed char array, so code can build a message (a stop reason, a log line) with the
    /// number helpers of <see cref="TextSink"/> and allocate only the final string. Characters beyond the
    /// capacity are dropped and <see cref="Overflowed"/> is set; it never grows.
    /// </summary>
    public sealed class CharBufferSink : TextSink
    {
        private readonly char[] _buffer;
        private int _length;
        private bool _overflowed;

        public CharBufferSink(int capacity)
        {
            _buffer = new char[capacity];
        }

        public int Length { get { return _length; } }
        public int Capacity { get { return _buffer.Length; } }
        public bool Overflowed { get { return _overflowed; } }

        public char this[int index] { get { return _buffer[index]; } }

        public override void Write(char c)
        {
            if (_length < _buffer.Length)
            {
                _buffer[_length++] = c;
            }
            else
            {
                _overflowed = true;
            }
        }

        /// <summary>Empties the buffer for reuse (no allocation).</summary>
        public void Clear()
        {
            _length = 0;
            _overflowed = false;
        }

        public override string ToString()
        {
            return new string(_buffer, 0, _length);
        }
    }
}
